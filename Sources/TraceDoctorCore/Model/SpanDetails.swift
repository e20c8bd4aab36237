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

/// Span details by row ID, in one array sorted by it: a dictionary of a 100,000-span trace's
/// details would hold 262,144 buckets (three times the memory).
public struct SpanDetailsTable: Sendable {
    private var rows: [SpanDetails]

    /// `details` in any order (kept as they are when already sorted by row ID).
    public init(_ details: [SpanDetails] = []) {
        var sorted = true
        for k in details.indices.dropFirst() where details[k - 1].rowID > details[k].rowID {
            sorted = false
            break
        }
        rows = sorted ? details : details.sorted { $0.rowID < $1.rowID }
    }

    public var count: Int { rows.count }

    /// The details of the span with row ID `rowID`, if read.
    public subscript(rowID: Int64) -> SpanDetails? {
        var low = 0
        var high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if rows[mid].rowID < rowID { low = mid + 1 } else { high = mid }
        }
        return low < rows.count && rows[low].rowID == rowID ? rows[low] : nil
    }
}
