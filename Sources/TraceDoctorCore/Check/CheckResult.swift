// What one `tracedoctor check` found: every rule's verdict, the baseline comparison, the measured
// metrics (what `--write-baseline` stores), and the overall status and exit code.

import Foundation

/// The outcome of a check.
public struct CheckResult: Sendable {
    public var policy: Policy
    /// What was ingested first (nil when checking an existing database only).
    public var ingest: IngestReport?
    /// The database checked; nil when it was temporary (and has been removed).
    public var database: String?
    public var quality: Quality
    /// The policy's rules, then the baseline comparisons.
    public var rules: [RuleResult]
    public var baseline: BaselineComparison?
    /// This capture's metrics, as a baseline.
    public var measured: Baseline
    public var seconds: Double
    /// What `explain` needs to find the traces instead of `--db` (the spans live elsewhere).
    public var explainArguments: String?

    public init(
        policy: Policy, ingest: IngestReport?, database: String?, quality: Quality, rules: [RuleResult],
        baseline: BaselineComparison?, measured: Baseline, seconds: Double
    ) {
        self.policy = policy
        self.ingest = ingest
        self.database = database
        self.quality = quality
        self.rules = rules
        self.baseline = baseline
        self.measured = measured
        self.seconds = seconds
    }

    /// `fail` when an error rule was violated, else `warn` when a warning rule was, else `pass`.
    public var status: RuleResult.Status {
        max(.pass, rules.map(\.status).max() ?? .pass)
    }

    /// True when there were no spans to check (`--allow-empty`): every rule is skipped.
    public var isEmpty: Bool { quality.spans == 0 }

    /// 1 when an error rule was violated, else 0.
    public var exitCode: Int32 { status == .fail ? 1 : 0 }

    public func count(_ status: RuleResult.Status) -> Int { rules.filter { $0.status == status }.count }

    /// The rules that did not pass: failures first, then warnings, each in rule order.
    public var violations: [RuleResult] {
        rules.filter { $0.status == .fail } + rules.filter { $0.status == .warn }
    }

    /// `tracedoctor explain <id>`, with `--db` when the database is kept.
    public func explainCommand(_ id: TraceID) -> String {
        if let explainArguments { return "tracedoctor explain \(id.hex) " + explainArguments }
        return "tracedoctor explain \(id.hex)" + (database.map { " --db " + Self.shellQuoted($0) } ?? "")
    }

    /// `path` as one shell word.
    static func shellQuoted(_ path: String) -> String {
        let plain = path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@%=,".contains($0) }
        return plain && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// One line: `FAIL: 2 rules failed, 1 warning (14 rules)`.
    public var headline: String {
        let failed = count(.fail)
        let warned = count(.warn)
        var parts: [String] = []
        if failed > 0 { parts.append(Units.plural(failed, "rule") + " failed") }
        if warned > 0 { parts.append(Units.plural(warned, "warning")) }
        if parts.isEmpty { parts.append(rules.count == count(.skipped) ? "nothing checked" : "every rule passed") }
        return status.rawValue.uppercased() + ": " + parts.joined(separator: ", ") + " ("
            + Units.plural(rules.count - count(.skipped), "rule") + " checked, \(count(.skipped)) skipped)"
    }
}
