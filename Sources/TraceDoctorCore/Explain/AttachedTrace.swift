// Another trace shown inside the explained one, where it most likely belongs: a fragment under
// its suspected parent (context lost across a thread or task), or the callee of a call sent
// without context under the client span, the trace that continued a message sent without context
// under its producer, or a trace that continues this one by span link under the span it links.

/// A trace shown (dimmed) under a span of the explained trace.
public struct AttachedTrace: Sendable {
    /// `fragment_trace`, `unpropagated_call` or `unpropagated_message` (for a span link: the
    /// diagnosis it is not, see `isLink`).
    public var relation: Diagnosis
    /// A trace that continues this one by span link (deliberate propagation, no defect).
    public var isLink = false
    /// The line that announces it, when the relation has more to say than its name
    /// ("continued in trace 7c9… after 3.1 ms in queue, 158 ms of work").
    public var headline: String?
    public var traceID: TraceID
    /// The node it hangs under (the suspected parent, or the client span).
    public var parentNode: Int
    public var confidence: Double?
    public var evidence: [String]
    public var analysis: TraceAnalysis
    /// Its top-level nodes.
    public var nodes: [Int] = []

    public var spanCount: Int { analysis.tree.count }
}
