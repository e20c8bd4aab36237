// The rules about where the time of each root went (unaccounted share, coverage), about timing
// violations and log linkage, and the names that must appear in a capture.

import Foundation

extension PolicyEvaluator {
    /// One root measured against a per-root limit.
    struct RootMeasure {
        var trace: TraceSummary
        var value: Double
        var limit: Double
    }

    func perRootThreshold(_ rule: Policy.PerRoot, _ sign: String) -> String {
        let overrides = rule.perService.count + rule.perOperation.count
        return "\(sign) " + pct(rule.limit) + " per root" + (overrides > 0 ? " (+\(overrides) overrides)" : "")
    }

    /// Roots without a summary (`DiagnosisReport.unreadRoots`) counted by a rule: of one root
    /// operation, how many it weighs and how many of those violate its limit.
    struct UnreadMeasure {
        var key: String
        var all: Int
        var violating: Int
        var limit: Double
    }

    /// `chat-api POST /v1/chat-messages: 2 of 3 roots above 50%`, by root operation, most first.
    func groupDetails(_ violating: [RootMeasure], all: [RootMeasure], _ relation: String, unread: [UnreadMeasure] = [])
        -> [String]
    {
        func key(_ t: TraceSummary) -> String { "\(t.rootService ?? "?") `\(t.rootName ?? "?")`" }
        var totals: [String: Int] = [:]
        for m in all { totals[key(m.trace), default: 0] += 1 }
        var counts: [String: (n: Int, limit: Double)] = [:]
        for m in violating { counts[key(m.trace), default: (0, m.limit)].n += 1 }
        for u in unread {
            totals[u.key, default: 0] += u.all
            if u.violating > 0 { counts[u.key, default: (0, u.limit)].n += u.violating }
        }
        return counts.sorted { $0.value.n != $1.value.n ? $0.value.n > $1.value.n : $0.key < $1.key }.prefix(5).map {
            "\($0.key): \($0.value.n) of " + Units.plural(totals[$0.key] ?? $0.value.n, "root") + " \(relation) "
                + pct($0.value.limit)
        }
    }

    func unaccountedShare() -> RuleResult {
        let rule = policy.unaccountedShare
        var all: [RootMeasure] = []
        var violating: [RootMeasure] = []
        for t in report.traces where t.durationNs > 0 {
            let share = min(1, Double(t.unaccountedNs) / Double(t.durationNs))
            let m = RootMeasure(trace: t, value: share, limit: rule.limit(service: t.rootService, operation: t.rootName))
            all.append(m)
            if share > m.limit { violating.append(m) }
        }
        // Roots without a summary have no unaccounted_time: a share of 0, never above a limit.
        let unread = report.unreadRoots.filter { $0.withDuration > 0 }.map { u in
            UnreadMeasure(
                key: "\(u.service) `\(u.operation)`", all: u.withDuration, violating: 0,
                limit: rule.limit(service: u.service, operation: u.operation))
        }
        let total = all.count + unread.reduce(0) { $0 + $1.all }
        let threshold = perRootThreshold(rule, "≤")
        guard let worst = all.max(by: { $0.value < $1.value })?.value ?? (unread.isEmpty ? nil : 0) else {
            return skipped(.unaccountedShare, rule.severity, threshold: threshold, "no root with a duration")
        }
        var result = RuleResult(
            rule: .unaccountedShare, severity: rule.severity,
            status: RuleResult.status(violated: !violating.isEmpty, severity: rule.severity), threshold: threshold,
            actual: "max " + pct(worst) + " (\(violating.count) of " + Units.plural(total, "root") + " above)",
            thresholdValue: rule.limit, actualValue: worst)
        guard !violating.isEmpty else { return result }
        result.message = "time no span accounts for is above the limit in \(violating.count) of " + Units.plural(total, "root")
        result.details = groupDetails(violating, all: all, "above", unread: unread)
        let shown = violating.sorted { $0.value != $1.value ? $0.value > $1.value : $0.trace.traceID < $1.trace.traceID }
            .prefix(policy.examples)
        let wanted = Set(shown.map(\.trace.traceID))
        var largest: [TraceID: DiagnosisReport.Gap] = [:]
        for gap in report.gaps where wanted.contains(gap.span.traceID) && largest[gap.span.traceID] == nil {
            largest[gap.span.traceID] = gap
        }
        result.examples = shown.map { m in
            var text = label(m.trace.traceID) + ": " + pct(m.value) + " unaccounted ("
                + Units.duration(ns: m.trace.unaccountedNs) + " of " + Units.duration(ns: m.trace.durationNs) + ")"
            if let gap = largest[m.trace.traceID] {
                text += "; largest gap " + Units.duration(ns: gap.lengthNs) + " in " + "\(gap.span.service) `\(gap.span.name)` at "
                    + TextFormat.offset(gap.startOffsetNs)
            }
            return RuleResult.Example(traceID: m.trace.traceID, summary: text)
        }
        return result
    }

