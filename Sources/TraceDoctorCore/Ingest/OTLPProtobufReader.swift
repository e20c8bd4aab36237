// OTLP protobuf traces and logs: `ExportTraceServiceRequest` / `TracesData` and
// `ExportLogsServiceRequest` / `LogsData` in binary, one message or a sequence of
// length-prefixed ones (gzip is undone before readers see the bytes). Read one span or log
// record at a time: see OTLPProtobufWalker.

public struct OTLPProtobufReader: RecordReader {
    public static let format = InputFormat.otlpProtobuf

    public init() {}

    public func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws {
        try OTLPProtobufWalker(stream: ProtobufStream(source: source), sink: sink, context: context).run()
    }
}
