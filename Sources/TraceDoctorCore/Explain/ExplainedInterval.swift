// A log interval (`log_interval`) as `explain` shows it: under the span it ran in, on that span's
// adjusted clock, with how it joined the trace. Never a span: evidence for a gap.

/// One log interval of an explanation.
public struct ExplainedInterval: Sendable {
    /// How the interval's lines join the trace.
    public enum Join: Sendable, Equatable {
        /// A line of it carries the trace ID.
        case traceID
        /// A line of it joined by a correlation key (`--link-key`).
        case key(String)
        /// None does: it ran in a service of the trace during one of its gaps.
        case time

        public var name: String {
            switch self {
            case .traceID: "trace_id"
            case .key: "key"
            case .time: "time"
            }
        }

        public var label: String {
            switch self {
            case .traceID: "trace ID"
            case .key(let field): "key \(field)"
            case .time: "time (guess)"
            }
        }
    }

    public var interval: LogInterval
    public var join: Join
    /// On the adjusted clock (the shift of the span of its service it is placed under); nil for an
    /// end without a start. An unfinished interval runs to the trace's end.
    public var startNs: Int64?
    public var endNs: Int64
    /// What the clock-skew adjustment added (the span's shift, when they share a service).
    public var shiftNs: Int64
    /// The node it is shown under (nil: none of the trace's spans).
    public var node: Int?

    public var isUnfinished: Bool { interval.kind == .unfinished }
    public var durationNs: Int64? { startNs.map { endNs - $0 } }
}

/// A log interval's share of a gap.
public struct GapEvidence: Sendable, Equatable {
    /// Index into `Explanation.intervals`.
    public var interval: Int
    /// How much of the gap it covers.
    public var overlapNs: Int64
}

extension Explanation {
    /// What a gap's log intervals say about it, for a person: "251 ms unaccounted; 240 ms of it is
    /// `node llm-1 completed` in worker's logs (joined by key execution_id); the span is still
    /// missing". Nil when no interval overlaps it.
    public func intervalSentence(_ gap: ExplainedGap) -> String? {
        guard let first = gap.evidence.first else { return nil }
        var text = Units.duration(ns: gap.lengthNs) + " unaccounted; " + Units.duration(ns: gap.coveredByIntervalsNs) + " of it is "
        func describe(_ evidence: GapEvidence) -> String {
            let interval = intervals[evidence.interval]
            var s = "`\(interval.interval.label)`"
            if gap.evidence.count > 1 { s += " (" + Units.duration(ns: evidence.overlapNs) + ")" }
            return s
        }
        if gap.evidence.count == 1 {
            let interval = intervals[first.interval]
            text += describe(first) + " in \(interval.interval.service)'s logs (" + joinPhrase(interval) + ")"
        } else {
            let shown = gap.evidence.prefix(3).map(describe).joined(separator: ", ")
            let more = gap.evidence.count > 3 ? " and \(gap.evidence.count - 3) more" : ""
            let services = Set(gap.evidence.map { intervals[$0.interval].interval.service }).sorted().joined(separator: ", ")
            text += Units.plural(gap.evidence.count, "log interval") + " of " + services + ": " + shown + more
        }
        return text + "; no span covers it: the log shows the work, a span for it is still missing"
    }

    func joinPhrase(_ interval: ExplainedInterval) -> String {
        var text: String
        switch interval.join {
        case .traceID: text = "its lines carry the trace ID"
        case .key(let field): text = "joined by key \(field)"
        case .time: text = "no trace ID: guessed by service and time"
        }
        if interval.isUnfinished { text += "; started, never ended in the capture" }
        if interval.shiftNs != 0 { text += "; on the span's adjusted clock" }
        return text
    }
}