    func coverage() -> RuleResult {
        let rule = policy.coverage
        var all: [RootMeasure] = []
        var violating: [RootMeasure] = []
        for t in report.traces {
            guard let c = t.coverage, t.durationNs > 0 else { continue }
            // A root with less than min_gap uncovered is exempt, as for low_coverage.
            if (1 - c) * Double(t.durationNs) < Double(policy.minGapNs) { continue }
            let m = RootMeasure(trace: t, value: c, limit: rule.limit(service: t.rootService, operation: t.rootName))
            all.append(m)
            if c < m.limit { violating.append(m) }
        }
        // Roots without a summary, measured where they are (their examples, if any, were read).
        let unread = report.unreadRoots.filter { $0.weighed > 0 }.map { u in
            UnreadMeasure(
                key: "\(u.service) `\(u.operation)`", all: u.weighed, violating: u.belowLimit,
                limit: rule.limit(service: u.service, operation: u.operation))
        }
        let total = all.count + unread.reduce(0) { $0 + $1.all }
        let below = violating.count + unread.reduce(0) { $0 + $1.violating }
        let lowest = (all.map(\.value) + report.unreadRoots.filter { $0.weighed > 0 }.compactMap(\.lowestCoverage)).min()
        let threshold = perRootThreshold(rule, "≥")
        guard let worst = lowest else {
            var result = RuleResult(
                rule: .coverage, severity: rule.severity, status: RuleResult.status(violated: false, severity: rule.severity),
                threshold: threshold, actual: "no root with \(Units.duration(ns: policy.minGapNs)) or more uncovered",
                thresholdValue: rule.limit)
            result.actualValue = nil
            return result
        }
        var result = RuleResult(
            rule: .coverage, severity: rule.severity, status: RuleResult.status(violated: below > 0, severity: rule.severity),
            threshold: threshold,
            actual: "lowest " + pct(worst) + " (\(below) of " + Units.plural(total, "root") + " below)",
            thresholdValue: rule.limit, actualValue: worst)
        guard below > 0 else { return result }
        result.message = "spans cover less than the limit of \(below) of " + Units.plural(total, "root")
        result.details = groupDetails(violating, all: all, "below", unread: unread)
        result.examples = violating.sorted { $0.value != $1.value ? $0.value < $1.value : $0.trace.traceID < $1.trace.traceID }
            .prefix(policy.examples).map { m in
                RuleResult.Example(
                    traceID: m.trace.traceID,
                    summary: label(m.trace.traceID) + ": " + pct(m.value) + " covered by its spans over "
                        + Units.duration(ns: m.trace.durationNs))
            }
        return result
    }

    func timingViolations() -> RuleResult {
        let rule = policy.timingViolations
        let q = report.quality
        let threshold = "≤ " + Self.perThousand(rule.max) + " per 1000 spans"
        guard q.spans > 0 else { return skipped(.timingViolations, rule.severity, threshold: threshold, "no spans") }
        let value = q.timingViolationsPer1000Spans
        let violated = value > rule.max
        var result = RuleResult(
            rule: .timingViolations, severity: rule.severity, status: RuleResult.status(violated: violated, severity: rule.severity),
            threshold: threshold,
            actual: Self.perThousand(value) + " per 1000 (" + Units.plural(q.timingViolations, "child", "children") + ")",
            thresholdValue: rule.max, actualValue: (value * 100).rounded() / 100)
        guard violated else { return result }
        let skewed = report.timingViolations.filter(\.likelyClockSkew).count
        result.message = Units.plural(q.timingViolations, "child", "children") + " start before or end after their parent"
        result.details = [
            "child_before_parent: \(q.count(.childBeforeParent)), child_after_parent: \(q.count(.childAfterParent))",
            "\(skewed) across a host change (likely clock skew)",
        ]
        var seen = Set<TraceID>()
        result.examples = report.timingViolations.filter { seen.insert($0.span.traceID).inserted }.prefix(policy.examples).map { v in
            let verb = v.diagnosis == .childBeforeParent ? "starts" : "ends"
            let relation = v.diagnosis == .childBeforeParent ? "before" : "after"
            var text = "\(v.span.service) `\(v.span.name)` \(verb) \(Units.duration(ns: v.amountNs)) \(relation) its parent "
                + "\(v.parent.service) `\(v.parent.name)`"
            if v.likelyClockSkew { text += " (hosts \(v.host ?? "?") / \(v.parentHost ?? "?"): likely clock skew)" }
            return RuleResult.Example(traceID: v.span.traceID, summary: text)
        }
        return result
    }

