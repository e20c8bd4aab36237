// A record sink for fuzzing: it checks every record against what the store's schema and the
// SQL users write rely on, and folds the records into a digest to compare two readings.

import TraceDoctorCore

/// Stops the fuzzer on a broken invariant: libFuzzer saves the input as a crash.
public func violated(_ what: String) -> Never {
    fatalError("fuzz invariant violated: \(what)")
}

/// Checks each record and remembers a digest of all of them, in order.
public final class InvariantSink: RecordSink {
    public private(set) var spans = 0
    public private(set) var logs = 0
    private var hasher = Hasher()

    public init() {}

    /// The digest of everything received so far.
    public var digest: Int {
        var copy = hasher
        copy.combine(spans)
        copy.combine(logs)
        return copy.finalize()
    }

    public func makeMark() -> RecordMark { RecordMark(spans: Int64(spans), logs: Int64(logs)) }

    public func resource(_ resource: ResourceRecord) throws {
        checkResource(resource)
        hasher.combine(0xA1)
        combine(resource)
    }

    public func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws {
        checkMark(mark)
        checkResource(resource)
        hasher.combine(0xA2)
        hasher.combine(mark.spans)
        hasher.combine(mark.logs)
        combine(resource)
    }

    public func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {
        checkMark(mark)
        text(name, "scope name")
        text(version, "scope version")
        hasher.combine(0xA3)
        hasher.combine(name)
        hasher.combine(version)
        hasher.combine(mark.spans)
        hasher.combine(mark.logs)
    }

    public func span(_ s: SpanRecord) throws {
        spans += 1
        json(s.attributes, .object, "span attributes")
        json(s.events, .array, "span events")
        json(s.links, .array, "span links")
        for (field, name) in [(s.name, "span name"), (s.statusMessage, "status message"), (s.traceState, "trace state"),
            (s.scopeName, "span scope name"), (s.scopeVersion, "span scope version")] {
            text(field, name)
        }
        hasher.combine(0xB1)
        hasher.combine(s.traceID)
        hasher.combine(s.spanID)
        hasher.combine(s.parentSpanID)
        hasher.combine(s.originalSpanID)
        hasher.combine(s.name)
        hasher.combine(s.kind)
        hasher.combine(s.startNs)
        hasher.combine(s.endNs)
        hasher.combine(s.statusCode)
        hasher.combine(s.statusMessage)
        hasher.combine(s.flags)
        hasher.combine(s.traceState)
        hasher.combine(s.scopeName)
        hasher.combine(s.scopeVersion)
        for buffer in [s.attributes, s.events, s.links] { combine(buffer) }
        hasher.combine(s.position?.line)
        hasher.combine(s.position?.offset)
    }

    public func log(_ l: LogRecord) throws {
        logs += 1
        // The logs table's CHECK (severity_number BETWEEN 0 AND 24).
        guard (0...24).contains(l.severityNumber) else { violated("log severity number \(l.severityNumber)") }
        if !l.attributes.isEmpty { json(l.attributes, .object, "log attributes") }
        for (field, name) in [(l.body, "log body"), (l.severityText, "severity text"), (l.service, "log service"),
            (l.scopeName, "log scope name")] {
            text(field, name)
        }
        hasher.combine(0xC1)
        hasher.combine(l.timeNs)
        hasher.combine(l.observedTimeNs)
        hasher.combine(l.severityNumber)
        hasher.combine(l.severityText)
        hasher.combine(l.body)
        hasher.combine(l.traceID)
        hasher.combine(l.spanID)
        hasher.combine(l.flags)
        hasher.combine(l.service)
        hasher.combine(l.scopeName)
        combine(l.attributes)
        hasher.combine(l.line)
        hasher.combine(l.position?.offset)
    }

    private func checkResource(_ resource: ResourceRecord) {
        // The resources table's CHECK (json_valid(attributes)).
        json(resource.attributes, .object, "resource attributes")
        text(resource.service, "service name")
    }

    private func checkMark(_ mark: RecordMark) {
        guard mark.spans >= 0, mark.logs >= 0, mark.spans <= spans, mark.logs <= logs else {
            violated("mark \(mark) is not a point in the \(spans) spans and \(logs) logs read")
        }
    }

    private func json(_ buffer: JSONBuffer, _ kind: StrictJSON.Kind, _ what: String) {
        guard StrictJSON.isValid(buffer.buffer, as: kind) else {
            violated("\(what) are not a JSON \(kind): \(String(decoding: buffer.buffer.prefix(300), as: UTF8.self))")
        }
    }

    private func text(_ bytes: [UInt8], _ what: String) {
        guard bytes.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) }) != nil else {
            violated("\(what) is not UTF-8: \(bytes.prefix(60))")
        }
    }

    private func combine(_ resource: ResourceRecord) {
        hasher.combine(resource.service)
        combine(resource.attributes)
    }

    private func combine(_ buffer: JSONBuffer) {
        hasher.combine(bytes: UnsafeRawBufferPointer(buffer.buffer))
        hasher.combine(buffer.count)
    }
}
