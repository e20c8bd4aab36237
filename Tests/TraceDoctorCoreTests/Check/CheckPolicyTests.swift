// Reading policy files: the documented example is the default policy, every key is read, and a
// mistake (unknown key, duplicate, bad value, bad YAML) is an error naming the key and its line.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct CheckPolicyTests {
    func parse(_ yaml: String) throws -> Policy {
        try Policy.parse(yaml: yaml, path: "tracedoctor.yml")
    }

    /// The error a policy gives, as (line, column, message).
    func failure(_ yaml: String) -> (line: Int?, column: Int?, message: String)? {
        do {
            _ = try Policy.parse(yaml: yaml, path: "tracedoctor.yml")
            return nil
        } catch {
            guard case let .policy(path, line, column, message) = error else { return nil }
            #expect(path == "tracedoctor.yml")
            return (line, column, message)
        }
    }

    @Test func theDocumentedExampleIsTheDefaultPolicy() throws {
        var parsed = try parse(Policy.exampleYAML)
        #expect(parsed.path == "tracedoctor.yml")
        #expect(parsed.lines[.traceCompleteness] != nil)
        parsed.path = nil
        parsed.lines = [:]
        #expect(parsed == Policy())
    }

    @Test func docsCheckShowsTheDefaultPolicyAndPoliciesThatParse() throws {
        let root = "/" + #filePath.split(separator: "/").dropLast(4).joined(separator: "/")
        let doc = try String(contentsOfFile: root + "/docs/check.md", encoding: .utf8)
        let blocks = doc.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        #expect(blocks.first?.trimmingCharacters(in: .newlines) == Policy.exampleYAML.trimmingCharacters(in: .newlines))
        let policies = blocks.filter { $0.hasPrefix("# tracedoctor.yml") || $0.hasPrefix("# ci/tracedoctor.yml") }
        #expect(policies.count == 2)
        for yaml in policies { _ = try parse(yaml) }
    }

    @Test func anEmptyFileIsTheDefaultPolicy() throws {
        var parsed = try parse("# nothing configured yet\n")
        parsed.path = nil
        #expect(parsed == Policy())
        var empty = try parse("rules:\n")
        empty.path = nil
        empty.lines = [:]
        #expect(empty == Policy())
    }

    @Test func everyKeyIsRead() throws {
        let policy = try parse(
            """
            version: 1
            examples: 5
            analysis:
              min_gap: 5ms
              min_gap_share: 0.2
              max_skew: 250ms
            rules:
              trace_completeness: {min: 99.5%, severity: warning}
              parent_linkage: {min: 0.98, severity: off}
              orphan_share: {max: 2%, severity: warning}
              fragment_trace:
                allowed: no
                allow:
                  - {service: cache, operation: warm-cache}
                  - service: batch
                severity: warning
              unpropagated_call: {allowed: true}
              remote_parent_missing:
                allowed: false
                allow: [{service: frontend}]
              unaccounted_share:
                max: 40%
                per_service: {chat-api: 80%}
                per_operation: {"POST /v1/chat-messages": 95%}
              coverage: {min: 30%, per_operation: {GET /health: 0%}, severity: error}
              timing_violations: {max_per_1000_spans: 2.5, severity: off}
              log_linkage: {min: 90%}
              required_services: {services: [frontend, checkout]}
              required_root_operations:
                operations:
                  - POST /v1/orders
                severity: warning
            baseline:
              max_completeness_drop: 0.5
              max_parent_linkage_drop: 2%
              max_coverage_drop: 5
              allow_new_fragment_sources: true
              severity: warning
            """)
        #expect(policy.examples == 5)
        #expect(policy.minGapNs == 5_000_000)
        #expect(policy.minGapShare == 0.2)
        #expect(policy.maxSkewNs == 250_000_000)
        #expect(policy.traceCompleteness == Policy.Minimum(min: 0.995, severity: .warning))
        #expect(policy.parentLinkage == Policy.Minimum(min: 0.98, severity: .off))
        #expect(policy.orphanShare == Policy.Maximum(max: 0.02, severity: .warning))
        #expect(
            policy.fragmentTrace
                == Policy.Allowance(
                    allowed: false, allow: [Policy.Match(service: "cache", operation: "warm-cache"), Policy.Match(service: "batch")],
                    severity: .warning))
        #expect(policy.unpropagatedCall.allowed)
        #expect(policy.remoteParentMissing == Policy.Allowance(allowed: false, allow: [Policy.Match(service: "frontend")], severity: .error))
        #expect(policy.unaccountedShare.limit == 0.4)
        #expect(policy.unaccountedShare.perService == ["chat-api": 0.8])
        #expect(policy.unaccountedShare.perOperation == ["POST /v1/chat-messages": 0.95])
        #expect(policy.coverage == Policy.PerRoot(limit: 0.3, perService: [:], perOperation: ["GET /health": 0], severity: .error))
        #expect(policy.analysisOptions.minCoverage == 0.3)
        #expect(policy.timingViolations == Policy.Maximum(max: 2.5, severity: .off))
        #expect(policy.logLinkage.min == 0.9)
        #expect(policy.requiredServices == Policy.Required(names: ["frontend", "checkout"], severity: .error))
        #expect(policy.requiredRootOperations == Policy.Required(names: ["POST /v1/orders"], severity: .warning))
        #expect(policy.baseline.maxCompletenessDrop == 0.5)
        #expect(policy.baseline.maxParentLinkageDrop == 2)
        #expect(policy.baseline.maxCoverageDrop == 5)
        #expect(policy.baseline.allowNewFragmentSources)
        #expect(policy.baseline.severity == .warning)
        #expect(policy.lines[.fragmentTrace] == 11)
        #expect(policy.lines[.baselineCoverage] == 33)
    }

    @Test func perRootLimitsPreferTheOperationThenTheService() throws {
        let rule = try parse(
            """
            rules:
              unaccounted_share: {max: 10%, per_service: {api: 20%}, per_operation: {slow: 30%}}
            """
        ).unaccountedShare
        #expect(rule.limit(service: "api", operation: "slow") == 0.3)
        #expect(rule.limit(service: "api", operation: "fast") == 0.2)
        #expect(rule.limit(service: "web", operation: "fast") == 0.1)
        #expect(rule.limit(service: nil, operation: nil) == 0.1)
    }

    @Test func anUnknownRuleNamesTheKeyTheLineAndTheNearestRule() throws {
        let error = try #require(
            failure(
                """
                version: 1
                rules:
                  trace_completness:
                    min: 90%
                """))
        #expect(error.line == 3)
        #expect(error.column == 3)
        #expect(error.message.contains("unknown key 'trace_completness' in rules"))
        #expect(error.message.contains("did you mean 'trace_completeness'?"))
        let description = TraceDoctorError.policy(path: "tracedoctor.yml", line: error.line, column: error.column, message: error.message)
            .description
        #expect(description.hasPrefix("tracedoctor.yml:3:3: unknown key"))
    }

    @Test func unknownKeysAreFoundAtEveryLevel() throws {
        #expect(failure("verson: 1\n")?.line == 1)
        #expect(failure("verson: 1\n")?.message.contains("did you mean 'version'?") == true)
        let inRule = try #require(failure("rules:\n  coverage:\n    min: 50%\n    per_services: {}\n"))
        #expect(inRule.line == 4)
        #expect(inRule.message.contains("unknown key 'per_services' in rules.coverage (did you mean 'per_service'?)"))
        let inAllow = try #require(failure("rules:\n  fragment_trace:\n    allow:\n      - {service: a, span: b}\n"))
        #expect(inAllow.line == 4)
        #expect(inAllow.message.contains("unknown key 'span' in rules.fragment_trace.allow[0]"))
        let inBaseline = try #require(failure("baseline:\n  completeness_drop: 1\n"))
        #expect(inBaseline.line == 2)
        #expect(inBaseline.message.contains("did you mean 'max_completeness_drop'?"))
        #expect(failure("analysis:\n  min_gaps: 5ms\n")?.message.contains("unknown key 'min_gaps' in analysis") == true)
    }

    @Test func badValuesNameTheKeyAndLine() throws {
        let share = try #require(failure("rules:\n  trace_completeness:\n    min: 95\n"))
        #expect(share.line == 3)
        #expect(share.message == "rules.trace_completeness.min: '95' is more than 100%; write 95% or 0.95, not 95")
        #expect(failure("rules:\n  log_linkage: {min: lots}\n")?.message.contains("'lots' is not a share") == true)
        #expect(failure("rules:\n  coverage: {severity: fatal}\n")?.message.contains("use error, warning or off") == true)
        #expect(failure("rules:\n  fragment_trace: {allowed: maybe}\n")?.message.contains("is not true or false") == true)
        #expect(failure("analysis: {min_gap: soon}\n")?.message.contains("is not a duration") == true)
        #expect(failure("examples: -1\n")?.message.contains("whole number from 0 to 100") == true)
        #expect(failure("rules:\n  required_services: {services: frontend}\n")?.message.contains("must be a list") == true)
        #expect(failure("rules:\n  fragment_trace: {allow: [{}]}\n")?.message.contains("must name a service, an operation or both") == true)
        #expect(failure("rules:\n  unaccounted_share: {per_service: {a: [1]}}\n")?.message.contains("must be a share") == true)
        #expect(failure("rules: [trace_completeness]\n")?.message.contains("rules must be a mapping") == true)
        #expect(failure("- a\n- b\n")?.message.contains("the policy must be a mapping") == true)
        #expect(failure("version: 2\n")?.message.contains("policy version 2 is not one this tracedoctor reads") == true)
        #expect(failure("rules:\n  coverage: {min: }\n")?.message.contains("rules.coverage.min needs a single value") == true)
    }

    @Test func aKeyGivenTwiceIsAnError() throws {
        let error = try #require(failure("rules:\n  coverage: {min: 10%}\n  coverage: {min: 20%}\n"))
        #expect(error.line == 3)
        #expect(error.message.contains("rules.coverage is given twice (first on line 2)"))
        let top = try #require(failure("version: 1\nexamples: 2\nversion: 1\n"))
        #expect(top.line == 3)
        #expect(top.message.hasPrefix("version is given twice (first on line 1)"))
    }

    @Test func brokenYAMLSaysWhere() throws {
        let error = try #require(failure("rules:\n  coverage: {min: 10%\n  parent_linkage: {}\n"))
        #expect(error.line != nil)
        #expect(error.message.hasPrefix("not valid YAML"))
        let tab = try #require(failure("rules:\n\tcoverage: {}\n"))
        #expect(tab.line == 2)
    }

    @Test func severityOffIsReadAlthoughYAMLCallsItFalse() throws {
        #expect(try parse("rules:\n  coverage: {severity: off}\n").coverage.severity == .off)
        #expect(try parse("baseline: {severity: off}\n").baseline.severity == .off)
    }

    @Test func aMissingFileIsAPolicyError() throws {
        #expect(throws: TraceDoctorError.policy(path: "/nonexistent/tracedoctor.yml", line: nil, column: nil, message: "cannot read the policy: no such file")) {
            try Policy.load(path: "/nonexistent/tracedoctor.yml")
        }
    }
}
