// What readers hand to the store: one span, one log line, one resource at a time. The
// objects are reused from record to record, so reading allocates nothing per span.

/// The process or service that produced spans and logs (OTLP's Resource).
public final class ResourceRecord {
    /// `service.name`, or empty when the dump names none.
    public var service: [UInt8] = []
    /// A JSON object of the resource attributes.
    public var attributes = JSONBuffer(capacity: 512)

    public init() {}

    public func reset() {
        service.removeAll(keepingCapacity: true)
        attributes.reset()
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
    public var attributes = JSONBuffer(capacity: 1024)
    /// JSON array of `{"time_ns", "name", "attributes"}`.
    public var events = JSONBuffer(capacity: 256)
    /// JSON array of `{"trace_id", "span_id", "trace_state", "attributes", "flags"}`.
    public var links = JSONBuffer(capacity: 128)
    /// Where the record starts in its input, for messages.
    public var position: SourcePosition?

    public init() {}

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
}

/// One log line, as read.
public final class LogRecord {
    /// Unix nanoseconds of the event; nil when the line has no time.
    public var timeNs: Int64?
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
    public var attributes = JSONBuffer(capacity: 512)
    public var scopeName: [UInt8] = []
    /// Line (or record number) where the record starts in its input.
    public var line: Int = 0
    public var position: SourcePosition?

    public init() {}

    public func reset() {
        timeNs = nil
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
}