    func logLinkage() -> RuleResult {
        let rule = policy.logLinkage
        let logs = report.quality.logs
        guard let value = logs.linkage else {
            return skipped(.logLinkage, rule.severity, threshold: "≥ " + pct(rule.min), "no log lines")
        }
        let byTraceID = logs.traceIDLinkage ?? 0
        let minByTraceID = policy.logLinkageByTraceID
        let violatedByTraceID = minByTraceID > 0 && byTraceID < minByTraceID
        let violated = value < rule.min || violatedByTraceID
        var threshold = "≥ " + pct(rule.min)
        var actual = pct(value) + " (\(logs.linkedToSpan) of \(logs.total) lines)"
        if minByTraceID > 0 {
            threshold += ", by trace ID ≥ " + pct(minByTraceID)
            actual += ", by trace ID " + pct(byTraceID)
        }
        var result = RuleResult(
            rule: .logLinkage, severity: rule.severity, status: RuleResult.status(violated: violated, severity: rule.severity),
            threshold: threshold, actual: actual, thresholdValue: rule.min, actualValue: value)
        guard violated else { return result }
        result.message =
            value < rule.min
            ? "\(logs.total - logs.linkedToSpan) of \(logs.total) log lines cannot be joined to a span"
            : "\(logs.total - logs.joinedByTraceID) of \(logs.total) log lines are not joined by trace ID (\(pct(byTraceID)) joined, \(pct(minByTraceID)) required)"
        result.details = [
            "\(logs.total - logs.withTraceID) lines carry no trace ID (\(logs.unlinked) of them while a span of their "
                + "service was running: log_unlinked)",
            "\(logs.dangling) lines name a trace that is not in the capture (log_dangling)",
        ]
        if logs.joinedByKey + logs.ambiguousKey > 0 {
            result.details.append(
                "\(logs.joinedByKey) lines without trace ID join a trace by key (link_keys), \(logs.ambiguousKey) carry a key value of several traces")
        }
        return result
    }

    func required(_ ruleName: CheckRule, _ rule: Policy.Required, present: Set<String>, what: String) -> RuleResult {
        let threshold = rule.names.isEmpty ? "none required" : Units.plural(rule.names.count, what) + " required"
        guard !rule.names.isEmpty else { return skipped(ruleName, rule.severity, threshold: threshold, "none required") }
        let missing = rule.names.filter { !present.contains($0) }
        var result = RuleResult(
            rule: ruleName, severity: rule.severity, status: RuleResult.status(violated: !missing.isEmpty, severity: rule.severity),
            threshold: threshold,
            actual: missing.isEmpty ? "all present" : "\(rule.names.count - missing.count) of \(rule.names.count) present",
            thresholdValue: Double(rule.names.count), actualValue: Double(rule.names.count - missing.count))
        guard !missing.isEmpty else { return result }
        result.message = "missing from the capture: " + missing.joined(separator: ", ")
        result.details = missing.map { "no \(what) named '\($0)'" }
        return result
    }

    var presentServices: Set<String> {
        guard !policy.requiredServices.names.isEmpty else { return [] }
        var names = Set<String>()
        for t in report.traces { names.formUnion(t.services) }
        return names.union(report.unreadServices)
    }

    var presentRootOperations: Set<String> {
        guard !policy.requiredRootOperations.names.isEmpty else { return [] }
        return Set(report.traces.compactMap(\.rootName) + report.unreadRoots.filter { $0.roots > 0 }.map(\.operation))
    }

    /// `10`, `2.5`, `0.12`.
    static func perThousand(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
