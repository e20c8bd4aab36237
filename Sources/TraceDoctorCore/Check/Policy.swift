// What `tracedoctor check` holds a capture to: a threshold and a severity per rule, the tolerances
// of a baseline comparison and the analysis thresholds. `Policy()` is the built-in default policy,
// used when there is no policy file; docs/check.md and `check --help` print it as YAML.

/// The rules a capture must pass, with their thresholds.
public struct Policy: Sendable, Equatable {
    /// What a violated rule does to the build.
    public enum Severity: String, Sendable, CaseIterable, Codable {
        /// Fails the check (exit 1).
        case error
        /// Reported, never fails the check.
        case warning
        /// Not evaluated.
        case off
    }

    /// Spans a rule lets through, by service and/or operation (span name); nil matches anything.
    public struct Match: Sendable, Equatable {
        public var service: String?
        public var operation: String?

        public init(service: String? = nil, operation: String? = nil) {
            self.service = service
            self.operation = operation
        }

        public func matches(service: String, operation: String) -> Bool {
            (self.service == nil || self.service == service) && (self.operation == nil || self.operation == operation)
        }

        /// `orders enrich-order`, `orders (any operation)`, `any service: enrich-order`.
        public var description: String {
            switch (service, operation) {
            case let (s?, o?): "\(s) `\(o)`"
            case let (s?, nil): "\(s) (any operation)"
            case let (nil, o?): "`\(o)` (any service)"
            case (nil, nil): "anything"
            }
        }
    }

    /// A share that must be at least `min` (0…1).
    public struct Minimum: Sendable, Equatable {
        public var min: Double
        public var severity: Severity
    }

    /// A value that must be at most `max`.
    public struct Maximum: Sendable, Equatable {
        public var max: Double
        public var severity: Severity
    }

    /// A diagnosis that is (not) allowed, apart from what `allow` names.
    public struct Allowance: Sendable, Equatable {
        public var allowed: Bool
        public var allow: [Match]
        public var severity: Severity

        /// Whether a finding about a span of `service` named `operation` counts against the rule.
        public func counts(service: String, operation: String) -> Bool {
            !allowed && !allow.contains { $0.matches(service: service, operation: operation) }
        }
    }

    /// A limit checked on every root, overridable per root service or root operation.
    public struct PerRoot: Sendable, Equatable {
        public var limit: Double
        /// Root service → limit.
        public var perService: [String: Double]
        /// Root operation (span name) → limit; wins over `perService`.
        public var perOperation: [String: Double]
        public var severity: Severity

        public func limit(service: String?, operation: String?) -> Double {
            if let operation, let value = perOperation[operation] { return value }
            if let service, let value = perService[service] { return value }
            return limit
        }

        /// The smallest and largest limit that applies anywhere.
        public var range: ClosedRange<Double> {
            let all = [limit] + Array(perService.values) + Array(perOperation.values)
            return all.min()!...all.max()!
        }
    }

    /// Names that must appear in the capture.
    public struct Required: Sendable, Equatable {
        public var names: [String]
        public var severity: Severity
    }

    /// How far a capture may fall behind a baseline (`check --baseline`).
    public struct BaselineTolerance: Sendable, Equatable {
        /// Percentage points trace completeness may drop.
        public var maxCompletenessDrop: Double = 1
        /// Percentage points parent linkage may drop.
        public var maxParentLinkageDrop: Double = 1
        /// Percentage points the median root coverage of one root operation may drop.
        public var maxCoverageDrop: Double = 10
        /// Whether a fragment_trace or unpropagated_call source absent from the baseline is accepted.
        public var allowNewFragmentSources = false
        public var severity: Severity = .error

        public init() {}
    }

    /// The policy file it was read from; nil for the built-in defaults.
    public var path: String?
    /// Worst example traces shown per rule.
    public var examples = 3
    /// `unaccounted_time` and clock-skew thresholds of the analysis (`min_coverage` comes from `coverage`).
    public var minGapNs: Int64 = 10_000_000
    public var minGapShare = 0.10
    public var maxSkewNs: Int64 = 1_000_000_000

    public var traceCompleteness = Minimum(min: 0.95, severity: .error)
    public var parentLinkage = Minimum(min: 0.99, severity: .error)
    /// `missing_parent` spans / all spans.
    public var orphanShare = Maximum(max: 0.01, severity: .error)
    public var fragmentTrace = Allowance(allowed: false, allow: [], severity: .error)
    public var unpropagatedCall = Allowance(allowed: false, allow: [], severity: .error)
    public var unpropagatedMessage = Allowance(allowed: false, allow: [], severity: .error)
    public var remoteParentMissing = Allowance(allowed: true, allow: [], severity: .error)
    /// Share of a root's trace spent in `unaccounted_time` intervals.
    public var unaccountedShare = PerRoot(limit: 0.5, perService: [:], perOperation: [:], severity: .error)
    /// Share of a root covered by its descendants.
    public var coverage = PerRoot(limit: 0.5, perService: [:], perOperation: [:], severity: .warning)
    /// Per 1000 spans.
    public var timingViolations = Maximum(max: 10, severity: .warning)
    public var logLinkage = Minimum(min: 0.5, severity: .warning)
    /// `log_linkage.min_by_trace_id`: log lines whose trace ID names a stored trace / all log lines
    /// (0: no requirement).
    public var logLinkageByTraceID: Double = 0
    /// `link_keys`: correlation keys that join log lines without a trace ID (`--link-key`).
    public var linkKeys: [LinkKey] = []
    public var requiredServices = Required(names: [], severity: .error)
    public var requiredRootOperations = Required(names: [], severity: .error)
    public var baseline = BaselineTolerance()
    /// Line of each rule's key in the policy file (for annotations that point at it).
    public var lines: [CheckRule: Int] = [:]

    public init() {}

    /// The analysis the policy asks for.
    public var analysisOptions: AnalysisOptions {
        AnalysisOptions(
            minGapNs: minGapNs, minGapShare: minGapShare, minCoverage: coverage.limit, maxSkewNs: maxSkewNs,
            includeRemote: false)
    }

    /// The severity configured for `rule`.
    public func severity(of rule: CheckRule) -> Severity {
        switch rule {
        case .traceCompleteness: traceCompleteness.severity
        case .parentLinkage: parentLinkage.severity
        case .orphanShare: orphanShare.severity
        case .fragmentTrace: fragmentTrace.severity
        case .unpropagatedCall: unpropagatedCall.severity
        case .unpropagatedMessage: unpropagatedMessage.severity
        case .remoteParentMissing: remoteParentMissing.severity
        case .unaccountedShare: unaccountedShare.severity
        case .coverage: coverage.severity
        case .timingViolations: timingViolations.severity
        case .logLinkage: logLinkage.severity
        case .requiredServices: requiredServices.severity
        case .requiredRootOperations: requiredRootOperations.severity
        case .baselineTraceCompleteness, .baselineParentLinkage, .baselineFragmentSources, .baselineCoverage:
            baseline.severity
        }
    }
}
