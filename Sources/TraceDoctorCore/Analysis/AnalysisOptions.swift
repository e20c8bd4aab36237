// The thresholds every diagnosis reads, with the defaults the commands document.

/// What counts as a finding.
public struct AnalysisOptions: Sendable, Equatable {
    /// `unaccounted_time`: an uncovered interval counts when it is at least this long…
    public var minGapNs: Int64 = 10_000_000
    /// …and at least this share of its span (0.1 = 10%).
    public var minGapShare: Double = 0.10
    /// `low_coverage`: a root whose descendants cover less than this share of it…
    public var minCoverage: Double = 0.5
    /// Clock skew: the largest shift applied; a larger calculated shift is reported, not applied.
    /// 0 disables adjustment (every needed shift is then reported as "disabled").
    public var maxSkewNs: Int64 = 1_000_000_000
    /// Count `remote_parent_missing` as a defect (in quality metrics and `--fail-on missing_parent`).
    public var includeRemote = false

    public init() {}

    public init(
        minGapNs: Int64 = 10_000_000, minGapShare: Double = 0.10, minCoverage: Double = 0.5,
        maxSkewNs: Int64 = 1_000_000_000, includeRemote: Bool = false
    ) {
        self.minGapNs = minGapNs
        self.minGapShare = minGapShare
        self.minCoverage = minCoverage
        self.maxSkewNs = maxSkewNs
        self.includeRemote = includeRemote
    }

    /// Whether an uncovered interval of `length` in a span of `duration` is `unaccounted_time`.
    @inline(__always)
    public func isGap(length: Int64, spanDuration: Int64) -> Bool {
        length > 0 && length >= minGapNs && Double(length) >= minGapShare * Double(spanDuration)
    }
}
