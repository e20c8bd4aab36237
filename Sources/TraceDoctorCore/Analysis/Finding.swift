// A finding as a person reads it: what is wrong, where, how much time it costs, why tracedoctor
// thinks so, and what usually causes it. `explain` ranks them; `check` counts them.

/// One thing wrong with a trace.
public struct Finding: Sendable, Equatable {
    public var diagnosis: Diagnosis
    public var traceID: TraceID
    /// The span it is about (nil when it is about the whole trace).
    public var span: SpanRef?
    /// How much of the trace's time it concerns (the ranking key).
    public var timeAtStakeNs: Int64
    /// One line: "202 ms unaccounted in chat-api `POST /v1/chat-messages` between +2.19 ms and +204 ms".
    public var summary: String
    public var evidence: [String]
    /// What usually causes it and what to check.
    public var advice: String
    /// For inferred findings (fragments, unpropagated calls): 0…1.
    public var confidence: Double?
    /// False for what is expected (a remote parent at ingress, unless counted).
    public var isDefect: Bool

    /// Everything `analysis` and the cross-trace results say, largest time at stake first.
    static func rank(
        _ analysis: TraceAnalysis, fragmentOf: FragmentTrace?, fragments: [FragmentTrace],
        unpropagatedCalls: [UnpropagatedCall], unpropagatedMessages: [UnpropagatedMessage] = [], options: AnalysisOptions
    ) -> [Finding] {
        let tree = analysis.tree
        let id = analysis.traceID
        var found: [Finding] = []
        func add(
            _ d: Diagnosis, _ span: Int?, _ time: Int64, _ summary: String, _ evidence: [String] = [], _ advice: String,
            confidence: Double? = nil, defect: Bool = true
        ) {
            found.append(
                Finding(
                    diagnosis: d, traceID: id, span: span.map { SpanRef(tree.spans[$0]) }, timeAtStakeNs: time, summary: summary,
                    evidence: evidence, advice: advice, confidence: confidence, isDefect: defect))
        }
        func name(_ i: Int) -> String { "\(tree.spans[i].service) `\(tree.spans[i].name)`" }

        for gap in analysis.gaps.unaccounted {
            add(
                .unaccountedTime, gap.span, gap.lengthNs,
                "\(Units.duration(ns: gap.lengthNs)) unaccounted in \(name(gap.span)) between "
                    + "\(TextFormat.offset(gap.startOffsetNs)) and \(TextFormat.offset(gap.endOffsetNs))",
                ["\(TextFormat.percent(gap.share)) of the span; no child span covers it"],
                "uninstrumented work, blocking I/O or logging, queueing, or async work whose spans were lost: "
                    + "read the logs written in that window")
        }
        for low in analysis.gaps.lowCoverage {
            // At stake: what the root's own unaccounted intervals do not already name.
            let named = analysis.gaps.unaccounted.filter { $0.span == low.root }.reduce(Int64(0)) { $0 + $1.lengthNs }
            add(
                .lowCoverage, low.root, max(0, low.uncoveredNs - named),
                "spans account for \(Units.duration(ns: low.coveredNs)) of \(Units.duration(ns: low.durationNs)) of "
                    + "\(name(low.root)) (\(TextFormat.percent(low.ratio)))",
                named > 0
                    ? [
                        "the unaccounted time above (\(Units.duration(ns: named))) is counted there; the time at stake "
                            + "here is the other \(Units.duration(ns: max(0, low.uncoveredNs - named))), in gaps too small to list"
                    ] : [],
                "most of the request is not instrumented: add spans around the slow steps")
        }
        for group in analysis.missingParents {
            let children = group.children
            let time = children.reduce(Int64(0)) { $0 + analysis.skew.end[$1] - analysis.skew.start[$1] }
            let names = children.map { tree.spans[$0].name }.joined(separator: ", ")
            let count = children.count == 1 ? "1 span" : "\(children.count) spans"
            if group.isRemote {
                add(
                    .remoteParentMissing, children[0], time,
                    "\(count) (\(names)) called by a remote parent \(group.parentSpanID.hex) that was not captured", [],
                    "expected where the capture starts; capture the caller's service too to see the whole request",
                    defect: options.includeRemote)
            } else {
                add(
                    .missingParent, children[0], time,
                    "\(count) (\(tree.spans[children[0]].service): \(names)) whose parent \(group.parentSpanID.hex) never arrived",
                    [],
                    "the parent span was dropped, sampled out, never ended or never exported: check that it is ended "
                        + "on every path and that the exporter flushes before exit")
            }
        }
        if let fragment = fragmentOf {
            var summary = "this trace is a fragment: its \(fragment.root.kind.name) root `\(fragment.root.name)` is no entry point"
            if let parent = fragment.suspectedParent {
                summary += "; it started during \(parent.span.service) `\(parent.span.name)` of trace \(TextFormat.shortID(parent.span.traceID))…"
            }
            add(
                .fragmentTrace, tree.index(of: fragment.root.spanID), fragment.durationNs, summary,
                fragment.evidence + (fragment.suspectedParent?.evidence ?? []),
                "work handed to a thread pool, goroutine or task without its context: propagate the context "
                    + "(copy_context, context.WithoutCancel, Context.current().wrap)",
                confidence: fragment.suspectedParent?.confidence)
        }
        for fragment in fragments {
            guard let parent = fragment.suspectedParent else { continue }
            add(
                .fragmentTrace, tree.index(of: parent.span.spanID), fragment.durationNs,
                "work started in \(parent.span.service) `\(parent.span.name)` continued in another trace (fragment "
                    + "\(TextFormat.shortID(fragment.root.traceID))…, `\(fragment.root.name)`, "
                    + "\(Units.duration(ns: fragment.durationNs))): context lost across a thread or task",
                parent.evidence,
                "propagate the context to the thread pool, goroutine or task that runs this work",
                confidence: parent.confidence)
        }
        for call in unpropagatedCalls {
            let here = call.client.traceID == id
            add(
                .unpropagatedCall, tree.index(of: here ? call.client.spanID : call.callee.spanID), 0,
                here
                    ? "call `\(call.client.name)` to \(call.callee.service) continued in trace "
                        + "\(TextFormat.shortID(call.callee.traceID))… (`\(call.callee.name)`): sent without context"
                    : "this trace continues call `\(call.client.name)` of \(call.client.service) in trace "
                        + "\(TextFormat.shortID(call.client.traceID))…: received without context",
                call.evidence,
                "the client did not inject `traceparent` (or the server did not extract it): check the "
                    + "propagators on both sides and any proxy between them",
                confidence: call.confidence)
        }
        for m in unpropagatedMessages {
            guard let c = m.continuation else { continue }
            let here = m.producer.traceID == id
            let delay = m.queueDelayNs.map { " after \(Units.duration(ns: $0)) in queue" } ?? ""
            add(
                .unpropagatedMessage, tree.index(of: here ? m.producer.spanID : c.spanID), here ? m.continuationDurationNs : 0,
                here
                    ? "message `\(m.producer.name)` continued in trace \(TextFormat.shortID(c.traceID))… (`\(c.name)` of "
                        + "\(c.service))\(delay), \(Units.duration(ns: m.continuationDurationNs)) of work: sent without context"
                    : "this trace continues message `\(m.producer.name)` of \(m.producer.service) in trace "
                        + "\(TextFormat.shortID(m.producer.traceID))…\(delay): received without context",
                m.evidence,
                "the producer did not inject the context into the message headers (or the consumer did not extract "
                    + "it): instrument both sides of the queue, or link the consumer's span to the producer's",
                confidence: m.confidence)
        }
        for v in analysis.gaps.violations {
            let adjusted = analysis.skew.shift[v.span]
            let host = tree.spans[v.span].process.host ?? "?"
            let summary: String
            if v.acrossHosts && adjusted != 0 {
                summary = "\(host)'s clock is ~\(Units.duration(ns: Int64(adjusted.magnitude))) "
                    + (adjusted < 0 ? "ahead" : "behind") + " of \(tree.spans[v.parent].process.host ?? "?") (adjusted)"
            } else {
                summary = "\(name(v.span)) " + (v.diagnosis == .childBeforeParent ? "starts" : "ends")
                    + " \(Units.duration(ns: v.amountNs)) " + (v.diagnosis == .childBeforeParent ? "before" : "after")
                    + " its parent \(name(v.parent))"
            }
            add(
                v.diagnosis, v.span, v.amountNs, summary, analysis.notes(for: v.span),
                v.acrossHosts
                    ? "clock skew between hosts: check NTP/chrony on both"
                    : "on one host this is work outliving its parent (async, fire-and-forget) or a span ended late")
        }
        for cut in tree.cycles {
            add(.cycle, cut.span, 0, cut.message, [], "a span names a descendant as its parent: an ID generation bug")
        }
        for duplicate in tree.duplicates {
            add(
                .duplicateSpanID, duplicate.spans[0], 0,
                "\(duplicate.spans.count) different spans share span ID \(duplicate.spanID.hex)",
                duplicate.spans.map { tree.spans[$0].label }, "span IDs generated without enough randomness, or two dumps merged")
        }
        if analysis.hasMultipleRoots {
            add(
                .multipleRoots, nil, 0, "\(tree.roots.count) roots: " + tree.roots.map(name).joined(separator: ", "), [],
                "spans started without a parent in one trace ID: a context created by hand, or a trace ID reused")
        }
        return found.enumerated().sorted { a, b in
            if a.element.isDefect != b.element.isDefect { return a.element.isDefect }
            if a.element.timeAtStakeNs != b.element.timeAtStakeNs { return a.element.timeAtStakeNs > b.element.timeAtStakeNs }
            return a.offset < b.offset
        }.map(\.element)
    }
}
