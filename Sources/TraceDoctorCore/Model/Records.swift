// What readers hand to the store: one span, one log line, one resource at a time. The
// objects are reused from record to record, so reading allocates nothing per span.

/// The process or service that produced spans and logs (OTLP's Resource).
public final class ResourceRecord {
    /// `service.name`, or empty when the dump names none.
    public var service: [UInt8] = []
    /// A JSON object of the resource attributes.
    public let attributes = JSONBuffer(capacity: 512)

    public init() {}

    public func reset() {
        service.removeAll(keepingCapacity: true)
        attributes.reset()
    }

    /// Makes this record equal to `other`, reusing this one's storage.
    public func copy(from other: ResourceRecord) {
        service.replace(with: other.service)
        attributes.reset()
        attributes.appendRaw(other.attributes.buffer)
    }
}

extension Array where Element == UInt8 {
    /// Replaces the contents, keeping the capacity.
    @inline(__always)
    mutating func replace(with other: [UInt8]) {
        removeAll(keepingCapacity: true)
        append(contentsOf: other)
    }
}

/// One span, as read.
public final class SpanRecord {
    public var traceID = TraceID(high: 0, low: 0)
    public var spanID = SpanID(0)
    /// nil for a root span.
    public var parentSpanID: SpanID?
    /// The ID the dump gave this span, when tracedoctor had to give it a new one (Zipkin's
    /// shared client/server span IDs).
    public var originalSpanID: SpanID?
    public var name: [UInt8] = []
    public var kind: SpanKind = .unspecified
    /// Unix nanoseconds; nil when the dump has none.
    public var startNs: Int64?
    public var endNs: Int64?
    public var statusCode: StatusCode = .unset
    public var statusMessage: [UInt8] = []
    /// OTLP span flags (trace flags in bits 0–7, parent-is-remote in bits 8–9).
    public var flags: UInt32 = 0
    public var traceState: [UInt8] = []
    public var scopeName: [UInt8] = []
    public var scopeVersion: [UInt8] = []
    /// JSON object.
    public let attributes: JSONBuffer
    /// JSON array of `{"time_ns", "name", "attributes"}`.
    public let events: JSONBuffer
    /// JSON array of `{"trace_id", "span_id", "trace_state", "attributes", "flags"}`.
    public let links: JSONBuffer
    /// Where the record starts in its input, for messages.
    public var position: SourcePosition?

    public convenience init() {
        self.init(attributesCapacity: 1024, eventsCapacity: 256, linksCapacity: 128)
    }

    /// Buffers that start at these sizes (they grow as needed): small ones for readers that
    /// hold many spans at once (a Jaeger trace waiting for its processes).
    public init(attributesCapacity: Int, eventsCapacity: Int, linksCapacity: Int) {
        attributes = JSONBuffer(capacity: attributesCapacity)
        events = JSONBuffer(capacity: eventsCapacity)
        links = JSONBuffer(capacity: linksCapacity)
    }

    public func reset() {
        traceID = TraceID(high: 0, low: 0)
        spanID = SpanID(0)
        parentSpanID = nil
        originalSpanID = nil
        name.removeAll(keepingCapacity: true)
        kind = .unspecified
        startNs = nil
        endNs = nil
        statusCode = .unset
        statusMessage.removeAll(keepingCapacity: true)
        flags = 0
        traceState.removeAll(keepingCapacity: true)
        attributes.reset()
        events.reset()
        links.reset()
        position = nil
    }

    /// Makes this record equal to `other`, reusing this one's storage.
    public func copy(from o: SpanRecord) {
        traceID = o.traceID
        spanID = o.spanID
        parentSpanID = o.parentSpanID
        originalSpanID = o.originalSpanID
        name.replace(with: o.name)
        kind = o.kind
        startNs = o.startNs
        endNs = o.endNs
        statusCode = o.statusCode
        statusMessage.replace(with: o.statusMessage)
        flags = o.flags
        traceState.replace(with: o.traceState)
        scopeName.replace(with: o.scopeName)
        scopeVersion.replace(with: o.scopeVersion)
        attributes.reset()
        attributes.appendRaw(o.attributes.buffer)
        events.reset()
        events.appendRaw(o.events.buffer)
        links.reset()
        links.appendRaw(o.links.buffer)
        position = o.position
    }
}

/// One log line, as read.
public final class LogRecord {
    /// Unix nanoseconds of the event; nil when the line has no time.
    public var timeNs: Int64?
    /// `timeNs` came from a wall-clock time without offset (taken as UTC until `LogTimeZone`
    /// says otherwise).
    public var timeIsLocal = false
    public var observedTimeNs: Int64?
    /// OTLP severity number 0–24 (0 = unspecified).
    public var severityNumber: Int = 0
    public var severityText: [UInt8] = []
    public var body: [UInt8] = []
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var flags: UInt32 = 0
    /// The service named on the line itself (JSON logs); empty to use the resource's.
    public var service: [UInt8] = []
    public let attributes = JSONBuffer(capacity: 512)
    public var scopeName: [UInt8] = []
    /// Line (or record number) where the record starts in its input.
    public var line: Int = 0
    public var position: SourcePosition?

    public init() {}

    public func reset() {
        timeNs = nil
        timeIsLocal = false
        observedTimeNs = nil
        severityNumber = 0
        severityText.removeAll(keepingCapacity: true)
        body.removeAll(keepingCapacity: true)
        traceID = nil
        spanID = nil
        flags = 0
        service.removeAll(keepingCapacity: true)
        attributes.reset()
        scopeName.removeAll(keepingCapacity: true)
        line = 0
        position = nil
    }

    /// Makes this record equal to `other`, reusing this one's storage.
    public func copy(from o: LogRecord) {
        timeNs = o.timeNs
        timeIsLocal = o.timeIsLocal
        observedTimeNs = o.observedTimeNs
        severityNumber = o.severityNumber
        severityText.replace(with: o.severityText)
        body.replace(with: o.body)
        traceID = o.traceID
        spanID = o.spanID
        flags = o.flags
        service.replace(with: o.service)
        attributes.reset()
        attributes.appendRaw(o.attributes.buffer)
        scopeName.replace(with: o.scopeName)
        line = o.line
        position = o.position
    }
}
