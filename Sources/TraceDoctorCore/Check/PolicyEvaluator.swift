// Holds a diagnosis report against a policy: one `RuleResult` per rule, in the order of
// `CheckRule`, with the worst example traces of each rule that did not pass. This file has the
// rules about lost context; PolicyEvaluator+Roots.swift those about time, logs and names.

/// Evaluates the rules of a policy.
public struct PolicyEvaluator {
    let policy: Policy
    let report: DiagnosisReport
    /// Trace ID → position in `report.traces`.
    let traceIndex: [TraceID: Int]

    public init(policy: Policy, report: DiagnosisReport) {
        self.policy = policy
        self.report = report
        var index: [TraceID: Int] = [:]
        index.reserveCapacity(report.traces.count)
        for (i, t) in report.traces.enumerated() where index[t.traceID] == nil { index[t.traceID] = i }
        traceIndex = index
    }

    /// Every rule of the policy (not the baseline comparisons), in `CheckRule` order.
    public func evaluate() -> [RuleResult] {
        [
            traceCompleteness(), parentLinkage(), orphanShare(), fragmentTrace(), unpropagatedCall(), unpropagatedMessage(),
            remoteParentMissing(),
            unaccountedShare(), coverage(), timingViolations(), logLinkage(),
            required(.requiredServices, policy.requiredServices, present: presentServices, what: "service"),
            required(.requiredRootOperations, policy.requiredRootOperations, present: presentRootOperations, what: "root operation"),
        ].map(finish)
    }

    /// Applies `off`, the policy line, and drops the examples of a rule that passed.
    private func finish(_ result: RuleResult) -> RuleResult {
        var r = result
        r.line = policy.lines[r.rule]
        if r.severity == .off {
            r.status = .skipped
            r.message = "off in the policy"
        }
        if r.status == .pass || r.status == .skipped {
            r.examples = []
            if r.status == .pass { r.details = [] }
        }
        return r
    }

    // MARK: Lost context

    func traceCompleteness() -> RuleResult {
        let q = report.quality
        let rule = policy.traceCompleteness
        guard let value = q.traceCompleteness else {
            return skipped(.traceCompleteness, rule.severity, threshold: "≥ " + pct(rule.min), "no traces")
        }
        let violated = value < rule.min
        var result = RuleResult(
            rule: .traceCompleteness, severity: rule.severity, status: RuleResult.status(violated: violated, severity: rule.severity),
            threshold: "≥ " + pct(rule.min), actual: pct(value) + " (\(q.completeTraces) of \(q.traces) traces)",
            thresholdValue: rule.min, actualValue: value)
        guard violated else { return result }
        let incomplete = incompleteTraces()
        result.message = "\(q.traces - q.completeTraces) of \(q.traces) traces are incomplete"
        var counts: [Reason.Kind: Int] = [:]
        for reasons in incomplete.values { for r in Set(reasons.map(\.kind)) { counts[r, default: 0] += 1 } }
        result.details = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            .map { $0.key.describe(count: $0.value) }
        let worst = incomplete.sorted { a, b in
            let da = trace(a.key)?.durationNs ?? 0
            let db = trace(b.key)?.durationNs ?? 0
            if a.value.count != b.value.count { return a.value.count > b.value.count }
            return da != db ? da > db : a.key < b.key
        }
        result.examples = worst.prefix(policy.examples).map { id, reasons in
            RuleResult.Example(traceID: id, summary: label(id) + ": " + reasons.map(\.text).joined(separator: "; "))
        }
        return result
    }

    func parentLinkage() -> RuleResult {
        let q = report.quality
        let rule = policy.parentLinkage
        guard let value = q.parentLinkage else {
            return skipped(.parentLinkage, rule.severity, threshold: "≥ " + pct(rule.min), "no span expects a parent")
        }
        let violated = value < rule.min
        var result = RuleResult(
            rule: .parentLinkage, severity: rule.severity, status: RuleResult.status(violated: violated, severity: rule.severity),
            threshold: "≥ " + pct(rule.min), actual: pct(value) + " (\(q.spansWithParent) of \(q.spansExpectingParent) spans)",
            thresholdValue: rule.min, actualValue: value)
        guard violated else { return result }
        let lost = q.spansExpectingParent - q.spansWithParent
        result.message = "\(lost) of " + Units.plural(q.spansExpectingParent, "span") + " that should have a parent lack it"
        result.details = orphanDetails(report.orphans.signatures)
        if !report.fragments.isEmpty {
            let n = report.fragments.count
            result.details.append(
                Units.plural(n, "fragment root") + " without the parent " + (n == 1 ? "it" : "they") + " ran under (fragment_trace)")
        }
        if !report.unpropagatedCalls.isEmpty {
            result.details.append(
                Units.plural(report.unpropagatedCalls.count, "callee root") + " without the call it answers (unpropagated_call)")
        }
        if !report.unpropagatedMessages.isEmpty {
            result.details.append(
                Units.plural(report.unpropagatedMessages.count, "consumer root")
                    + " without the message it continues (unpropagated_message)")
        }
        result.examples = orphanExamples() + fragmentExamples(report.fragments)
        result.examples = Array(result.examples.prefix(policy.examples))
        return result
    }

