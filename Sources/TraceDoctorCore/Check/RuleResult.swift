// The verdict on one rule of a check: threshold, measured value, pass/warn/fail, what broke it and
// the worst traces to look at. Every output of `check` (text, JSON, JUnit, GitHub) prints these.

/// One rule, evaluated.
public struct RuleResult: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, Comparable {
        case pass
        /// Violated, with severity `warning`.
        case warn
        /// Violated, with severity `error`.
        case fail
        /// Off in the policy, or nothing to measure (no logs, no required names, no baseline value).
        case skipped

        public static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
        private var rank: Int {
            switch self {
            case .skipped: 0
            case .pass: 1
            case .warn: 2
            case .fail: 3
            }
        }
    }

    /// A trace that shows what is wrong, worst first.
    public struct Example: Sendable, Equatable {
        public var traceID: TraceID
        /// One line: what is wrong with this trace.
        public var summary: String

        public init(traceID: TraceID, summary: String) {
            self.traceID = traceID
            self.summary = summary
        }
    }

    public var rule: CheckRule
    public var severity: Policy.Severity
    public var status: Status
    /// `≥ 95%`, `not allowed`, `≤ 50% per root`.
    public var threshold: String
    /// `80% (12 of 15 traces)`.
    public var actual: String
    /// The threshold as a number, when it is one (a share 0…1, or a count per 1000 spans).
    public var thresholdValue: Double?
    /// The measured value as a number, when there is one.
    public var actualValue: Double?
    /// One line on why it failed (or why it was skipped); empty when it passed.
    public var message: String
    /// What broke the rule, one line each: sources, groups, missing names.
    public var details: [String]
    public var examples: [Example]
    /// Line of the rule in the policy file.
    public var line: Int?

    public init(
        rule: CheckRule, severity: Policy.Severity, status: Status, threshold: String, actual: String,
        thresholdValue: Double? = nil, actualValue: Double? = nil, message: String = "", details: [String] = [],
        examples: [Example] = [], line: Int? = nil
    ) {
        self.rule = rule
        self.severity = severity
        self.status = status
        self.threshold = threshold
        self.actual = actual
        self.thresholdValue = thresholdValue
        self.actualValue = actualValue
        self.message = message
        self.details = details
        self.examples = examples
        self.line = line
    }

    /// The status a rule of `severity` gets when it is `violated`.
    public static func status(violated: Bool, severity: Policy.Severity) -> Status {
        switch severity {
        case .off: .skipped
        case .warning: violated ? .warn : .pass
        case .error: violated ? .fail : .pass
        }
    }
}
