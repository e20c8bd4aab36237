// How a finding names a span: enough to find it again and to read it in a report.

/// A span named in a finding.
public struct SpanRef: Sendable, Equatable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var name: String
    public var service: String
    public var kind: SpanKind

    public init(traceID: TraceID, spanID: SpanID, name: String, service: String, kind: SpanKind) {
        self.traceID = traceID
        self.spanID = spanID
        self.name = name
        self.service = service
        self.kind = kind
    }

    public init(_ span: AnalysisSpan) {
        self.init(traceID: span.traceID, spanID: span.spanID, name: span.name, service: span.service, kind: span.kind)
    }

    /// `chat-api: rag.retrieve`.
    public var label: String { "\(service): \(name)" }
}