    func orphanShare() -> RuleResult {
        let q = report.quality
        let rule = policy.orphanShare
        let orphans = q.count(.missingParent)
        guard q.spans > 0 else { return skipped(.orphanShare, rule.severity, threshold: "≤ " + pct(rule.max), "no spans") }
        let value = Double(orphans) / Double(q.spans)
        let violated = value > rule.max
        var result = RuleResult(
            rule: .orphanShare, severity: rule.severity, status: RuleResult.status(violated: violated, severity: rule.severity),
            threshold: "≤ " + pct(rule.max), actual: pct(value) + " (\(orphans) of \(q.spans) spans)", thresholdValue: rule.max,
            actualValue: value)
        guard violated else { return result }
        result.message = Units.plural(orphans, "span") + " name a parent that is not in the trace (missing_parent)"
        result.details = orphanDetails(report.orphans.signatures)
        result.examples = Array(orphanExamples().prefix(policy.examples))
        return result
    }

    func fragmentTrace() -> RuleResult {
        let rule = policy.fragmentTrace
        let counted = report.fragments.filter { rule.counts(service: $0.root.service, operation: $0.root.name) }
        let waived = report.fragments.count - counted.count
        var result = RuleResult(
            rule: .fragmentTrace, severity: rule.severity,
            status: RuleResult.status(violated: !counted.isEmpty, severity: rule.severity), threshold: allowanceText(rule),
            actual: counted.isEmpty
                ? (waived > 0 ? "0 (\(waived) allowed)" : "0")
                : Units.plural(counted.count, "fragment trace") + " from " + Units.plural(sourceCount(counted), "source"),
            thresholdValue: rule.allowed ? nil : 0, actualValue: Double(counted.count))
        guard !counted.isEmpty else { return result }
        var sources: [String: (count: Int, parents: [String: Int], confidence: Double)] = [:]
        var order: [String] = []
        for f in counted {
            let key = "\(f.root.service) `\(f.root.name)`"
            if sources[key] == nil {
                order.append(key)
                sources[key] = (0, [:], 0)
            }
            sources[key]!.count += 1
            if let p = f.suspectedParent {
                sources[key]!.parents["\(p.span.service) `\(p.span.name)`", default: 0] += 1
                sources[key]!.confidence = max(sources[key]!.confidence, p.confidence)
            }
        }
        result.message =
            "\(counted.count) \(counted.count == 1 ? "trace" : "traces") split off another trace (lost context): "
            + order.prefix(3).joined(separator: ", ")
        result.details = order.map { key in
            let s = sources[key]!
            var line = "fragment_trace from \(key): " + Units.plural(s.count, "trace")
            if let parent = s.parents.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) {
                line += ", started inside \(parent.key) (confidence up to \(TextFormat.confidence(s.confidence)))"
            } else {
                line += ", no suspected parent"
            }
            return line
        }
        if waived > 0 { result.details.append("\(waived) more allowed by the policy's allow-list") }
        result.examples = Array(fragmentExamples(counted).prefix(policy.examples))
        return result
    }

    func unpropagatedCall() -> RuleResult {
        let rule = policy.unpropagatedCall
        let counted = report.unpropagatedCalls.filter { rule.counts(service: $0.client.service, operation: $0.client.name) }
        let waived = report.unpropagatedCalls.count - counted.count
        var result = RuleResult(
            rule: .unpropagatedCall, severity: rule.severity,
            status: RuleResult.status(violated: !counted.isEmpty, severity: rule.severity), threshold: allowanceText(rule),
            actual: counted.isEmpty ? (waived > 0 ? "0 (\(waived) allowed)" : "0") : Units.plural(counted.count, "call"),
            thresholdValue: rule.allowed ? nil : 0, actualValue: Double(counted.count))
        guard !counted.isEmpty else { return result }
        var groups: [String: Int] = [:]
        var order: [String] = []
        for c in counted {
            let key = "\(c.client.service) `\(c.client.name)` → \(c.callee.service)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: 0] += 1
        }
        result.message = Units.plural(counted.count, "call") + " sent without trace context: " + order.prefix(3).joined(separator: ", ")
        result.details = order.map { "unpropagated_call from \($0): " + Units.plural(groups[$0]!, "call") }
        if waived > 0 { result.details.append("\(waived) more allowed by the policy's allow-list") }
        result.examples = counted.sorted { $0.confidence > $1.confidence }.prefix(policy.examples).map { c in
            RuleResult.Example(
                traceID: c.client.traceID,
                summary: "\(c.client.service) `\(c.client.name)` called \(c.callee.service), which started trace "
                    + "\(TextFormat.shortID(c.callee.traceID))… (`\(c.callee.name)`), confidence \(TextFormat.confidence(c.confidence))")
        }
        return result
    }

    func unpropagatedMessage() -> RuleResult {
        let rule = policy.unpropagatedMessage
        let counted = report.unpropagatedMessages.filter {
            rule.counts(service: $0.producer.service, operation: $0.producer.name)
        }
        let waived = report.unpropagatedMessages.count - counted.count
        var result = RuleResult(
            rule: .unpropagatedMessage, severity: rule.severity,
            status: RuleResult.status(violated: !counted.isEmpty, severity: rule.severity), threshold: allowanceText(rule),
            actual: counted.isEmpty ? (waived > 0 ? "0 (\(waived) allowed)" : "0") : Units.plural(counted.count, "message"),
            thresholdValue: rule.allowed ? nil : 0, actualValue: Double(counted.count))
        guard !counted.isEmpty else { return result }
        var groups: [String: Int] = [:]
        var order: [String] = []
        for m in counted {
            let key = "\(m.producer.service) `\(m.producer.name)` → \(m.continuation?.service ?? "?")"
            if groups[key] == nil { order.append(key) }
            groups[key, default: 0] += 1
        }
        result.message =
            Units.plural(counted.count, "message") + " sent without trace context: " + order.prefix(3).joined(separator: ", ")
        result.details = order.map { "unpropagated_message from \($0): " + Units.plural(groups[$0]!, "message") }
        if waived > 0 { result.details.append("\(waived) more allowed by the policy's allow-list") }
        result.examples = counted.sorted { $0.confidence > $1.confidence }.prefix(policy.examples).map { m in
            RuleResult.Example(
                traceID: m.producer.traceID,
                summary: "\(m.producer.service) `\(m.producer.name)` sent a message whose consumer started trace "
                    + "\(TextFormat.shortID(m.continuation!.traceID))… (`\(m.continuation!.name)`) after "
                    + TextFormat.duration(m.queueDelayNs ?? 0) + " in queue, confidence \(TextFormat.confidence(m.confidence))")
        }
        return result
    }

    func remoteParentMissing() -> RuleResult {
        let rule = policy.remoteParentMissing
        let groups = report.orphans.remoteGroups
        let total = groups.reduce(0) { $0 + $1.children.count }
        let counted = groups.filter { g in g.children.contains { rule.counts(service: $0.service, operation: $0.name) } }
        let countedSpans = counted.reduce(0) { sum, g in
            sum + g.children.filter { rule.counts(service: $0.service, operation: $0.name) }.count
        }
        var result = RuleResult(
            rule: .remoteParentMissing, severity: rule.severity,
            status: RuleResult.status(violated: countedSpans > 0, severity: rule.severity), threshold: allowanceText(rule),
            actual: rule.allowed ? Units.plural(total, "span") + " (allowed)" : Units.plural(countedSpans, "span"),
            thresholdValue: rule.allowed ? nil : 0, actualValue: Double(rule.allowed ? total : countedSpans))
        guard countedSpans > 0 else { return result }
        result.message = Units.plural(countedSpans, "ingress span") + " called by a remote parent that is not in the capture"
        let counts = Dictionary(grouping: counted.flatMap(\.children), by: { "\($0.service) `\($0.name)`" }).mapValues(\.count)
        result.details = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5).map {
            "remote_parent_missing in \($0.key): " + Units.plural($0.value, "span")
        }
        result.examples = counted.prefix(policy.examples).map { g in
            RuleResult.Example(
                traceID: g.traceID,
                summary: "\(g.children[0].service) `\(g.children[0].name)` was called by \(g.parentSpanID.hex), not captured")
        }
        return result
    }

    // MARK: Shared helpers

    func skipped(_ rule: CheckRule, _ severity: Policy.Severity, threshold: String, _ why: String) -> RuleResult {
        RuleResult(rule: rule, severity: severity, status: .skipped, threshold: threshold, actual: "-", message: why)
    }

    /// To a tenth of a point, so that a value just below its threshold never reads as equal to it.
    func pct(_ share: Double) -> String { TextFormat.percentTenths(share) }

    func allowanceText(_ rule: Policy.Allowance) -> String {
        if rule.allowed { return "allowed" }
        return rule.allow.isEmpty ? "none allowed" : "only \(rule.allow.count) allowed source(s)"
    }

    func sourceCount(_ fragments: [FragmentTrace]) -> Int {
        Set(fragments.map { $0.root.service + "\u{0}" + $0.root.name }).count
    }

    func trace(_ id: TraceID) -> TraceSummary? {
        traceIndex[id].map { report.traces[$0] }
    }

    /// `orders `POST /v1/orders``, or the trace's short ID when it has no root.
    func label(_ id: TraceID) -> String {
        guard let t = trace(id), let name = t.rootName else { return "trace \(TextFormat.shortID(id))…" }
        return "\(t.rootService ?? "?") `\(name)`"
    }

    func orphanDetails(_ signatures: [Orphans.Signature]) -> [String] {
        signatures.prefix(5).map { s in
            "missing_parent in \(s.service) (\(s.operations.joined(separator: ", "))): " + Units.plural(s.orphanSpans, "span")
                + " in " + Units.plural(s.traces, "trace") + "; " + s.cause.explanation
        }
    }

    func orphanExamples() -> [RuleResult.Example] {
        report.traces.filter { $0.orphanCount > 0 }
            .sorted { $0.orphanCount != $1.orphanCount ? $0.orphanCount > $1.orphanCount : $0.traceID < $1.traceID }
            .prefix(policy.examples)
            .map { t in
                let names = report.orphans.groups.filter { $0.traceID == t.traceID }.flatMap(\.children).map(\.name)
                return RuleResult.Example(
                    traceID: t.traceID,
                    summary: label(t.traceID) + ": " + Units.plural(t.orphanCount, "span") + " whose parent never arrived ("
                        + names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", …" : "") + ")")
            }
    }

    func fragmentExamples(_ fragments: [FragmentTrace]) -> [RuleResult.Example] {
        fragments.prefix(policy.examples).map { f in
            var text = "\(f.root.service) `\(f.root.name)` (\(Self.article(f.root.kind.name)), \(Units.duration(ns: f.durationNs)))"
            if let p = f.suspectedParent {
                text += " started inside \(p.span.service) `\(p.span.name)` of trace \(TextFormat.shortID(p.span.traceID))…, "
                    + "confidence \(TextFormat.confidence(p.confidence))"
            } else {
                text += ", no suspected parent"
            }
            return RuleResult.Example(traceID: f.root.traceID, summary: text)
        }
    }

    /// Why a trace is not whole.
    struct Reason {
        enum Kind: String {
            case missingParents, severalRoots, fragment, lostFragment, callOut, callIn

            /// `3 traces have missing parents`.
            func describe(count n: Int) -> String {
                let one = n == 1
                let verb: String
                switch self {
                case .missingParents: verb = one ? "has spans whose parent never arrived" : "have spans whose parent never arrived"
                case .severalRoots: verb = one ? "has several roots" : "have several roots"
                case .fragment: verb = one ? "is a fragment of another trace" : "are fragments of other traces"
                case .lostFragment: verb = "lost work to a fragment trace"
                case .callOut: verb = "sent a call without context"
                case .callIn: verb = one ? "continues a call sent without context" : "continue a call sent without context"
                }
                return Units.plural(n, "trace") + " " + verb
            }
        }
        var kind: Kind
        var text: String
    }

    /// Why each incomplete trace is not whole (the `Quality.completeTraces` definition, read back).
    func incompleteTraces() -> [TraceID: [Reason]] {
        var reasons: [TraceID: [Reason]] = [:]
        for t in report.traces {
            if t.orphanCount > 0 {
                reasons[t.traceID, default: []].append(
                    Reason(kind: .missingParents, text: Units.plural(t.orphanCount, "span") + " whose parent never arrived"))
            }
            if let roots = t.diagnoses[.multipleRoots], roots > 0 {
                reasons[t.traceID, default: []].append(Reason(kind: .severalRoots, text: "several roots"))
            }
        }
        for f in report.fragments {
            reasons[f.root.traceID, default: []].append(
                Reason(kind: .fragment, text: "a fragment: `\(f.root.name)` is \(Self.article(f.root.kind.name)), not an entry point"))
            if let p = f.suspectedParent {
                reasons[p.span.traceID, default: []].append(
                    Reason(
                        kind: .lostFragment,
                        text: "lost `\(f.root.name)` to fragment trace \(TextFormat.shortID(f.root.traceID))… "
                            + "during `\(p.span.name)`"))
            }
        }
        for c in report.unpropagatedCalls {
            reasons[c.client.traceID, default: []].append(
                Reason(kind: .callOut, text: "call `\(c.client.name)` continued in trace \(TextFormat.shortID(c.callee.traceID))…"))
            reasons[c.callee.traceID, default: []].append(
                Reason(kind: .callIn, text: "continues `\(c.client.name)` of trace \(TextFormat.shortID(c.client.traceID))…"))
        }
        return reasons
    }

    /// `an internal root`, `a client root`.
    static func article(_ kind: String) -> String {
        ("aeiou".contains(kind.prefix(1)) ? "an " : "a ") + kind + " root"
    }
}
