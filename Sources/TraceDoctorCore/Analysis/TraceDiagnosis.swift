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
    /// `unpropagated_message`s whose producer or continuation is in this trace.
    public let unpropagatedMessages: [UnpropagatedMessage]
    /// Traces continued by span link, both ways: this trace's roots that link to other traces, and
    /// the roots of other traces that link to spans of this one.
    public let linkedContinuations: [LinkedContinuation]
    /// Everything found, largest time at stake first.
    public let findings: [Finding]

    public var traceID: TraceID { analysis.traceID }

    /// Diagnoses the trace `spans` against `neighbours`: the other traces running at the same time
    /// (the cross-trace findings only look there). `options` as for a whole database.
    public init(
        spans: [AnalysisSpan], neighbours: [[AnalysisSpan]], options: AnalysisOptions,
        messageLogs: [UnpropagatedMessage.MessageLog] = []
    ) {
        let analysis = TraceAnalysis(spans: spans, options: options)
        self.analysis = analysis
        let index = CrossTraceIndex()
        var all = [analysis]
        for other in neighbours where !other.isEmpty && other[0].traceID != analysis.traceID {
            all.append(TraceAnalysis(spans: other, options: options))
        }
        var calls: [UnpropagatedCall.Call] = []
        var entries: [UnpropagatedCall.Entry] = []
        var producers: [UnpropagatedMessage.Producer] = []
        var messageRoots: [UnpropagatedMessage.Candidate] = []
        var consumers: [String: Set<String>] = [:]
        var linkSources: [SpanLinks.TraceSources] = []
        for a in all {
            let record = TraceRecord(a, options: options)
            let trace = index.add(record)
            for c in record.calls {
                if UnpropagatedMessage.isHandoff(c.span) {
                    producers.append(UnpropagatedMessage.Producer(span: c.span, trace: trace, start: c.start, end: c.end))
                    continue
                }
                calls.append(UnpropagatedCall.Call(span: c.span, trace: trace, start: c.start, end: c.end))
            }
            if let m = record.messageRoot {
                messageRoots.append(
                    UnpropagatedMessage.Candidate(span: m.span, trace: trace, start: m.start, end: m.end, spanCount: record.spanCount))
            }
            for (service, destination) in record.consumed { consumers[destination, default: []].insert(service) }
            if !record.linkSources.isEmpty {
                linkSources.append(
                    SpanLinks.TraceSources(
                        trace: trace, sources: record.linkSources, spanCount: record.spanCount, startNs: record.summary.startNs,
                        durationNs: record.summary.durationNs))
            }
            for e in record.entries {
                entries.append(
                    UnpropagatedCall.Entry(span: e.span, trace: trace, start: e.start, end: e.end, spanCount: record.spanCount))
            }
        }
        let links = SpanLinks(linkSources, index: index)
        let traceID = analysis.traceID
        linkedContinuations = links.continuations.filter {
            $0.root.traceID == traceID || $0.linked.contains { $0.traceID == traceID }
        }
        entries.removeAll { links.linkedRootTraces.contains($0.trace) }
        messageRoots.removeAll { links.linkedRootTraces.contains($0.trace) }
        let traceIDs = index.traceIDs
        producers.removeAll { links.targets.contains(SpanLink(traceID: traceIDs[Int($0.trace)], spanID: $0.span.spanID)) }
        calls.removeAll { links.targets.contains(SpanLink(traceID: traceIDs[Int($0.trace)], spanID: $0.span.spanID)) }
        let allMessages = UnpropagatedMessage.match(
            producers: producers, candidates: messageRoots, consumers: consumers, logs: messageLogs, traceIDs: traceIDs)
        let messages = allMessages.filter { m in
            guard let c = m.continuation else { return false }
            return m.producer.traceID == traceID || c.traceID == traceID
        }
        unpropagatedMessages = messages
        // Every neighbour's continuation, so that no fragment falls back to a guess this trace's spans win.
        var continuing: [TraceID: UnpropagatedMessage] = [:]
        for m in allMessages { if let c = m.continuation { continuing[c.traceID] = m } }
        var mayContinue: [TraceID: [UnpropagatedMessage]] = [:]
        for m in allMessages where m.isAmbiguous { for c in m.candidates { mayContinue[c.traceID, default: []].append(m) } }

        var fragmentKinds: [Int32: SpanKind] = [:]
        for (ordinal, a) in all.enumerated() where !links.linkedRootTraces.contains(Int32(ordinal)) {
            if let root = a.fragmentRoot { fragmentKinds[Int32(ordinal)] = a.tree.spans[root].kind }
        }
        var fragmentOf: FragmentTrace?
        var fragments: [FragmentTrace] = []
        for (ordinal, a) in all.enumerated() where !links.linkedRootTraces.contains(Int32(ordinal)) {
            guard let root = a.fragmentRoot else { continue }
            var (fragment, parentTrace) = FragmentTrace.match(
                root: a.tree.spans[root], trace: Int32(ordinal), spanCount: a.tree.count, startNs: a.tree.start[root],
                endNs: a.tree.endNs, index: index, fragmentKinds: fragmentKinds)
            if let message = continuing[a.traceID] {
                fragment.continueMessage(message)
                parentTrace = message.producer.traceID == traceID ? 0 : nil
            } else if let sent = mayContinue[a.traceID] {
                fragment.mayContinue(sent)
            }
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
            analysis, fragmentOf: fragmentOf, fragments: fragments, unpropagatedCalls: unpropagatedCalls,
            unpropagatedMessages: messages, options: options)
    }
}
