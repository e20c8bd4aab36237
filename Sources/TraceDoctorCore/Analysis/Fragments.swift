// `fragment_trace`: work handed to a thread pool, goroutine or task without its context becomes
// the root of a new trace. Such a root is not an entry point, and it starts inside a span of the
// same process in another trace: that span is the suspected parent. A span of another fragment of
// the same kind running at the same time in the same process (a sibling task of one worker pool)
// is not a parent: it is chosen only when nothing else was running, and its confidence says so.

/// A trace that is probably a lost piece of another one.
public struct FragmentTrace: Sendable, Equatable {
    /// The span of another trace the fragment most likely belongs under.
    public struct SuspectedParent: Sendable, Equatable {
        public var span: SpanRef
        /// 0…1; see `docs/diagnoses.md` for how it is made up.
        public var confidence: Double
        /// Why this span, in words.
        public var evidence: [String]
        /// The suspected parent's own time (not covered by its children) during the fragment.
        public var ownTimeOverlapNs: Int64
        /// Other spans (in other traces) that also contain the fragment's start.
        public var otherCandidates: Int
    }

    /// The fragment's root span.
    public var root: SpanRef
    /// Where it ran: host, pid or instance as far as known (`SpanProcess.description`), nil if unknown.
    public var process: String?
    public var spanCount: Int
    public var startNs: Int64
    public var durationNs: Int64
    /// nil when no span of the same process contains the fragment's start.
    public var suspectedParent: SuspectedParent?
    /// Why it looks like a fragment (and, without a suspected parent, why none was found).
    public var evidence: [String]

    /// Finds the suspected parent of the fragment rooted at `root` of trace `trace` (an ordinal of `index`).
    /// Also returns the ordinal of the suspected parent's trace. `fragmentKinds` holds the root kind
    /// of every fragment trace, by ordinal: their spans are siblings, not parents, of a fragment
    /// whose root has the same kind.
    static func match(
        root: AnalysisSpan, trace: Int32, spanCount: Int, startNs: Int64, endNs: Int64, index: CrossTraceIndex,
        fragmentKinds: [Int32: SpanKind] = [:]
    ) -> (FragmentTrace, Int32?) {
        let duration = endNs - startNs
        var candidates: [(entry: CrossTraceIndex.Entry, overlap: Int64, sibling: Bool)] = []
        index.spans(of: root.service, compatibleWith: root.process, runningAt: startNs) { entry in
            guard entry.trace != trace else { return }
            candidates.append(
                (
                    entry, index.ownTime(of: entry, overlapping: startNs, max(endNs, startNs + 1)),
                    fragmentKinds[entry.trace] == root.kind
                ))
        }
        let known = root.process.host != nil || root.process.pid != nil || root.process.instanceID != nil
        let place = known ? " on \(root.process.description)" : ""
        var fragment = FragmentTrace(
            root: SpanRef(root), process: known ? root.process.description : nil, spanCount: spanCount, startNs: startNs,
            durationNs: duration, suspectedParent: nil, evidence: [])
        fragment.evidence = ["\(root.kind.name) root: not an entry point, so code in \(root.service) started it"]
        guard !candidates.isEmpty else {
            fragment.evidence.append("no span of \(root.service)\(place) was running then in another trace")
            return (fragment, nil)
        }
        // Prefer a span that can start work (not a CLIENT or PRODUCER call in flight), then one whose own
        // time overlaps the fragment, then the tightest (within a trace: the deepest).
        candidates.sort { a, b in
            if a.sibling != b.sibling { return !a.sibling }
            let ca = Self.canSpawn(a.entry.kind)
            let cb = Self.canSpawn(b.entry.kind)
            if ca != cb { return ca }
            if (a.overlap > 0) != (b.overlap > 0) { return a.overlap > 0 }
            let da = a.entry.end - a.entry.start
            let db = b.entry.end - b.entry.start
            if da != db { return da < db }
            if a.entry.depth != b.entry.depth { return a.entry.depth > b.entry.depth }
            return (a.entry.trace, a.entry.start) < (b.entry.trace, b.entry.start)
        }
        let best = candidates[0]
        let parentProcess = index.processes[Int(best.entry.process)]
        let plausible = candidates.filter {
            $0.sibling == best.sibling && ($0.overlap > 0) == (best.overlap > 0) && Self.canSpawn($0.entry.kind) == Self.canSpawn(best.entry.kind)
        }
        let rivalTraces = Set(plausible.map(\.entry.trace)).count

        var confidence = 0.4
        var evidence: [String] = []
        let shared = parentProcess.sharedIdentity(with: root.process)
        switch shared {
        case 2:
            confidence += 0.2
            evidence.append("same process: \(root.service) on \(root.process.description)")
        case 1:
            confidence += 0.1
            evidence.append("same service and host: \(root.service) on \(root.process.host ?? "?")")
        default:
            evidence.append("same service \(root.service) (host and process unknown)")
        }
        let offset = startNs - best.entry.start
        evidence.append(
            "starts \(Units.duration(ns: offset)) after '\(best.entry.name)' started, while it was running (depth \(best.entry.depth))"
        )
        if !Self.canSpawn(best.entry.kind) {
            confidence -= 0.1
            evidence.append("'\(best.entry.name)' is a \(best.entry.kind.name) call in flight: its caller is the likelier parent")
        }
        if best.overlap > 0 {
            let share = duration > 0 ? min(1, Double(best.overlap) / Double(duration)) : 1
            confidence += 0.3 * share
            evidence.append(
                "'\(best.entry.name)' has no child span for \(Int((share * 100).rounded()))% of the fragment's time "
                    + "(\(Units.duration(ns: best.overlap)))")
        }
        if rivalTraces > 1 {
            confidence /= Double(rivalTraces)
            evidence.append("\(rivalTraces - 1) other trace(s) had an equally plausible span running")
        }
        let siblings = Set(candidates.filter(\.sibling).map(\.entry.trace)).count
        if best.sibling {
            confidence = min(confidence, 0.1)
            evidence.append(
                "'\(best.entry.name)' belongs to another \(root.kind.name) fragment running at the same time in this process: "
                    + "probably a sibling task of the same worker pool, not a parent; nothing else was running")
        } else if siblings > 0 {
            evidence.append("\(siblings) concurrent fragment(s) of the same kind (sibling tasks) were not taken as parents")
        }
        fragment.suspectedParent = SuspectedParent(
            span: SpanRef(
                traceID: index.traceIDs[Int(best.entry.trace)], spanID: best.entry.spanID, name: best.entry.name,
                service: parentProcess.service, kind: best.entry.kind),
            confidence: (confidence * 100).rounded() / 100, evidence: evidence, ownTimeOverlapNs: best.overlap,
            otherCandidates: candidates.count - 1)
        return (fragment, best.entry.trace)
    }

