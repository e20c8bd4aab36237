// `tracedoctor check`: the CI gate as one call. Reads the policy and baseline first (a bad one
// fails before a long ingest), ingests the inputs (into a temporary database unless one is named),
// runs the diagnoses, evaluates the policy, compares with the baseline, and removes the temporary
// database whatever happens.

import Foundation

/// What to check and against what.
public struct CheckRequest: Sendable {
    /// Span and log dumps to ingest first (files, directories, `-`); may be empty with `databasePath`.
    public var paths: [String]
    /// The database to ingest into and check; nil for a temporary one, removed afterwards.
    public var databasePath: String?
    /// The policy file; nil for the defaults (`Policy()`).
    public var policyPath: String?
    /// A baseline file to compare with.
    public var baselinePath: String?
    /// Skip bad records instead of failing the check on a rejected input.
    public var keepGoing: Bool
    public var inputFormat: InputFormat?
    /// Where the temporary database goes; nil for the system's (TMPDIR, else /tmp).
    public var temporaryDirectory: String?
    /// Inputs with no spans pass (every rule skipped) instead of failing with `nothingToCheck`.
    public var allowEmpty: Bool
    /// Diagnoses spans held elsewhere (a ClickHouse window) instead of a database: nothing is
    /// ingested, `paths` and `databasePath` are unused.
    /// It is given the policy (its analysis options, and what its rules weigh).
    public var diagnose: (@Sendable (Policy) throws(TraceDoctorError) -> DiagnosisReport)?
    /// With `diagnose`: the arguments of the `tracedoctor explain` commands shown instead of `--db`.
    public var explainArguments: String?
    /// Correlation keys, added to the policy's `link_keys`.
    public var linkKeys: [LinkKey]

    public init(
        paths: [String], databasePath: String? = nil, policyPath: String? = nil, baselinePath: String? = nil,
        keepGoing: Bool = false, inputFormat: InputFormat? = nil, temporaryDirectory: String? = nil,
        allowEmpty: Bool = false, linkKeys: [LinkKey] = []
    ) {
        self.allowEmpty = allowEmpty
        self.linkKeys = linkKeys
        self.paths = paths
        self.databasePath = databasePath
        self.policyPath = policyPath
        self.baselinePath = baselinePath
        self.keepGoing = keepGoing
        self.inputFormat = inputFormat
        self.temporaryDirectory = temporaryDirectory
    }
}

public enum Checker {
    /// Runs the check. Throws for input and runtime errors (exit 2); a violated policy is a
    /// result with status `fail` (exit 1).
    public static func run(
        _ request: CheckRequest, progress: IngestProgress? = nil, onBusy: (@Sendable () -> Void)? = nil
    ) throws(TraceDoctorError) -> CheckResult {
        let clock = ContinuousClock.now
        let policy = try request.policyPath.map { path throws(TraceDoctorError) in try Policy.load(path: path) } ?? Policy()
        let baseline = try request.baselinePath.map { path throws(TraceDoctorError) in try Baseline.load(path: path) }

        if let diagnose = request.diagnose {
            let diagnosis = try diagnose(policy)
            if diagnosis.quality.spans == 0 {
                throw .nothingToCheck("no spans in the window: nothing to check (widen --since/--until)")
            }
            return evaluate(diagnosis, policy: policy, baseline: baseline, request: request, ingest: nil, since: clock)
        }

        let database = request.databasePath ?? temporaryDatabasePath(in: request.temporaryDirectory)
        defer { if request.databasePath == nil { TraceStore.remove(database) } }

        var ingest: IngestReport?
        if !request.paths.isEmpty {
            let report = try Ingestor.run(
                IngestRequest(paths: request.paths, databasePath: database, keepGoing: request.keepGoing, inputFormat: request.inputFormat),
                progress: progress, onBusy: onBusy)
            if report.interrupted { throw .interrupted }
            let rejected = report.files.filter { $0.status == .rejected }.compactMap(\.error)
            if !rejected.isEmpty && !request.keepGoing { throw .rejectedInputs(messages: rejected) }
            if report.databaseNotCreated || report.databaseTotals.spans == 0 {
                if request.allowEmpty {
                    return emptyResult(policy: policy, ingest: report, request: request, started: clock)
                }
                throw .nothingToCheck(
                    "no spans in " + request.paths.joined(separator: ", ")
                        + ": nothing to check (did the tests export any? is the collector's file exporter writing there? "
                        + "pass --allow-empty to accept an empty capture)")
            }
            ingest = report
        }

        var keys = policy.linkKeys
        for key in request.linkKeys where !keys.contains(key) { keys.append(key) }
        let diagnosis = try Diagnoser.run(DiagnosisRequest(databasePath: database, options: policy.analysisOptions, linkKeys: keys))
        if diagnosis.quality.spans == 0 {
            throw .nothingToCheck("no spans in the database \(database): nothing to check (ingest some first)")
        }
        return evaluate(diagnosis, policy: policy, baseline: baseline, request: request, ingest: ingest, since: clock)
    }

    /// The policy's rules and the baseline's comparison over one diagnosis.
    static func evaluate(
        _ diagnosis: DiagnosisReport, policy: Policy, baseline: Baseline?, request: CheckRequest, ingest: IngestReport?,
        since clock: ContinuousClock.Instant
    ) -> CheckResult {
        var rules = PolicyEvaluator(policy: policy, report: diagnosis).evaluate()
        let measured = Baseline(diagnosis)
        var comparison: BaselineComparison?
        if let baseline, let path = request.baselinePath {
            var c = BaselineComparison(path: path, baseline: baseline, current: measured, tolerance: policy.baseline)
            for i in c.rules.indices { c.rules[i].line = policy.lines[c.rules[i].rule] }
            rules += c.rules
            comparison = c
        }
        var result = CheckResult(
            policy: policy, ingest: ingest, database: request.databasePath, quality: diagnosis.quality, rules: rules,
            baseline: comparison, measured: measured, seconds: clock.duration(to: .now).seconds)
        result.explainArguments = request.explainArguments
        return result
    }

    /// The result for inputs with no spans under `--allow-empty`: every rule skipped, so it passes.
    static func emptyResult(policy: Policy, ingest: IngestReport, request: CheckRequest, started: ContinuousClock.Instant)
        -> CheckResult
    {
        let diagnosis = DiagnosisReport(options: policy.analysisOptions)
        let rules = PolicyEvaluator(policy: policy, report: diagnosis).evaluate().map { rule in
            var r = rule
            r.status = .skipped
            r.message = "nothing to check: no spans in the inputs (--allow-empty)"
            r.examples = []
            r.details = []
            return r
        }
        return CheckResult(
            policy: policy, ingest: ingest, database: request.databasePath, quality: diagnosis.quality, rules: rules,
            baseline: nil, measured: Baseline(diagnosis), seconds: started.duration(to: .now).seconds)
    }

    /// A fresh path in the temporary directory (`$TMPDIR` when set).
    static func temporaryDatabasePath(in directory: String?) -> String {
        var dir = directory ?? NSTemporaryDirectory()
        if dir.isEmpty { dir = "/tmp" }
        if !dir.hasSuffix("/") { dir += "/" }
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return dir + "tracedoctor-check-\(ProcessInfo.processInfo.processIdentifier)-\(suffix).db"
    }
}
