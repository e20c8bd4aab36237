public enum ExplainJSON {
    public static func render(_ e: Explanation) -> String { "" }
}
