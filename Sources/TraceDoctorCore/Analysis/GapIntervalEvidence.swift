// `gaps`: each unaccounted interval with the log intervals that overlap it — those whose lines carry
// the gap's trace ID, joined it by a correlation key (`--link-key`), or ran in the gap's service
// during it without a trace ID. Measured on the recorded clock (`explain` also applies the span's
// clock-skew shift); an interval as long as the span itself is the span's own work, not evidence.

public enum GapIntervalEvidence {
    /// At most this many gaps (the largest) are looked up: one indexed query each (an interval that
    /// started more than the span's duration before the gap would cover the span whole: not evidence).
    public static let gapLimit = 2_000

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
            let candidates = try store.logIntervals(
                trace: gap.span.traceID, rows: rowsOfTrace[gap.span.traceID] ?? [], windows: [(gap.span.service, from, to)],
                longestNs: gap.spanDurationNs)
            var overlaps: [DiagnosisReport.IntervalOverlap] = []
            var pieces: [Gaps.Interval] = []
            for interval in candidates {
                guard let start = interval.startNs else { continue }
                let end = interval.endNs ?? spanEnd
                if let id = interval.traceID, !ExplanationBuilder.names(id, gap.span.traceID) { continue }
                let overSpan = min(end, spanEnd) - max(start, gap.spanStartNs)
                if gap.spanDurationNs > 0 && Double(overSpan) >= 0.9 * Double(gap.spanDurationNs) { continue }
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
