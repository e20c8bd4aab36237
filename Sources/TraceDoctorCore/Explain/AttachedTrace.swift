// Another trace shown inside the explained one, where it most likely belongs: a fragment under
// its suspected parent (context lost across a thread or task), or the callee of a call sent
// without context under the client span.

/// A trace shown (dimmed) under a span of the explained trace.
public struct AttachedTrace: Sendable {
    /// `fragment_trace` or `unpropagated_call`.
    public var relation: Diagnosis
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
