// What a span says beyond its place in the tree — attributes, events, links, status message,
// instrumentation scope, the resource it ran in — read only for the spans `explain` shows.

/// The descriptive fields of one stored span, as JSON texts where the database keeps JSON.
public struct SpanDetails: Sendable, Equatable {
    /// The span's row (matches `AnalysisSpan.rowID`).
    public var rowID: Int64
    /// JSON object.
    public var attributes: String
    /// JSON array of `{"time_ns", "name", "attributes"}`.
    public var events: String
    /// JSON array of `{"trace_id", "span_id", "trace_state", "attributes", "flags"}`.
    public var links: String
    public var statusMessage: String?
    public var scopeName: String?
    public var scopeVersion: String?
    /// The resource's attributes (JSON object).
    public var resourceAttributes: String

    public init(
        rowID: Int64, attributes: String = "{}", events: String = "[]", links: String = "[]", statusMessage: String? = nil,
        scopeName: String? = nil, scopeVersion: String? = nil, resourceAttributes: String = "{}"
    ) {
        self.rowID = rowID
        self.attributes = attributes
        self.events = events
        self.links = links
        self.statusMessage = statusMessage
        self.scopeName = scopeName
        self.scopeVersion = scopeVersion
        self.resourceAttributes = resourceAttributes
    }
}
