public enum ExplainHTMLReport {
    public static func render(_ e: Explanation, maxDepth: Int?, minDurationNs: Int64) -> String { "" }
}
