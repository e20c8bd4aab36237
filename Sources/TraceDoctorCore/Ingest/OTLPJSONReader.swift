// OTLP/JSON traces and logs: a whole `TracesData` / `ExportTraceServiceRequest` or `LogsData` /
// `ExportLogsServiceRequest` document, JSON Lines of them (the collector's file exporter), a bare
// `ResourceSpans` or `ResourceLogs` per line, and Jaeger's API v3 wrapper `{"result": {...}}`.
// Hex or base64 IDs, enum names or numbers, string or number timestamps, camelCase or snake_case
// keys.

public struct OTLPJSONReader: RecordReader {
    public static let format = InputFormat.otlpJSON

    public init() {}

    public func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws {
        let scanner = JSONScanner(source: source)
        try OTLPJSONParser(scanner: scanner, sink: sink, context: context).run()
    }
}
