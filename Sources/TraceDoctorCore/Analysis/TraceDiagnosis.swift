// One trace with everything the diagnoses say about it, including what needs other traces: is it a
// fragment of another trace, did work split off it, did its calls go out without context. What
// `explain` shows and ranks.

/// The diagnosis of one trace.
public struct TraceDiagnosis: Sendable {
    public let analysis: TraceAnalysis
    /// Set when this trace is itself a `fragment_trace` (with its suspected parent, if found).
    public let fragmentOf: FragmentTrace?
    /// Fragments whose suspected parent is a span of this trace.
    public let fragments: [FragmentTrace]
    /// `unpropagated_call`s whose client or callee is in this trace.
    public let unpropagatedCalls: [UnpropagatedCall]
    /// Everything found, largest time at stake first.
    public let findings: [Finding]

    public var traceID: TraceID { analysis.traceID }

    /// Diagnoses the trace `spans` against `neighbours`: the other traces running at the same time
    /// (the cross-trace findings only look there). `options` as for a whole database.
    public init(spans: [AnalysisSpan], neighbours: [[AnalysisSpan]], options: AnalysisOptions) {
        let analysis = TraceAnalysis(spans: spans, options: options)
        self.analysis = analysis
        let index = CrossTraceIndex()
        var all = [analysis]
        for other in neighbours where !other.isEmpty && other[0].traceID != analysis.traceID {
            all.append(TraceAnalysis(spans: other, options: options))
        }
        var calls: [UnpropagatedCall.Call] = []
        var entries: [UnpropagatedCall.Entry] = []
        for a in all {
            let record = TraceRecord(a, options: options)
            let trace = index.add(record)
            for c in record.calls {
                calls.append(UnpropagatedCall.Call(span: c.span, trace: trace, start: c.start, end: c.end))
            }
            for e in record.entries {
                entries.append(
                    UnpropagatedCall.Entry(span: e.span, trace: trace, start: e.start, end: e.end, spanCount: record.spanCount))
            }
        }
        var fragmentOf: FragmentTrace?
        var fragments: [FragmentTrace] = []
        for (ordinal, a) in all.enumerated() {
            guard let root = a.fragmentRoot else { continue }
            let (fragment, parentTrace) = FragmentTrace.match(
                root: a.tree.spans[root], trace: Int32(ordinal), spanCount: a.tree.count, startNs: a.tree.start[root],
                endNs: a.tree.endNs, index: index)
            if ordinal == 0 {
                fragmentOf = fragment
            } else if parentTrace == 0 {
                fragments.append(fragment)
            }
        }
        self.fragmentOf = fragmentOf
        self.fragments = fragments
        unpropagatedCalls = UnpropagatedCall.match(calls: calls, entries: entries, traceIDs: index.traceIDs).filter {
            $0.client.traceID == analysis.traceID || $0.callee.traceID == analysis.traceID
        }
        findings = Finding.rank(
            analysis, fragmentOf: fragmentOf, fragments: fragments, unpropagatedCalls: unpropagatedCalls, options: options)
    }
}
