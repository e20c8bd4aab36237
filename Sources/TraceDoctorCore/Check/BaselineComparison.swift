// A capture against the baseline of a known-good one: what got worse beyond the policy's
// tolerances (each comparison a rule: `baseline_trace_completeness`, `baseline_parent_linkage`,
// `baseline_fragment_sources`, `baseline_coverage`), and what got better, so a stale baseline shows.

import Foundation

/// The result of comparing a capture with a baseline.
public struct BaselineComparison: Sendable, Equatable {
    /// The baseline file.
    public var path: String
    /// One result per comparison.
    public var rules: [RuleResult]
    /// What improved by more than the tolerance (or went away).
    public var improvements: [String]
    /// Changes that are neither (root operations that appeared or disappeared).
    public var notes: [String]

    /// Compares `current` with `baseline` under `tolerance`.
    public init(path: String, baseline: Baseline, current: Baseline, tolerance: Policy.BaselineTolerance) {
        self.path = path
        rules = []
        improvements = []
        notes = []
        let severity = tolerance.severity
        rules.append(
            metric(
                .baselineTraceCompleteness, "trace completeness", baseline.metrics.traceCompleteness,
                current.metrics.traceCompleteness, tolerance.maxCompletenessDrop, severity))
        rules.append(
            metric(
                .baselineParentLinkage, "parent linkage", baseline.metrics.parentLinkage, current.metrics.parentLinkage,
                tolerance.maxParentLinkageDrop, severity))
        rules.append(sources(baseline, current, allowNew: tolerance.allowNewFragmentSources, severity: severity))
        rules.append(coverage(baseline, current, tolerance.maxCoverageDrop, severity))
        if severity == .off {
            for i in rules.indices {
                rules[i].status = .skipped
                rules[i].message = "off in the policy"
                rules[i].details = []
            }
        }
    }

    /// `99.8%`: one decimal more than the text reports, since baselines move by tenths of a point.
    static func pct(_ share: Double) -> String { TextFormat.percentTenths(share) }

    /// `−12.5 points`, `+0.3 points`.
    static func points(_ delta: Double) -> String {
        let rounded = (delta * 10).rounded() / 10
        let sign = rounded > 0 ? "+" : (rounded < 0 ? "−" : "±")
        let magnitude = abs(rounded)
        let text = magnitude == magnitude.rounded() ? String(Int(magnitude)) : String(magnitude)
        return sign + text + (magnitude == 1 ? " point" : " points")
    }

    private mutating func metric(
        _ rule: CheckRule, _ name: String, _ before: Double?, _ now: Double?, _ maxDrop: Double, _ severity: Policy.Severity
    ) -> RuleResult {
        let threshold = "drop ≤ " + Self.points(maxDrop).dropFirst()
        guard let before, let now else {
            return RuleResult(
                rule: rule, severity: severity, status: .skipped, threshold: threshold,
                actual: now.map(Self.pct) ?? "-", message: before == nil ? "not in the baseline" : "nothing to measure")
        }
        let delta = (now - before) * 100
        let violated = -delta > maxDrop + 1e-9
        if delta > maxDrop + 1e-9 {
            improvements.append("\(name) rose from \(Self.pct(before)) to \(Self.pct(now)) (\(Self.points(delta)))")
        }
        var result = RuleResult(
            rule: rule, severity: severity, status: RuleResult.status(violated: violated, severity: severity), threshold: threshold,
            actual: "\(Self.pct(before)) → \(Self.pct(now)) (\(Self.points(delta)))", thresholdValue: maxDrop,
            actualValue: (delta * 100).rounded() / 100)
        if violated {
            result.message = "\(name) dropped from \(Self.pct(before)) to \(Self.pct(now)), more than \(Self.points(maxDrop).dropFirst())"
        }
        return result
    }

    private mutating func sources(_ baseline: Baseline, _ current: Baseline, allowNew: Bool, severity: Policy.Severity)
        -> RuleResult
    {
        let known = Set(baseline.fragmentSources.map(\.key))
        let present = Set(current.fragmentSources.map(\.key))
        let new = current.fragmentSources.filter { !known.contains($0.key) }
        for gone in baseline.fragmentSources where !present.contains(gone.key) {
            improvements.append("\(gone.diagnosis) from \(gone.label) is gone (\(Units.plural(gone.count, "trace")) in the baseline)")
        }
        let violated = !new.isEmpty && !allowNew
        var result = RuleResult(
            rule: .baselineFragmentSources, severity: severity,
            status: RuleResult.status(violated: violated, severity: severity), threshold: allowNew ? "new ones allowed" : "no new source",
            actual: new.isEmpty ? "none new" : Units.plural(new.count, "new source"), thresholdValue: allowNew ? nil : 0,
            actualValue: Double(new.count))
        if !new.isEmpty {
            result.message = "context is lost in a new place: " + new.prefix(3).map { "\($0.diagnosis) from \($0.label)" }
                .joined(separator: ", ")
            result.details = new.map { "new: \($0.diagnosis) from \($0.label) (\(Units.plural($0.count, "trace")))" }
        }
        return result
    }

    private mutating func coverage(_ baseline: Baseline, _ current: Baseline, _ maxDrop: Double, _ severity: Policy.Severity)
        -> RuleResult
    {
        let now = Dictionary(current.operations.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let before = Dictionary(baseline.operations.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var drops: [(label: String, delta: Double, text: String)] = []
        var compared = 0
        for old in baseline.operations {
            let label = "\(old.service) `\(old.operation)`"
            guard let new = now[old.key] else {
                notes.append("\(label) is not in this capture (\(Units.plural(old.roots, "root")) in the baseline)")
                continue
            }
            guard let b = old.coverageMedian, let c = new.coverageMedian else { continue }
            compared += 1
            let delta = (c - b) * 100
            let text = "\(label): median coverage \(Self.pct(b)) → \(Self.pct(c)) (\(Self.points(delta)))"
            if -delta > maxDrop + 1e-9 { drops.append((label, delta, text)) }
            if delta > maxDrop + 1e-9 { improvements.append(text) }
        }
        for new in current.operations where before[new.key] == nil {
            notes.append("\(new.service) `\(new.operation)` is new (\(Units.plural(new.roots, "root")))")
        }
        drops.sort { $0.delta != $1.delta ? $0.delta < $1.delta : $0.label < $1.label }
        let threshold = "drop ≤ " + Self.points(maxDrop).dropFirst()
        guard compared > 0 else {
            return RuleResult(
                rule: .baselineCoverage, severity: severity, status: .skipped, threshold: threshold, actual: "-",
                message: "no root operation with coverage in both")
        }
        var result = RuleResult(
            rule: .baselineCoverage, severity: severity, status: RuleResult.status(violated: !drops.isEmpty, severity: severity),
            threshold: threshold,
            actual: drops.isEmpty
                ? "no drop (\(Units.plural(compared, "operation")) compared)"
                : "\(drops.count) of \(Units.plural(compared, "operation")) dropped",
            thresholdValue: maxDrop, actualValue: drops.first.map { ($0.delta * 100).rounded() / 100 } ?? 0)
        if !drops.isEmpty {
            result.message = "coverage dropped: " + drops.prefix(3).map(\.label).joined(separator: ", ")
            result.details = drops.map(\.text)
        }
        return result
    }
}
