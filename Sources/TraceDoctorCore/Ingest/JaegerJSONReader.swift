// Jaeger JSON: the query API v1 response `{"data": [trace, …]}` that the Jaeger UI downloads, a
// bare trace object, and a list of spans with embedded processes. Jaeger's API v3 response
// `{"result": {"resourceSpans": …}}` is OTLP and goes to the OTLP/JSON reader.

public struct JaegerJSONReader: RecordReader {
    public static let format = InputFormat.jaegerJSON

    public init() {}

    public func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws {
        let scanner = JSONScanner(source: source)
        try JaegerJSONParser(scanner: scanner, sink: sink, context: context).run()
    }
}

/// Jaeger JSON: `traceID`/`spanID`/`operationName` keys (Zipkin writes `traceId`, `id`, `name`).
public enum JaegerJSONSniffer: FormatSniffer {
    static let spanKeys: Set = ["spanID", "operationName", "processID", "references"]
    static let traceKeys: Set = ["spans", "processes"]

    public static func sniff(_ prefix: InputPrefix) -> SniffResult {
        guard let first = prefix.firstSignificantByte else { return .reject("the input is empty") }
        switch first.byte {
        case UInt8(ascii: "{"):
            guard let shape = prefix.jsonKeys() else { return .reject("a JSON object whose keys cannot be read") }
            if shape.has("data") {
                if let inner = shape.nestedKeys["data"] {
                    if inner.contains(where: traceKeys.contains) { return .accept(confidence: 100) }
                    return .reject("\"data\" holds objects without \"spans\" (\(list(inner)))")
                }
                // The first trace is longer than the prefix, or there is none.
                if prefix.contains("\"spanID\"") || prefix.contains("\"operationName\"") { return .accept(confidence: 90) }
                if shape.has("total") || shape.has("errors") { return .accept(confidence: 50) }
                return .reject("an object with \"data\" but no Jaeger span in sight")
            }
            if shape.keys.contains(where: traceKeys.contains) && (shape.has("traceID") || shape.has("processes") || spans(shape)) {
                return .accept(confidence: 100)
            }
            if shape.has("spanID") && shape.has("operationName") { return .accept(confidence: 90) }
            return .reject("a JSON object without \"data\", \"spans\" or \"spanID\" (\(list(shape.keys)))")
        case UInt8(ascii: "["):
            guard let element = prefix.jsonKeys(inArrayElement: true) else {
                return .reject("a JSON array that does not start with an object")
            }
            if element.keys.contains(where: spanKeys.contains) || element.keys.contains(where: traceKeys.contains) {
                return .accept(confidence: 100)
            }
            if element.keys.isEmpty { return .reject("an empty JSON array") }
            return .reject("a JSON array of objects without \"spanID\" (\(list(element.keys)))")
        default:
            return .reject("expected a JSON object or array, \(prefix.foundDescription)")
        }
    }

    /// Whether the `spans` value starts with a Jaeger span.
    private static func spans(_ shape: JSONShape) -> Bool {
        shape.nestedKeys["spans"]?.contains(where: spanKeys.contains) ?? false
    }

    private static func list(_ keys: [String]) -> String {
        "its keys: " + keys.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
