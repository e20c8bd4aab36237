// Everything one run of the diagnoses found in a database: per-trace summaries, every finding with
// the spans it names, and the quality metrics. The commands print parts of it.

/// The findings of one run over a set of traces.
public struct DiagnosisReport: Sendable {
    /// An `unaccounted_time` interval.
    public struct Gap: Sendable, Equatable {
        public var span: SpanRef
        public var spanStartNs: Int64
        public var spanDurationNs: Int64
        public var startOffsetNs: Int64
        public var endOffsetNs: Int64
        /// The clock-skew shift of the gap's span (its times above are adjusted; the raw clock is
        /// `spanStartNs - spanShiftNs`).
        public var spanShiftNs: Int64 = 0
        /// The trace's spans that can shift a log interval (`LogIntervalClock.shiftedServices`);
        /// empty when the adjuster shifted nothing in the trace.
        public var clockedSpans: [ClockedSpan] = []
        public var lengthNs: Int64 { endOffsetNs - startOffsetNs }
        public var share: Double { spanDurationNs > 0 ? Double(lengthNs) / Double(spanDurationNs) : 0 }
        /// Log intervals overlapping it (most overlap first), and how much of it they cover together.
        public var logIntervals: [IntervalOverlap] = []
        public var coveredByLogIntervalsNs: Int64 = 0
    }

    /// A log interval's share of a gap (`gaps`).
    public struct IntervalOverlap: Sendable, Equatable {
        public var label: String
        public var service: String
        public var overlapNs: Int64
        /// `trace_id`, `key` or `time`.
        public var join: String
        public var unfinished: Bool
    }

    /// A `low_coverage` root.
    public struct LowCoverage: Sendable, Equatable {
        public var root: SpanRef
        public var durationNs: Int64
        public var coveredNs: Int64
        public var coverage: Double { durationNs > 0 ? Double(coveredNs) / Double(durationNs) : 1 }
    }

    /// A `child_before_parent` or `child_after_parent`.
    public struct TimingViolation: Sendable, Equatable {
        public var diagnosis: Diagnosis
        public var span: SpanRef
        public var parent: SpanRef
        public var amountNs: Int64
        /// Child and parent ran on different hosts: likely clock skew.
        public var likelyClockSkew: Bool
        public var host: String?
        public var parentHost: String?
        /// What the skew adjustment added to the child's timestamps (0 = not adjusted).
        public var adjustedByNs: Int64
    }

    /// A clock-skew shift calculated at a host change (applied unless above `--max-skew`).
    public struct SkewAdjustment: Sendable, Equatable {
        public var span: SpanRef
        public var parent: SpanRef
        public var host: String?
        public var parentHost: String?
        public var deltaNs: Int64
        public var applied: Bool
        /// Spans moved with it (the span and its same-host descendants).
        public var spansShifted: Int
    }

    /// A parent link cut to break a `cycle`.
    public struct Cycle: Sendable, Equatable {
        public var span: SpanRef
        public var formerParent: SpanID
        public var message: String
    }

    /// Different spans sharing one ID (`duplicate_span_id`).
    public struct DuplicateSpanID: Sendable, Equatable {
        public var traceID: TraceID
        public var spanID: SpanID
        public var spans: [SpanRef]
    }

    /// A trace with `multiple_roots`, roots in input order.
    public struct MultipleRoots: Sendable, Equatable {
        public var traceID: TraceID
        public var roots: [SpanRef]
    }

