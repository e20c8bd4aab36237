// One line of the explained tree: a span of the trace, a placeholder for a parent that never
// arrived, or a span of a trace that split off this one, with its times on the adjusted clock.

/// A node of an explanation's tree.
public struct ExplainedSpan: Sendable {
    /// What the node stands for.
    public enum Role: Sendable, Equatable {
        /// A span of the explained trace.
        case span
        /// The parent its children name, which is not in the trace (`missing_parent`, or a remote
        /// caller that was not captured when `remote`).
        case missingParent(remote: Bool)
        /// A span of attached trace `k` (`Explanation.attachedTraces[k]`): a fragment or a callee.
        case attached(Int)
    }

    public var role: Role
    /// nil for a placeholder.
    public var span: AnalysisSpan?
    /// The span's ID (for a placeholder: the missing parent's).
    public var spanID: SpanID
    /// The span's index in its trace's `TraceTree` (nil for a placeholder).
    public var treeIndex: Int?
    /// 0 at the top of the view.
    public var depth: Int
    public var parent: Int?
    /// Child nodes, by start.
    public var children: [Int] = []
    /// Unix ns on the adjusted clock (a placeholder spans its children).
    public var startNs: Int64
    public var endNs: Int64
    /// Time not covered by any child.
    public var selfTimeNs: Int64
    /// What clock-skew adjustment added to the span's timestamps (0 = not adjusted).
    public var shiftNs: Int64
    public var onCriticalPath: Bool
    /// Notes about the span (times filled in, clock skew, cycles, duplicates).
    public var notes: [String]
    public var details: SpanDetails?
    /// Its `unaccounted_time` intervals, in time order.
    public var gaps: [ExplainedGap] = []
    /// Log lines placed under it (not in a gap), by time: indices into `Explanation.logs`.
    public var logs: [Int] = []
    /// Log intervals placed under it, by start: indices into `Explanation.intervals`.
    public var intervals: [Int] = []
    /// Findings naming it: indices into `Explanation.findings`.
    public var findings: [Int] = []

    public var durationNs: Int64 { endNs - startNs }
    public var isError: Bool { span?.status == .error }
    public var isPlaceholder: Bool {
        if case .missingParent = role { return true }
        return false
    }
    /// The attached trace the node belongs to, if any.
    public var attachedTrace: Int? {
        if case .attached(let k) = role { return k }
        return nil
    }
    public var service: String { span?.service ?? "" }
    public var name: String { span?.name ?? "" }
}
