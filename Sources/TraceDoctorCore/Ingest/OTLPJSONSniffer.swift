// Recognising OTLP/JSON from an input's first bytes, for format detection.

/// OTLP/JSON: an object with `resourceSpans` or `resourceLogs` (or a bare ResourceSpans or
/// ResourceLogs, or Jaeger's API v3 `{"result": ...}` wrapper).
public enum OTLPJSONSniffer: FormatSniffer {
    static let keys: Set = [
        "resourceSpans", "resource_spans", "scopeSpans", "scope_spans", "instrumentationLibrarySpans",
        "resourceLogs", "resource_logs", "scopeLogs", "scope_logs", "instrumentationLibraryLogs",
    ]

    public static func sniff(_ prefix: InputPrefix) -> SniffResult {
        guard let first = prefix.firstSignificantByte, first.byte == UInt8(ascii: "{") else {
            return .reject("expected a JSON object ('{'), \(prefix.foundDescription)")
        }
        // The usual case decided by the first key, without reading the object's keys (a whole
        // small file): the same verdict as from its shape below.
        if let key = prefix.firstJSONKey, keys.contains(key) { return .accept(confidence: 100) }
        if let shape = prefix.jsonKeys() {
            if shape.keys.contains(where: keys.contains) { return .accept(confidence: 100) }
            if shape.has("result"), let inner = shape.nestedKeys["result"], inner.contains(where: keys.contains) {
                return .accept(confidence: 100)
            }
            if !shape.keys.isEmpty {
                let shown = shape.keys.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
                return .reject("a JSON object without \"resourceSpans\" or \"resourceLogs\" (its keys: \(shown))")
            }
        }
        // A JSON object too broken to list its keys: this reader reports exactly where.
        return .accept(confidence: 1)
    }
}