    public var options: AnalysisOptions
    public var traces: [TraceSummary] = []
    public var orphans = Orphans()
    public var fragments: [FragmentTrace] = []
    public var unpropagatedCalls: [UnpropagatedCall] = []
    /// `unpropagated_message`: hand-offs matched to the trace that continued them.
    public var unpropagatedMessages: [UnpropagatedMessage] = []
    /// Hand-offs without a consumer in their trace that several roots could equally continue, with
    /// only the order of a FIFO queue to tell them apart: not linked (no continuation, not a finding).
    public var ambiguousMessages: [UnpropagatedMessage] = []
    /// Hand-offs without a consumer in their trace and no continuation found (not a finding).
    public var unconsumedMessages: [UnpropagatedMessage] = []
    public var cycles: [Cycle] = []
    public var duplicateSpanIDs: [DuplicateSpanID] = []
    public var multipleRoots: [MultipleRoots] = []
    /// Largest first.
    public var gaps: [Gap] = []
    /// Lowest coverage first.
    public var lowCoverage: [LowCoverage] = []
    public var timingViolations: [TimingViolation] = []
    /// Children that outlive their parent as asynchronous (messaging) work: not violations.
    public var asynchronousWork: [TimingViolation] = []
    /// Traces whose root links to spans of the capture: deliberate propagation, not lost context.
    public var linkedContinuations: [LinkedContinuation] = []
    /// Links naming spans the capture does not hold.
    public var uncapturedLinks: [UncapturedLink] = []
    public var skewAdjustments: [SkewAdjustment] = []
    public var quality = Quality()
    /// Traces counted in `quality.traces` that have no summary in `traces`: a source that lists only
    /// what a listing shows (`traces --source clickhouse://…` reads the traces the listing needs).
    public var unlistedTraces = UnlistedTraces()
    /// The root operations of the traces counted in `quality` that have no summary in `traces`, as
    /// `check` weighs them (a ClickHouse source reads only the traces with a finding and measures the
    /// others' roots there). Empty when every trace has a summary.
    public var unreadRoots: [UnreadRoots] = []
    /// Of the services `check`'s policy requires, those with a span in the traces without a summary.
    public var unreadServices: Set<String> = []
    /// How long each phase of the run took (read, traces, across traces, logs), for benchmarks.
    public var phaseSeconds: [(phase: String, seconds: Double)] = []

    public init(options: AnalysisOptions) {
        self.options = options
    }

    /// How many traces have no summary in `traces`, in all and with a span of one service.
    public struct UnlistedTraces: Sendable, Equatable {
        public var all = 0
        /// The service `withService` counts for (a listing's filter), nil for none.
        public var service: String?
        public var withService = 0

        public init(all: Int = 0, service: String? = nil, withService: Int = 0) {
            self.all = all
            self.service = service
            self.withService = withService
        }

        /// Those a listing filtered by `service` (nil: all traces) would match.
        public func matching(_ service: String?) -> Int {
            guard let service else { return all }
            return service == self.service ? withService : 0
        }
    }

    /// The roots of one root operation (service, span name) among traces without a summary: each
    /// such trace has one root that starts first and ends last and no `unaccounted_time`.
    public struct UnreadRoots: Sendable, Equatable {
        public var service: String
        public var operation: String
        public var roots: Int
        /// Roots with a duration (their unaccounted share is 0).
        public var withDuration: Int
        /// Roots with min_gap or more uncovered (those the `coverage` rule weighs), how many of them are
        /// below the rule's limit for this operation, and the lowest coverage among them.
        public var weighed: Int
        public var belowLimit: Int
        public var lowestCoverage: Double?
        /// Nearest-rank median and 10th percentile of the coverage of every root of the operation, these
        /// and those with a summary in `traces` together (nil when none has a duration).
        public var coverageMedian: Double?
        public var coverageP10: Double?

        public init(
            service: String, operation: String, roots: Int, withDuration: Int, weighed: Int, belowLimit: Int,
            lowestCoverage: Double?, coverageMedian: Double?, coverageP10: Double?
        ) {
            self.service = service
            self.operation = operation
            self.roots = roots
            self.withDuration = withDuration
            self.weighed = weighed
            self.belowLimit = belowLimit
            self.lowestCoverage = lowestCoverage
            self.coverageMedian = coverageMedian
            self.coverageP10 = coverageP10
        }
    }

    public var spanCount: Int { quality.spans }
    public var traceCount: Int { quality.traces }

    /// Whether any finding of `diagnosis` was made (the test behind `--fail-on`).
    public func found(_ diagnosis: Diagnosis) -> Bool {
        if diagnosis == .missingParent && options.includeRemote && quality.count(.remoteParentMissing) > 0 {
            return true
        }
        return quality.count(diagnosis) > 0
    }
}
