// `tracedoctor check` end to end on two captures of the real OpenTelemetry Python SDK kept in
// fixtures/check (the same program with its pool task's context propagated, and not): stdout,
// stderr and exit code checked together, reports compared with golden files.

import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite(.serialized) struct CheckCLITests {
    static let propagated = [CLI.fixtures + "/check/propagated/traces.otlp.jsonl", CLI.fixtures + "/check/propagated/app.log.jsonl"]
    static let unpropagated = [
        CLI.fixtures + "/check/unpropagated/traces.otlp.jsonl", CLI.fixtures + "/check/unpropagated/app.log.jsonl",
    ]

    /// Golden-file text: temporary paths, the repository root, timings and the version replaced.
    func normalise(_ text: String, tmp: String? = nil) -> String {
        var t = Golden.normalise(text, tmp: tmp)
        t = t.replacingOccurrences(of: #"time="[0-9.]+""#, with: #"time="<time>""#, options: .regularExpression)
        t = t.replacingOccurrences(of: #"\"seconds\" : [0-9.e-]+"#, with: "\"seconds\" : <time>", options: .regularExpression)
        return t
    }

    func expectNarrow(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for line in text.split(separator: "\n") {
            #expect(line.count <= 100, "wider than 100 columns: \(line)", sourceLocation: sourceLocation)
        }
    }

    @Test func aCaptureWithContextPropagatedPasses() throws {
        let run = try CLI.run(["check"] + Self.propagated)
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        Golden.check(normalise(run.stdout), "check-pass.txt")
        expectNarrow(run.stdout)
        #expect(run.stdout.hasSuffix("PASS: every rule passed (11 rules checked, 2 skipped), exit 0\n"))
    }

    @Test func lostContextFailsWithExitOneAndNamesTheRuleAndTheOperation() throws {
        let run = try CLI.run(["check"] + Self.unpropagated)
        #expect(run.status == 1)
        #expect(run.stderr.isEmpty)
        Golden.check(normalise(run.stdout), "check-fail.txt")
        expectNarrow(run.stdout)
        #expect(run.stdout.contains("FAIL  fragment_trace"))
        #expect(run.stdout.contains("fragment_trace from orders `enrich-order`: 10 traces, started inside orders `POST /v1/orders`"))
        #expect(run.stdout.contains("tracedoctor explain "))
        #expect(run.stdout.hasSuffix("FAIL: 4 rules failed, 1 warning (11 rules checked, 2 skipped), exit 1\n"))
    }

    @Test func jsonHasTheVerdictAndEveryRule() throws {
        let run = try CLI.run(["check", "--format", "json"] + Self.unpropagated)
        #expect(run.status == 1)
        #expect(run.stderr.isEmpty)
        Golden.check(normalise(run.stdout), "check-fail.json")
        let json = try CLI.json(run.stdout)
        #expect(json["status"] as? String == "fail")
        #expect(json["exit_code"] as? Int == 1)
        let rules = json["rules"] as? [[String: Any]] ?? []
        #expect(rules.count == 13)
        let fragment = try #require(rules.first { $0["rule"] as? String == "fragment_trace" })
        #expect(fragment["status"] as? String == "fail")
        #expect(fragment["actual_value"] as? Double == 10)
        #expect((fragment["examples"] as? [[String: Any]])?.first?["explain"] as? String != nil)
        #expect((json["metrics"] as? [String: Any])?["timing_violations_per_1000_spans"] as? Double == 0)
    }

    @Test func quietPrintsOnlyTheVerdictOfAFailure() throws {
        let pass = try CLI.run(["check", "--quiet"] + Self.propagated)
        #expect(pass.status == 0 && pass.stdout.isEmpty && pass.stderr.isEmpty)
        let fail = try CLI.run(["check", "--quiet"] + Self.unpropagated)
        #expect(fail.status == 1)
        #expect(fail.stdout.isEmpty)
        #expect(fail.stderr == "tracedoctor check: FAIL: 4 rules failed, 1 warning (11 rules checked, 2 skipped)\n")
    }

    @Test func aPolicyChangesTheVerdict() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let policy = tmp + "/tracedoctor.yml"
        try """
        # the pool task is known to lose its context; tracked in another issue
        rules:
          trace_completeness: {min: 0%}
          parent_linkage: {min: 0%}
          fragment_trace:
            allow:
              - {service: orders, operation: enrich-order}
          unaccounted_share: {severity: warning}
          required_root_operations: {operations: [POST /v1/orders]}
        """.write(toFile: policy, atomically: true, encoding: .utf8)
        let run = try CLI.run(["check", "--policy", policy] + Self.unpropagated)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.contains("pass  fragment_trace  none allowed  0 (10 allowed)") || run.stdout.contains("0 (10 allowed)"))
        #expect(run.stdout.contains("WARN unaccounted_share (warning)"))
        #expect(run.stdout.contains("($TMP/tracedoctor.yml:8 sets this rule)") || run.stdout.contains(policy + ":8 sets this rule"))
        #expect(run.stdout.hasSuffix("WARN: 2 warnings (12 rules checked, 1 skipped), exit 0\n"))
    }

    @Test func aBadPolicyIsAnInputErrorNamingTheKeyAndItsLine() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let policy = tmp + "/tracedoctor.yml"
        try "version: 1\nrules:\n  trace_completness:\n    min: 90%\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let run = try CLI.run(["check", "--policy", policy] + Self.propagated)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        Golden.check(normalise(run.stderr, tmp: tmp), "check-bad-policy.txt")
        #expect(run.stderr.contains("tracedoctor.yml:3:3: unknown key 'trace_completness' in rules (did you mean 'trace_completeness'?)"))

        try "rules:\n  coverage: {min: 50}\n".write(toFile: policy, atomically: true, encoding: .utf8)
        let value = try CLI.run(["check", "--policy", policy] + Self.propagated)
        #expect(value.status == 2)
        #expect(value.stderr.contains("tracedoctor.yml:2:19: rules.coverage.min: '50' is more than 100%; write 95% or 0.95, not 95"))

        let missing = try CLI.run(["check", "--policy", tmp + "/nope.yml"] + Self.propagated)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.yml: cannot read the policy: no such file"))
    }

    @Test func missingOrEmptyInputIsAnInputError() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let missing = try CLI.run(["check", tmp + "/otel-out/traces.jsonl"])
        #expect(missing.status == 2)
        #expect(missing.stdout.isEmpty)
        #expect(normalise(missing.stderr, tmp: tmp) == "tracedoctor: error: $TMP/otel-out/traces.jsonl: cannot read: no such file or directory\n")

        try "".write(toFile: tmp + "/empty.jsonl", atomically: true, encoding: .utf8)
        let empty = try CLI.run(["check", tmp + "/empty.jsonl"])
        #expect(empty.status == 2)
        #expect(empty.stdout.isEmpty)
        #expect(empty.stderr.contains("the file is empty"))
        let skipped = try CLI.run(["check", "--keep-going", tmp + "/empty.jsonl"])
        #expect(skipped.status == 2)
        #expect(skipped.stderr.contains("nothing to check"))

        let usage = try CLI.run(["check", "--format", "xml"] + Self.propagated)
        #expect(usage.status == 64)
        #expect(usage.stdout.isEmpty)
        // The temporary database is gone whatever happened.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("tracedoctor-check-") }
        #expect(leftovers.isEmpty)
    }

    @Test func theTemporaryDatabaseIsRemovedAndDbKeepsOne() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["check"] + Self.unpropagated, environment: ["TMPDIR": tmp])
        #expect(run.status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty)
        #expect(run.stdout.contains("The database was temporary and is gone"))

        let db = tmp + "/traces.db"
        let kept = try CLI.run(["check", "--db", db] + Self.unpropagated)
        #expect(kept.status == 1)
        #expect(kept.stdout.contains("--db \(db)"))
        #expect(!kept.stdout.contains("The database was temporary"))
        // Without PATH, check looks at the database as it is.
        let again = try CLI.run(["check", "--db", db, "--format", "json"])
        #expect(again.status == 1)
        #expect(try CLI.json(again.stdout)["inputs"] is NSNull)
    }

    @Test func aBaselineWrittenOnAGoodCaptureFailsTheBrokenOne() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let baseline = tmp + "/traces-baseline.json"
        let write = try CLI.run(["check", "--write-baseline", baseline, "--quiet"] + Self.propagated)
        #expect(write.status == 0 && write.stdout.isEmpty && write.stderr.isEmpty)
        let written = try String(contentsOfFile: baseline, encoding: .utf8)
        Golden.check(written.replacingOccurrences(of: #""tracedoctor_version" : "[^"]+""#, with: #""tracedoctor_version" : "<version>""#, options: .regularExpression), "check-baseline.json")

        let same = try CLI.run(["check", "--baseline", baseline] + Self.propagated)
        #expect(same.status == 0)
        #expect(same.stdout.contains("baseline \(baseline): 0 regressions, 0 improvements"))

        let broken = try CLI.run(["check", "--baseline", baseline] + Self.unpropagated)
        #expect(broken.status == 1)
        #expect(broken.stderr.isEmpty)
        Golden.check(normalise(broken.stdout, tmp: tmp), "check-baseline-regression.txt")
        expectNarrow(broken.stdout.replacingOccurrences(of: tmp, with: "$TMP"))
        #expect(broken.stdout.contains("FAIL  baseline_fragment_sources"))
        #expect(broken.stdout.contains("new: fragment_trace from orders `enrich-order` (10 traces)"))

        // Backwards: the broken capture as the baseline lists the fix as improvements.
        let old = tmp + "/old.json"
        _ = try CLI.run(["check", "--write-baseline", old, "--quiet"] + Self.unpropagated)
        let fixed = try CLI.run(["check", "--baseline", old] + Self.propagated)
        #expect(fixed.status == 0)
        #expect(fixed.stdout.contains("improved: trace completeness rose from 0% to 100% (+100 points)"))
        #expect(fixed.stdout.contains("improved: fragment_trace from orders `enrich-order` is gone (10 traces in the baseline)"))

        try "{\"format\": \"something else\"}".write(toFile: old, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["check", "--baseline", old] + Self.propagated)
        #expect(bad.status == 2)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr.contains("not a tracedoctor baseline"))
    }

    @Test func junitWritesOneTestCasePerRule() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let junit = tmp + "/reports/traces.xml"
        try FileManager.default.createDirectory(atPath: tmp + "/reports", withIntermediateDirectories: true)
        let run = try CLI.run(["check", "--junit", junit, "--quiet"] + Self.unpropagated)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        Golden.check(
            normalise(xml).replacingOccurrences(
                of: #"name="tracedoctor_version" value="[^"]+""#, with: #"name="tracedoctor_version" value="<version>""#,
                options: .regularExpression), "check-junit.xml")
        let document = try XMLDocument(data: Data(xml.utf8), options: [])
        let suite = try #require(document.rootElement()?.elements(forName: "testsuite").first)
        #expect(suite.attribute(forName: "tests")?.stringValue == "13")
        #expect(suite.attribute(forName: "failures")?.stringValue == "4")
        #expect(suite.elements(forName: "testcase").filter { !$0.elements(forName: "failure").isEmpty }.count == 4)

        // Missing folders are created, as `mkdir -p` would.
        let nested = try CLI.run(["check", "--junit", tmp + "/missing-dir/deeper/traces.xml", "--quiet"] + Self.propagated)
        #expect(nested.status == 0)
        #expect(nested.stderr.isEmpty)
        #expect(FileManager.default.fileExists(atPath: tmp + "/missing-dir/deeper/traces.xml"))

        // A folder that cannot be made (a file stands in its way) is an input error naming the path.
        try "not a folder".write(toFile: tmp + "/a-file", atomically: true, encoding: .utf8)
        let nowhere = try CLI.run(["check", "--junit", tmp + "/a-file/traces.xml", "--quiet"] + Self.propagated)
        #expect(nowhere.status == 2)
        #expect(normalise(nowhere.stderr, tmp: tmp).contains("$TMP/a-file/traces.xml: cannot write:"))
    }

    @Test func onGitHubActionsAnnotationsAndAStepSummary() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let summary = tmp + "/step_summary.md"
        try "## Integration tests\n\n42 passed\n\n".write(toFile: summary, atomically: true, encoding: .utf8)
        let environment = ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary]
        let run = try CLI.run(["check"] + Self.unpropagated, environment: environment)
        #expect(run.status == 1)
        #expect(run.stderr.isEmpty)
        let annotations = run.stdout.split(separator: "\n").filter { $0.hasPrefix("::") }
        #expect(annotations.count == 5)
        #expect(annotations.filter { $0.hasPrefix("::error title=tracedoctor check%3A ") }.count == 4)
        #expect(annotations.contains { $0.hasPrefix("::error title=tracedoctor check%3A fragment_trace::10 traces split off") })
        #expect(annotations.allSatisfy { !$0.contains("\r") })
        Golden.check(normalise(annotations.joined(separator: "\n") + "\n"), "check-github-annotations.txt")
        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        #expect(markdown.hasPrefix("## Integration tests\n\n42 passed\n\n## tracedoctor check: ❌ FAIL\n"))
        Golden.check(normalise(markdown), "check-step-summary.md")

        // With JSON on stdout, the annotations go to stderr so that stdout stays one document.
        let json = try CLI.run(["check", "--format", "json"] + Self.unpropagated, environment: environment)
        #expect(json.status == 1)
        _ = try CLI.json(json.stdout)
        #expect(json.stderr.split(separator: "\n").filter { $0.hasPrefix("::error ") }.count == 4)

        // Passing: no annotation, and the summary says so.
        let pass = try CLI.run(["check"] + Self.propagated, environment: environment)
        #expect(pass.status == 0)
        #expect(!pass.stdout.contains("::"))
        #expect(try String(contentsOfFile: summary, encoding: .utf8).contains("## tracedoctor check: ✅ PASS"))

        // Not on GitHub Actions: neither.
        let local = try CLI.run(["check"] + Self.unpropagated, environment: ["GITHUB_STEP_SUMMARY": tmp + "/other.md"])
        #expect(!local.stdout.contains("::error"))
        #expect(!FileManager.default.fileExists(atPath: tmp + "/other.md"))
    }

    @Test func helpPrintsThePolicyWithItsDefaults() throws {
        let run = try CLI.run(["check", "--help"])
        #expect(run.status == 0)
        // The policy is printed as it is, not re-wrapped to the terminal: it can be copied into a file.
        #expect(run.stdout.contains("  # work that lost its context and became a trace of its own\n  fragment_trace:\n"))
        #expect(run.stdout.contains("\nbaseline:\n  max_completeness_drop: 1   # percentage points completeness may drop\n"))
        let after = try #require(run.stdout.components(separatedBy: "The policy file, every key with its default:\n").last)
        let policy = try #require(after.components(separatedBy: "\nUSAGE:").first)
        #expect(policy.hasPrefix("# tracedoctor.yml"))
        for line in policy.split(separator: "\n") { #expect(line.count <= 80, "re-wrapped: \(line)") }
    }
}
