// Zipkin v2 JSON: a list of spans, a list of traces (lists of spans) or one span object, with
// IDs of 1–32 hex digits and microsecond times. Zipkin v1 (`binaryAnnotations`) is not read.

public struct ZipkinJSONReader: RecordReader {
    public static let format = InputFormat.zipkinJSON

    public init() {}

    public func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws {
        let scanner = JSONScanner(source: source)
        try ZipkinJSONParser(scanner: scanner, sink: sink, context: context).run()
    }
}

/// Zipkin v2 JSON: spans with `traceId` and `id` (Jaeger writes `traceID` and `spanID`).
public enum ZipkinJSONSniffer: FormatSniffer {
    public static func sniff(_ prefix: InputPrefix) -> SniffResult {
        guard let first = prefix.firstSignificantByte else { return .reject("the input is empty") }
        let span: JSONShape?
        switch first.byte {
        case UInt8(ascii: "{"):
            span = prefix.jsonKeys()
        case UInt8(ascii: "["):
            span = prefix.jsonKeys(inArrayElement: true) ?? firstSpanOfFirstTrace(prefix)
            // `[]` or `[[]]`: an empty query result, which only Zipkin writes this way.
            if let span, span.keys.isEmpty { return .accept(confidence: 10) }
        default:
            return .reject("expected a JSON array or object, \(prefix.foundDescription)")
        }
        guard let span, !span.keys.isEmpty else { return .reject("not a list of Zipkin spans") }
        guard span.has("traceId") && span.has("id") else {
            return .reject("no span with \"traceId\" and \"id\" (its keys: \(span.keys.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")))")
        }
        if span.has("binaryAnnotations") {
            return .reject("Zipkin v1 JSON (\"binaryAnnotations\"), which is not read; fetch the trace from Zipkin's /api/v2")
        }
        return .accept(confidence: 100)
    }

    /// The keys of the first span of `[[span, …], …]` (`GET /api/v2/traces`).
    private static func firstSpanOfFirstTrace(_ prefix: InputPrefix) -> JSONShape? {
        guard let open = prefix.bytes.firstIndex(of: UInt8(ascii: "[")),
            let inner = prefix.bytes[(open + 1)...].firstIndex(where: { $0 > 0x20 }),
            prefix.bytes[inner] == UInt8(ascii: "[")
        else { return nil }
        return InputPrefix(Array(prefix.bytes[inner...]), isComplete: prefix.isComplete).jsonKeys(inArrayElement: true)
    }
}