    /// Makes the producer of the message this fragment continues its suspected parent: a queue
    /// hand-off, not a span that happened to be running when the worker started.
    mutating func continueMessage(_ message: UnpropagatedMessage) {
        let others = suspectedParent.map { $0.otherCandidates + 1 } ?? 0
        var evidence = ["continues the message '\(message.producer.name)' sent by \(message.producer.service) (unpropagated_message)"]
        evidence += message.evidence.dropFirst()
        if let previous = suspectedParent {
            evidence.append("instead of '\(previous.span.name)', which was merely running when it started")
        }
        suspectedParent = SuspectedParent(
            span: message.producer, confidence: message.confidence, evidence: evidence, ownTimeOverlapNs: 0,
            otherCandidates: others)
    }

    /// Says that this fragment may continue one of `messages` (an ambiguous hand-off), without
    /// making any of them its suspected parent: queue order alone does not tell which.
    mutating func mayContinue(_ messages: [UnpropagatedMessage]) {
        guard let m = messages.first else { return }
        let services = Set(messages.map(\.producer.service)).sorted().joined(separator: ", ")
        evidence.append(
            "may continue one of \(Units.plural(messages.count, "message")) '\(m.producer.name)' sent by \(services) "
                + "without context; queue order alone cannot tell which (an ambiguous hand-off, not linked)")
    }

    /// Whether a span of this kind runs code that may start work: a CLIENT or PRODUCER span is a
    /// call in flight, whose caller is the one that spawns.
    static func canSpawn(_ kind: SpanKind) -> Bool { kind != .client && kind != .producer }
}
