// The quality metrics of a capture (SPEC: `stats`, `check`): how many traces are whole, how many
// parent links resolve, how much of each root is covered, how many logs join a span, how often
// timestamps contradict the tree — and how often each diagnosis was found.

/// Quality metrics of a set of traces. Shares are 0…1, nil when there is nothing to measure.
public struct Quality: Sendable, Equatable {
    /// Log lines, as far as they join the traces.
    public struct LogLinkage: Sendable, Equatable {
        public var total = 0
        /// Lines carrying a trace ID.
        public var withTraceID = 0
        /// Lines whose trace and span IDs name a stored span.
        public var linkedToSpan = 0
        /// `log_dangling`: lines whose trace ID matches no stored trace.
        public var dangling = 0
        /// `log_unlinked`: lines without a trace ID written while a span of their service was running
        /// (and not joined by a correlation key).
        public var unlinked = 0
        /// Lines without a trace ID joined to a trace by a correlation key (`--link-key`).
        public var joinedByKey = 0
        /// Lines without a trace ID whose key value is on several traces (not joined).
        public var ambiguousKey = 0

        public init() {}

        /// Share of all lines linked to a span.
        public var linkage: Double? { total > 0 ? Double(linkedToSpan) / Double(total) : nil }

        /// Lines whose trace ID names a stored trace (with or without a span).
        public var joinedByTraceID: Int { withTraceID - dangling }
        /// …of which no span: the trace ID only.
        public var traceIDOnly: Int { joinedByTraceID - linkedToSpan }
        /// Lines no ID joins (no trace ID, not `log_unlinked` either).
        public var notJoined: Int { total - withTraceID - joinedByKey - unlinked }

        /// Share of all lines joined by trace ID.
        public var traceIDLinkage: Double? { total > 0 ? Double(joinedByTraceID) / Double(total) : nil }
    }

    public var traces = 0
    public var spans = 0
    /// Traces with one root, no missing parent, not a fragment, no fragment or unpropagated call
    /// split off them.
    public var completeTraces = 0
    /// Spans that should have a parent in their trace: every span with a parent ID (a missing
    /// remote parent only with `--include-remote`), plus the roots of fragments and of unpropagated
    /// calls' continuations, which lost theirs.
    public var spansExpectingParent = 0
    /// …of which the parent is in the trace.
    public var spansWithParent = 0
    /// Coverage of each root with a duration, sorted ascending (for the median and p10).
    public var rootCoverages: [Double] = []
    /// Set by a source that ranks most roots' coverage where the spans are (`stats --source`): the
    /// number of roots with a duration and the median and 10th percentile over all of them, which
    /// `rootCoverages` (the roots read) then does not decide.
    public var rankedCoverage: RankedCoverage?

    public struct RankedCoverage: Sendable, Equatable {
        public var count: Int
        public var median: Double?
        public var p10: Double?

        public init(count: Int, median: Double?, p10: Double?) {
            self.count = count
            self.median = median
            self.p10 = p10
        }
    }
    public var timingViolations = 0
    /// Children outliving their parent as asynchronous work (messaging), not counted as violations.
    public var asynchronousChildren = 0
    /// Traces whose root links to a span of the capture (continued deliberately; counted complete).
    public var tracesContinuedByLink = 0
    /// Span links whose target is not in the capture.
    public var uncapturedLinks = 0
    /// Asynchronous hand-offs: PRODUCER spans (and CLIENT spans with `messaging.*` attributes).
    public var asyncHandoffs = 0
    /// …whose context survived: a CONSUMER child in their trace, or a span of another trace links them.
    public var asyncHandoffsWithContext = 0
    /// …without it, and with a continuation that queue order alone could not single out among
    /// several (ambiguous: not linked, not counted as `unpropagated_message`).
    public var ambiguousHandoffs = 0
    public var logs = LogLinkage()
    /// Findings per diagnosis. Counted: missing_parent and remote_parent_missing = orphan spans;
    /// duplicate_span_id = shared IDs; cycle = links cut; multiple_roots, fragment_trace = traces;
    /// unaccounted_time = intervals; low_coverage = roots; the rest = occurrences.
    public var counts: [Diagnosis: Int] = [:]

    public init() {}

    public var traceCompleteness: Double? { traces > 0 ? Double(completeTraces) / Double(traces) : nil }
    public var parentLinkage: Double? {
        spansExpectingParent > 0 ? Double(spansWithParent) / Double(spansExpectingParent) : nil
    }
    public var coverageMedian: Double? { rankedCoverage.map(\.median) ?? Self.percentile(rootCoverages, 0.5) }
    public var coverageP10: Double? { rankedCoverage.map(\.p10) ?? Self.percentile(rootCoverages, 0.1) }
    /// Roots with a duration (those `coverageMedian` and `coverageP10` are over).
    public var rootsWithCoverage: Int { rankedCoverage?.count ?? rootCoverages.count }
    public var logLinkage: Double? { logs.linkage }
    /// Share of asynchronous hand-offs whose context survived; nil without any.
    public var asyncContextSurvival: Double? {
        asyncHandoffs > 0 ? Double(asyncHandoffsWithContext) / Double(asyncHandoffs) : nil
    }
    public var timingViolationsPer1000Spans: Double { spans > 0 ? Double(timingViolations) * 1000 / Double(spans) : 0 }

    public func count(_ diagnosis: Diagnosis) -> Int { counts[diagnosis] ?? 0 }

    /// Nearest-rank percentile of sorted values (the value at rank ⌈p·n⌉).
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
