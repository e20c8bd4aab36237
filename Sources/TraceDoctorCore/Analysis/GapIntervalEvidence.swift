// `gaps`: each unaccounted interval with the log intervals that overlap it — those whose lines carry
// the gap's trace ID, joined it by a correlation key (`--link-key`), or ran in the gap's service
// during it without a trace ID. Measured on the adjusted clock, each interval shifted as `explain`
// places it (`LogIntervalClock`); an interval that wraps the span is the span's own work, not evidence.

public enum GapIntervalEvidence {
    /// At most this many gaps (the largest) are looked up: one indexed query each (an interval that
    /// started more than the span's duration before the gap would cover the span whole: not evidence).
    public static let gapLimit = 2_000

    /// Whether an interval is the span's own work logged (a request's start and end lines): it
    /// wraps the span, starting no later and ending no earlier than the span, give or take 2 % of
    /// it. Work handed off inside the span (a workflow started after the request began) is evidence
    /// even when it fills almost all of it.
    public static func isSpansOwnWork(start: Int64, end: Int64, spanStartNs: Int64, spanDurationNs: Int64) -> Bool {
        guard spanDurationNs > 0 else { return false }
        let slack = spanDurationNs / 50
        return start <= spanStartNs + slack && end >= spanStartNs + spanDurationNs - slack
    }

    public static func attach(to report: inout DiagnosisReport, store: TraceStore, keyJoins: KeyJoins) throws(TraceDoctorError) {
        guard !report.gaps.isEmpty else { return }
        var rowsOfTrace: [TraceID: [Int64]] = [:]
        var keyRows = Set<Int64>()
        for (row, join) in keyJoins.joined {
            rowsOfTrace[join.traceID, default: []].append(row)
            keyRows.insert(row)
        }
        for k in report.gaps.indices.prefix(gapLimit) {
            let gap = report.gaps[k]
            let from = gap.spanStartNs + gap.startOffsetNs
            let to = gap.spanStartNs + gap.endOffsetNs
            let spanEnd = gap.spanStartNs + gap.spanDurationNs
            // The window of lines without a trace ID is on the log host's (raw) clock.
            let candidates = try store.logIntervals(
                trace: gap.span.traceID, rows: rowsOfTrace[gap.span.traceID] ?? [],
                windows: [(gap.span.service, from - gap.spanShiftNs, to - gap.spanShiftNs)], longestNs: gap.spanDurationNs)
            var overlaps: [DiagnosisReport.IntervalOverlap] = []
            var pieces: [Gaps.Interval] = []
            for interval in candidates {
                let shift = LogIntervalClock.shift(
                    service: interval.service, spanID: interval.spanID, rawStart: interval.startNs, rawEnd: interval.endNs,
                    spans: gap.clockedSpans)
                guard let start = interval.startNs.map({ $0 + shift }) else { continue }
                let end = interval.endNs.map { $0 + shift } ?? spanEnd
                if let id = interval.traceID, !ExplanationBuilder.names(id, gap.span.traceID) { continue }
                if isSpansOwnWork(start: start, end: end, spanStartNs: gap.spanStartNs, spanDurationNs: gap.spanDurationNs) { continue }
                let s = max(start, from)
                let e = min(end, to)
                guard e > s else { continue }
                let join =
                    interval.traceID != nil
                    ? "trace_id" : [interval.startRow, interval.endRow].contains { $0.map(keyRows.contains) ?? false } ? "key" : "time"
                overlaps.append(
                    DiagnosisReport.IntervalOverlap(
                        label: interval.label, service: interval.service, overlapNs: e - s, join: join,
                        unfinished: interval.kind == .unfinished))
                pieces.append(Gaps.Interval(start: s, end: e))
            }
            guard !overlaps.isEmpty else { continue }
            var holes: [Gaps.Interval] = []
            Gaps.complement(of: &pieces, within: Gaps.Interval(start: from, end: to), into: &holes)
            report.gaps[k].logIntervals = overlaps.sorted { ($0.overlapNs, $1.label) > ($1.overlapNs, $0.label) }
            report.gaps[k].coveredByLogIntervalsNs = (to - from) - holes.reduce(0) { $0 + $1.length }
        }
    }
}
