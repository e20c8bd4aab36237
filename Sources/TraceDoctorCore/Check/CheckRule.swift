// The names of the rules `tracedoctor check` evaluates: the keys under `rules:` in a policy file,
// the test-case names in the JUnit report and the `rule` field of the JSON output.

/// One rule of a check.
public enum CheckRule: String, Sendable, CaseIterable, Codable, Comparable {
    case traceCompleteness = "trace_completeness"
    case parentLinkage = "parent_linkage"
    case orphanShare = "orphan_share"
    case fragmentTrace = "fragment_trace"
    case unpropagatedCall = "unpropagated_call"
    case unpropagatedMessage = "unpropagated_message"
    case remoteParentMissing = "remote_parent_missing"
    case unaccountedShare = "unaccounted_share"
    case coverage = "coverage"
    case timingViolations = "timing_violations"
    case logLinkage = "log_linkage"
    case requiredServices = "required_services"
    case requiredRootOperations = "required_root_operations"
    /// Comparisons with `--baseline`.
    case baselineTraceCompleteness = "baseline_trace_completeness"
    case baselineParentLinkage = "baseline_parent_linkage"
    case baselineFragmentSources = "baseline_fragment_sources"
    case baselineCoverage = "baseline_coverage"

    public var name: String { rawValue }

    /// The rules a policy file configures under `rules:` (the rest come from `baseline:`).
    public static let policyRules: [CheckRule] = allCases.filter { !$0.isBaseline }

    public var isBaseline: Bool { rawValue.hasPrefix("baseline_") }

    /// One line on what the rule checks.
    public var summary: String {
        switch self {
        case .traceCompleteness: "share of traces with one root, no missing parent, nothing split off"
        case .parentLinkage: "share of spans that should have a parent whose parent is in the trace"
        case .orphanShare: "share of spans whose parent is missing (missing_parent)"
        case .fragmentTrace: "traces split off another trace's span: lost context"
        case .unpropagatedCall: "calls whose callee started a new trace: no context sent"
        case .unpropagatedMessage: "messages whose consumer started a new trace: no context sent"
        case .remoteParentMissing: "ingress spans whose remote caller was not captured"
        case .unaccountedShare: "share of each root's trace spent in unaccounted_time"
        case .coverage: "share of each root covered by its descendants"
        case .timingViolations: "children starting before or ending after their parent, per 1000 spans"
        case .logLinkage: "share of log lines linked to a span"
        case .requiredServices: "services that must have spans in the capture"
        case .requiredRootOperations: "root operations that must appear in the capture"
        case .baselineTraceCompleteness: "trace completeness compared with the baseline"
        case .baselineParentLinkage: "parent linkage compared with the baseline"
        case .baselineFragmentSources: "fragment_trace and unpropagated_call sources not in the baseline"
        case .baselineCoverage: "median root coverage per root operation compared with the baseline"
        }
    }

    public static func < (a: CheckRule, b: CheckRule) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
