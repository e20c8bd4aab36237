// Everything `explain` shows about one trace, in the order it is shown: the header numbers, the
// ranked findings, the tree (with placeholders and attached traces), the critical path and every
// log line placed. The text, JSON and HTML formatters only lay it out.

/// One trace, explained.
public struct Explanation: Sendable {
    /// A stretch of the critical path: `node` was what the trace waited for.
    public struct PathStep: Sendable, Equatable {
        public var node: Int
        public var startNs: Int64
        public var endNs: Int64
    }

    public let diagnosis: TraceDiagnosis
    /// Findings, largest time at stake first (defects before what is expected).
    public let findings: [ExplainedFinding]
    /// The tree in display order (parents before children, children by start).
    public let nodes: [ExplainedSpan]
    /// The nodes at the top of the view, by start.
    public let topLevel: [Int]
    public let attachedTraces: [AttachedTrace]
    /// Every log line read, by time.
    public let logs: [ExplainedLog]
    /// Log intervals of the trace (by start), placed under their spans.
    public internal(set) var intervals: [ExplainedInterval] = []
    /// The critical path, earliest first.
    public let criticalPath: [PathStep]
    /// The trace's extent on the adjusted clock: offsets count from `startNs`.
    public let startNs: Int64
    public let endNs: Int64
    /// The earliest start as recorded (for the header's UTC time).
    public let rawStartNs: Int64
    /// The node of the primary root (nil when the trace has no span).
    public let rootNode: Int?
    /// How much of the primary root its descendants cover.
    public let coverage: Gaps.RootCoverage?
    /// Services with spans in the trace, sorted.
    public let services: [String]
    public let logSelection: ExplainRequest.Logs
    public let options: AnalysisOptions
    /// The trace's lines that name a span sit a constant zone offset away from it (a log written
    /// in local time without an offset, ingested without `--log-timezone`).
    public internal(set) var logClock: LogClockOffset?
    /// How long each step of `Explainer.explain` took (`TRACEDOCTOR_TIMINGS=1` prints them).
    public internal(set) var phaseSeconds: [(phase: String, seconds: Double)] = []

    public var traceID: TraceID { diagnosis.traceID }
    public var analysis: TraceAnalysis { diagnosis.analysis }
    public var spanCount: Int { analysis.tree.count }
    public var durationNs: Int64 { endNs - startNs }
    /// Spans whose clock was shifted.
    public var adjustedSpanCount: Int { analysis.skew.adjustedSpanCount }

    /// The trace's log lines that match no span, by time.
    public var unmatchedLogs: [Int] { logs.indices.filter { logs[$0].placement == .unmatched } }

    /// `ns` as an offset from the trace's start.
    public func offset(_ ns: Int64) -> Int64 { ns - startNs }

    init(
        diagnosis: TraceDiagnosis, findings: [ExplainedFinding], nodes: [ExplainedSpan], topLevel: [Int],
        attachedTraces: [AttachedTrace], logs: [ExplainedLog], criticalPath: [PathStep], startNs: Int64, endNs: Int64,
        rawStartNs: Int64, rootNode: Int?, coverage: Gaps.RootCoverage?, services: [String], logSelection: ExplainRequest.Logs,
        options: AnalysisOptions
    ) {
        self.diagnosis = diagnosis
        self.findings = findings
        self.nodes = nodes
        self.topLevel = topLevel
        self.attachedTraces = attachedTraces
        self.logs = logs
        self.criticalPath = criticalPath
        self.startNs = startNs
        self.endNs = endNs
        self.rawStartNs = rawStartNs
        self.rootNode = rootNode
        self.coverage = coverage
        self.services = services
        self.logSelection = logSelection
        self.options = options
    }
}
