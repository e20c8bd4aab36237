// One line of `tracedoctor traces`: what a trace is and what is wrong with it, in numbers.

/// The summary of one trace.
public struct TraceSummary: Sendable, Equatable {
    /// How `traces` orders its list.
    public enum Sort: String, Sendable, CaseIterable {
        /// Longest first.
        case duration
        /// Least covered first (traces without a measurable root last).
        case coverage
        /// Most orphans first.
        case orphans
        /// Earliest first.
        case start
    }

    public var traceID: TraceID
    /// The primary root (or, in a trace without a root, its earliest top-level span).
    public var rootService: String?
    public var rootName: String?
    public var rootKind: SpanKind?
    public var startNs: Int64
    public var durationNs: Int64
    public var spanCount: Int
    public var serviceCount: Int
    /// Services with spans in the trace, sorted.
    public var services: [String]
    /// Spans whose parent is missing (`missing_parent`; remote ones only with `--include-remote`).
    public var orphanCount: Int
    /// Coverage of the primary root by its descendants; nil when it has no duration.
    public var coverage: Double?
    /// Sum of the `unaccounted_time` intervals of the trace.
    public var unaccountedNs: Int64
    /// Spans with status ERROR.
    public var errorCount: Int
    /// Findings in this trace, by diagnosis (counted as in `Quality.counts`).
    public var diagnoses: [Diagnosis: Int]

    /// Diagnoses found, in the SPEC's order.
    public var diagnosisNames: [String] { diagnoses.keys.sorted().map(\.name) }

    /// The traces a listing shows: those with a span of `service` (when given), in `sort` order,
    /// at most `limit` (0 = all); also how many matched before the limit, `unlisted` (matching
    /// traces without a summary here, none of which the listing would show) included.
    public static func select(_ traces: [TraceSummary], sort: Sort, service: String?, limit: Int, unlisted: Int = 0)
        -> (shown: [TraceSummary], matching: Int)
    {
        var list = traces
        if let service { list = list.filter { $0.services.contains(service) } }
        list.sort { a, b in
            switch sort {
            case .duration:
                if a.durationNs != b.durationNs { return a.durationNs > b.durationNs }
            case .coverage:
                let ca = a.coverage ?? 2
                let cb = b.coverage ?? 2
                if ca != cb { return ca < cb }
            case .orphans:
                if a.orphanCount != b.orphanCount { return a.orphanCount > b.orphanCount }
            case .start:
                break
            }
            return (a.startNs, a.traceID) < (b.startNs, b.traceID)
        }
        let matching = list.count + unlisted
        if limit > 0 && list.count > limit { list = Array(list.prefix(limit)) }
        return (list, matching)
    }
}
