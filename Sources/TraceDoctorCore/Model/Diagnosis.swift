// The names of what can be wrong with a trace: the SPEC's vocabulary, spelled the same in code,
// output, JSON and docs.

/// One kind of finding.
public enum Diagnosis: String, Sendable, CaseIterable, Codable, Comparable {
    case missingParent = "missing_parent"
    case remoteParentMissing = "remote_parent_missing"
    case fragmentTrace = "fragment_trace"
    case unpropagatedCall = "unpropagated_call"
    case unpropagatedMessage = "unpropagated_message"
    case duplicateSpanID = "duplicate_span_id"
    case cycle = "cycle"
    case multipleRoots = "multiple_roots"
    case unaccountedTime = "unaccounted_time"
    case lowCoverage = "low_coverage"
    case childBeforeParent = "child_before_parent"
    case childAfterParent = "child_after_parent"
    case logUnlinked = "log_unlinked"
    case logDangling = "log_dangling"

    /// The name as printed and in JSON.
    public var name: String { rawValue }

    /// Whether the finding is a defect by default. A missing remote parent is expected at the edge
    /// of a capture (an ingress span whose caller was not captured); `--include-remote` counts it.
    public var isDefectByDefault: Bool { self != .remoteParentMissing }

    /// One line on what it means, for help texts and reports.
    public var summary: String {
        switch self {
        case .missingParent: "span's parent span ID is not in the trace"
        case .remoteParentMissing: "the missing parent is remote (expected at ingress)"
        case .fragmentTrace: "a trace split off another trace's span (lost context)"
        case .unpropagatedCall: "a call whose callee started a new trace (no context sent)"
        case .unpropagatedMessage: "a message whose consumer started a new trace (no context sent)"
        case .duplicateSpanID: "two different spans share a span ID"
        case .cycle: "parent links form a loop"
        case .multipleRoots: "a trace with more than one root"
        case .unaccountedTime: "time in a span with children that no child covers"
        case .lowCoverage: "a root whose descendants cover little of it"
        case .childBeforeParent: "a child starts before its parent"
        case .childAfterParent: "a child ends after its parent"
        case .logUnlinked: "a log line without trace ID inside a span of its service"
        case .logDangling: "a log line whose trace ID matches no trace"
        }
    }

    /// Ordered as declared (the SPEC's order).
    public static func < (a: Diagnosis, b: Diagnosis) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
