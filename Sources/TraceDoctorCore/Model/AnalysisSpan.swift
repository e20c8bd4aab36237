// The span as the diagnoses see it: identity, the link to its parent, timing and where it ran.
// The Store fills it from SQL; tests fill it from any dump. Nothing here needs the database.

/// One span, as every analysis reads it.
public struct AnalysisSpan: Sendable, Equatable {
    /// How a span relates to the parent its parent ID names.
    public enum ParentRelation: Sendable, Equatable {
        /// The parent waits for (or at least contains) the child.
        case childOf
        /// Jaeger's FOLLOWS_FROM: the parent caused the child but does not wait for it.
        case followsFrom
    }

    public var traceID: TraceID
    public var spanID: SpanID
    /// nil for a root.
    public var parentSpanID: SpanID?
    /// The ID the dump gave this span when tracedoctor had to give it a new one (the server half
    /// of a shared Zipkin client/server span).
    public var originalSpanID: SpanID?
    public var name: String
    public var kind: SpanKind
    /// Where it ran; its `service` is the span's service.
    public var process: SpanProcess
    /// Unix nanoseconds; nil when the dump has none (0 in a trace of dated spans counts as none).
    public var startNs: Int64?
    public var endNs: Int64?
    public var status: StatusCode
    /// OTLP span flags (bits 8–9 say whether the parent is remote).
    public var flags: UInt32
    public var parentRelation: ParentRelation
    /// For CLIENT and PRODUCER spans: what the span says it called, lowercased — `peer.service`,
    /// `server.address`, `net.peer.name`, the host of `url.full` / `http.url`. Empty when unknown.
    public var peerNames: [String]
    /// Messaging attributes of a CLIENT, PRODUCER or CONSUMER span, or of a root; nil when none.
    public var messaging: SpanMessaging?
    /// Links to spans other than its parent (OTLP span links, Jaeger references into another trace).
    public var links: [SpanLink]
    /// The row in the database (or the position in the input), which fixes "input order".
    public var rowID: Int64

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID? = nil, originalSpanID: SpanID? = nil,
        name: String, kind: SpanKind = .unspecified, process: SpanProcess,
        startNs: Int64?, endNs: Int64?, status: StatusCode = .unset, flags: UInt32 = 0,
        parentRelation: ParentRelation = .childOf, peerNames: [String] = [], messaging: SpanMessaging? = nil,
        links: [SpanLink] = [], rowID: Int64
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID.flatMap { $0.isZero ? nil : $0 }
        self.originalSpanID = originalSpanID
        self.name = name
        self.kind = kind
        self.process = process
        self.startNs = startNs
        self.endNs = endNs
        self.status = status
        self.flags = flags
        self.parentRelation = parentRelation
        self.peerNames = peerNames
        self.messaging = messaging
        self.links = links
        self.rowID = rowID
    }

    /// `service.name` of the span's resource.
    public var service: String { process.service }

    /// What the span's flags say about its parent: true = remote, false = local, nil = unknown.
    public var parentIsRemote: Bool? {
        guard flags & SpanFlags.hasIsRemote != 0 else { return nil }
        return flags & SpanFlags.isRemote != 0
    }

    /// A short reference for messages: `chat-api: rag.retrieve (60b7786fecfab0b0)`.
    public var label: String { "\(service): \(name)" }

    /// Whether two reports of one span ID describe the same span (a re-export, not a conflict).
    public func isSameReport(as other: AnalysisSpan) -> Bool {
        spanID == other.spanID && parentSpanID == other.parentSpanID && name == other.name && kind == other.kind
            && service == other.service && startNs == other.startNs && endNs == other.endNs
    }
}
