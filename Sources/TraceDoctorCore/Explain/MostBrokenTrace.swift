// "Show me the worst one": the trace with the most kinds of defect, counting what other traces
// say about it (a fragment split off it, a call it sent without context), then the most
// unaccounted time. What `explain --most-broken` and `make demo` open.

/// Picks the most broken trace of a diagnosis run.
public enum MostBrokenTrace {
    /// The defect kinds found in each trace, including cross-trace ones on both sides.
    public static func defects(in report: DiagnosisReport) -> [TraceID: Set<Diagnosis>] {
        var kinds: [TraceID: Set<Diagnosis>] = [:]
        let counted = { (d: Diagnosis) in d.isDefectByDefault || report.options.includeRemote }
        for trace in report.traces {
            kinds[trace.traceID] = Set(trace.diagnoses.filter { $0.value > 0 && counted($0.key) }.map(\.key))
        }
        for fragment in report.fragments {
            kinds[fragment.root.traceID, default: []].insert(.fragmentTrace)
            if let parent = fragment.suspectedParent { kinds[parent.span.traceID, default: []].insert(.fragmentTrace) }
        }
        for call in report.unpropagatedCalls {
            kinds[call.client.traceID, default: []].insert(.unpropagatedCall)
            kinds[call.callee.traceID, default: []].insert(.unpropagatedCall)
        }
        return kinds
    }

    /// The trace with the most defect kinds; ties go to more findings, then more unaccounted time,
    /// then the longer trace, then the smaller ID. Nil when no trace has a defect.
    public static func pick(_ report: DiagnosisReport) -> TraceID? {
        let kinds = defects(in: report)
        var best: (key: (Int, Int, Int64, Int64), id: TraceID)?
        for trace in report.traces {
            let found = kinds[trace.traceID] ?? []
            guard !found.isEmpty else { continue }
            let findings = trace.diagnoses.filter { found.contains($0.key) }.reduce(0) { $0 + $1.value }
            let key = (found.count, findings, trace.unaccountedNs, trace.durationNs)
            if let current = best, current.key > key || (current.key == key && current.id < trace.traceID) { continue }
            best = (key, trace.traceID)
        }
        return best?.id
    }
}
