// A ranked finding tied to what `explain` shows: the node it names and, for unaccounted time,
// the gap and the log lines written during it.

/// A finding of an explanation.
public struct ExplainedFinding: Sendable {
    public var finding: Finding
    /// The node of the span it names (nil when it is about the whole trace).
    public var node: Int?
    /// For `unaccounted_time`: the gap (index into the node's `gaps`).
    public var gap: Int?
    /// Log lines written during the gap, by time (indices into `Explanation.logs`).
    public var logs: [Int] = []
    /// For `unaccounted_time`: the log intervals that overlap the gap, most overlap first.
    public var evidence: [GapEvidence] = []
    public var coveredByIntervalsNs: Int64 = 0
}
