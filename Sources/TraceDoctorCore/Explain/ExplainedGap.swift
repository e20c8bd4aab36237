// An `unaccounted_time` interval as `explain` shows it: where it is, which finding names it, and
// the log lines written during it — often the explanation of the missing time.

/// A gap inside a span, on the adjusted clock.
public struct ExplainedGap: Sendable, Equatable {
    public var startNs: Int64
    public var endNs: Int64
    /// The start of the span it is in (offsets are from there).
    public var spanStartNs: Int64
    public var spanDurationNs: Int64
    /// The finding that reports it (index into `Explanation.findings`), if any.
    public var finding: Int?
    /// Log lines that may have been written during it, by time (indices into `Explanation.logs`).
    public var logs: [Int] = []
    /// The log intervals that overlap it, most overlap first.
    public var evidence: [GapEvidence] = []
    /// How much of it the log intervals cover together.
    public var coveredByIntervalsNs: Int64 = 0

    public var lengthNs: Int64 { endNs - startNs }
    public var startOffsetNs: Int64 { startNs - spanStartNs }
    public var endOffsetNs: Int64 { endNs - spanStartNs }
    public var share: Double { spanDurationNs > 0 ? Double(lengthNs) / Double(spanDurationNs) : 0 }
}
