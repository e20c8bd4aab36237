// A RecordSink that keeps a copy of every log record and resource, for the log reader tests.

@testable import TraceDoctorCore

/// One log record as a reader produced it, in plain Swift values.
struct CapturedLog: Equatable {
    var line: Int
    var timeNs: Int64?
    var severity: Int
    var level: String
    var body: String
    var traceID: String?
    var spanID: String?
    var flags: UInt32
    var service: String
    var attributes: String
}

final class LogCapture: RecordSink {
    var logs: [CapturedLog] = []
    /// `service.name` and attributes of each resource announced.
    var resources: [(service: String, attributes: String)] = []
    var spans = 0

    func makeMark() -> RecordMark { RecordMark(spans: 0, logs: Int64(logs.count)) }
    func resource(_ resource: ResourceRecord) throws {
        resources.append((String(decoding: resource.service, as: UTF8.self), resource.attributes.string))
    }
    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws { try self.resource(resource) }
    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {}
    func span(_ span: SpanRecord) throws { spans += 1 }

    func log(_ l: LogRecord) throws {
        logs.append(
            CapturedLog(
                line: l.line, timeNs: l.timeNs, severity: l.severityNumber,
                level: String(decoding: l.severityText, as: UTF8.self), body: String(decoding: l.body, as: UTF8.self),
                traceID: l.traceID?.hex, spanID: l.spanID?.hex, flags: l.flags,
                service: String(decoding: l.service, as: UTF8.self), attributes: l.attributes.string))
    }
}

/// Reads `text` with `reader` and returns what it stored.
func captureLogs(_ text: String, with reader: RecordReader, keepGoing: Bool = false) throws -> (LogCapture, ReadContext) {
    let sink = LogCapture()
    let context = ReadContext(keepGoing: keepGoing)
    try reader.read(MemorySource(text), into: sink, context: context)
    return (sink, context)
}

/// A source that hands out at most `step` bytes per read, to cross every buffer boundary.
final class TrickleSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private let step: Int

    init(_ text: String, step: Int) {
        bytes = Array(text.utf8)
        self.step = step
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        let n = min(count, step, bytes.count - position)
        guard n > 0 else { return 0 }
        for i in 0..<n { buffer[i] = bytes[position + i] }
        position += n
        return n
    }
}
