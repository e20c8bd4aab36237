// `check --format json`: one object with the verdict, the metrics, every rule (threshold, actual,
// status, details, worst traces with their explain command) and the baseline comparison.
// Documented in docs/check.md; snake_case keys, lowercase hex IDs, `null` for a missing value.

/// The JSON document of `check`.
public enum CheckJSON {
    public static func render(_ result: CheckResult) -> String {
        let q = result.quality
        let m = result.measured.metrics
        return JSONReport.render(
            Document(
                command: "check", status: result.status.rawValue, exitCode: result.exitCode,
                policy: Nullable(result.policy.path), database: Nullable(result.database),
                seconds: (result.seconds * 1000).rounded() / 1000, traces: q.traces, spans: q.spans, logs: q.logs.total,
                inputs: Nullable(result.ingest.map { $0.files.map(Input.init) }),
                metrics: Metrics(
                    traceCompleteness: Nullable(m.traceCompleteness), parentLinkage: Nullable(m.parentLinkage),
                    orphanShare: Nullable(m.orphanShare), coverageMedian: Nullable(m.coverageMedian),
                    coverageP10: Nullable(m.coverageP10), logLinkage: Nullable(m.logLinkage),
                    timingViolationsPer1000Spans: m.timingViolationsPer1000Spans),
                diagnoses: result.measured.diagnoses,
                summary: Summary(
                    passed: result.count(.pass), warnings: result.count(.warn), failed: result.count(.fail),
                    skipped: result.count(.skipped)),
                rules: result.rules.map { Rule($0, result) },
                baseline: Nullable(
                    result.baseline.map { Comparison(path: $0.path, improvements: $0.improvements, notes: $0.notes) })))
    }

    /// An optional written as `null` instead of being left out.
    struct Nullable<T: Encodable>: Encodable {
        var value: T?
        init(_ value: T?) { self.value = value }
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            if let value { try c.encode(value) } else { try c.encodeNil() }
        }
    }

    struct Document: Encodable {
        var command: String
        var status: String
        var exitCode: Int32
        var policy: Nullable<String>
        var database: Nullable<String>
        var seconds: Double
        var traces: Int
        var spans: Int
        var logs: Int
        var inputs: Nullable<[Input]>
        var metrics: Metrics
        var diagnoses: [String: Int]
        var summary: Summary
        var rules: [Rule]
        var baseline: Nullable<Comparison>
    }

    struct Input: Encodable {
        var path: String
        var status: String
        var format: Nullable<String>
        var spans: Int
        var logs: Int
        var skippedRecords: Int
        init(_ f: FileReport) {
            path = f.path
            status = f.status.rawValue
            format = Nullable(f.format)
            spans = f.counts.spans
            logs = f.counts.logs
            skippedRecords = f.skippedRecords
        }
    }

    struct Metrics: Encodable {
        var traceCompleteness: Nullable<Double>
        var parentLinkage: Nullable<Double>
        var orphanShare: Nullable<Double>
        var coverageMedian: Nullable<Double>
        var coverageP10: Nullable<Double>
        var logLinkage: Nullable<Double>
        var timingViolationsPer1000Spans: Double

        enum CodingKeys: String, CodingKey {
            case traceCompleteness, parentLinkage, orphanShare, coverageMedian, coverageP10, logLinkage
            case timingViolationsPer1000Spans = "timing_violations_per_1000_spans"
        }
    }

    struct Summary: Encodable {
        var passed: Int
        var warnings: Int
        var failed: Int
        var skipped: Int
    }

    struct Example: Encodable {
        var traceId: String
        var summary: String
        var explain: String
    }

    struct Rule: Encodable {
        var rule: String
        var severity: String
        var status: String
        var threshold: String
        var thresholdValue: Nullable<Double>
        var actual: String
        var actualValue: Nullable<Double>
        var message: String
        var details: [String]
        var examples: [Example]
        var policyLine: Nullable<Int>

        init(_ r: RuleResult, _ result: CheckResult) {
            rule = r.rule.name
            severity = r.severity.rawValue
            status = r.status.rawValue
            threshold = r.threshold
            thresholdValue = Nullable(r.thresholdValue.map(Baseline.round))
            actual = r.actual
            actualValue = Nullable(r.actualValue.map(Baseline.round))
            message = r.message
            details = r.details
            examples = r.examples.map {
                Example(traceId: $0.traceID.hex, summary: $0.summary, explain: result.explainCommand($0.traceID))
            }
            policyLine = Nullable(r.line)
        }
    }

    struct Comparison: Encodable {
        var path: String
        var improvements: [String]
        var notes: [String]
    }
}
