// A RecordSink that keeps copies of everything, for reader tests.

@testable import TraceDoctorCore

struct CollectedSpan: Equatable {
    var traceID: String
    var spanID: String
    var parentSpanID: String?
    var name: String
    var kind: SpanKind
    var service: String
    var startNs: Int64?
    var endNs: Int64?
    var statusCode: StatusCode
    var statusMessage: String
    var flags: UInt32
    var attributes: String
    var events: String
    var links: String
    var scopeName: String
    var line: Int?
}

extension CollectedSpan {
    /// The same span with no line, to compare spans read from different encodings.
    var withoutLine: CollectedSpan {
        var copy = self
        copy.line = nil
        return copy
    }
}

struct CollectedLog: Equatable {
    var timeNs: Int64?
    var body: String
    var traceID: String?
    var spanID: String?
    var severityNumber: Int
    var severityText: String
    var service: String
    var attributes: String
    var observedTimeNs: Int64? = nil
    var flags: UInt32 = 0
    var scopeName: String = ""
}

final class CollectingSink: RecordSink {
    var spans: [CollectedSpan] = []
    var logs: [CollectedLog] = []
    var resources: [String] = []
    private var service = ""

    func makeMark() -> RecordMark { RecordMark(spans: Int64(spans.count), logs: Int64(logs.count)) }

    func resource(_ resource: ResourceRecord) throws {
        service = String(decoding: resource.service, as: UTF8.self)
        resources.append(resource.attributes.string)
    }

    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws {
        try self.resource(resource)
        for i in Int(mark.spans)..<spans.count { spans[i].service = service }
        for i in Int(mark.logs)..<logs.count where logs[i].service.isEmpty { logs[i].service = service }
    }

    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {
        for i in Int(mark.spans)..<spans.count { spans[i].scopeName = String(decoding: name, as: UTF8.self) }
        for i in Int(mark.logs)..<logs.count { logs[i].scopeName = String(decoding: name, as: UTF8.self) }
    }

    func span(_ s: SpanRecord) throws {
        spans.append(
            CollectedSpan(
                traceID: s.traceID.hex, spanID: s.spanID.hex, parentSpanID: s.parentSpanID?.hex,
                name: String(decoding: s.name, as: UTF8.self), kind: s.kind, service: service,
                startNs: s.startNs, endNs: s.endNs, statusCode: s.statusCode,
                statusMessage: String(decoding: s.statusMessage, as: UTF8.self), flags: s.flags,
                attributes: s.attributes.string, events: s.events.string, links: s.links.string,
                scopeName: String(decoding: s.scopeName, as: UTF8.self), line: s.position?.line))
    }

    func log(_ l: LogRecord) throws {
        logs.append(
            CollectedLog(
                timeNs: l.timeNs ?? l.observedTimeNs, body: String(decoding: l.body, as: UTF8.self),
                traceID: l.traceID?.hex, spanID: l.spanID?.hex, severityNumber: l.severityNumber,
                severityText: String(decoding: l.severityText, as: UTF8.self),
                service: l.service.isEmpty ? service : String(decoding: l.service, as: UTF8.self),
                attributes: l.attributes.isEmpty ? "{}" : l.attributes.string, observedTimeNs: l.observedTimeNs,
                flags: l.flags, scopeName: String(decoding: l.scopeName, as: UTF8.self)))
    }
}

/// Reads `text` with `reader` into a new collecting sink.
func collect(
    _ text: String, with reader: RecordReader = OTLPJSONReader(), keepGoing: Bool = false, chunkSize: Int? = nil
) throws -> (CollectingSink, ReadContext) {
    let sink = CollectingSink()
    let context = ReadContext(keepGoing: keepGoing)
    try reader.read(MemorySource(text), into: sink, context: context)
    return (sink, context)
}

/// The repository's `fixtures/` folder.
let fixturesDirectory: String = {
    var url = #filePath.split(separator: "/").dropLast(4).joined(separator: "/")
    url = "/" + url + "/fixtures"
    return url
}()
