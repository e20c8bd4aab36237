// GitHub Actions output of a check: `::error`/`::warning` workflow commands escaped as the runner
// expects, and the Markdown job summary appended to $GITHUB_STEP_SUMMARY.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct CheckGitHubTests {
    typealias F = CheckFixtures

    func brokenResult(policyPath: String?) throws -> CheckResult {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.lostContext(&b, inside: 3, fragment: 100)
        F.slowRoot(&b, 40)
        var policy = try Policy.parse(yaml: "rules:\n  unaccounted_share: {severity: warning}\n", path: policyPath ?? "-")
        policy.path = policyPath
        return try F.result(b, policy: policy)
    }

    /// (command, properties, message) of each workflow command line.
    func commands(_ text: String) throws -> [(command: String, properties: [String: String], message: String)] {
        try text.split(separator: "\n").map { line in
            #expect(line.hasPrefix("::"))
            let body = line.dropFirst(2)
            let end = try #require(body.range(of: "::"))
            let head = body[..<end.lowerBound]
            let message = String(body[end.upperBound...])
            let space = head.firstIndex(of: " ") ?? head.endIndex
            var properties: [String: String] = [:]
            for pair in head[space...].dropFirst().split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                properties[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
            }
            return (String(head[..<space]), properties, message)
        }
    }

    /// What the runner makes of an escaped value.
    func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%0A", with: "\n")
            .replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%2C", with: ",")
            .replacingOccurrences(of: "%25", with: "%")
    }

    @Test func dataAndPropertiesAreEscapedAsTheRunnerExpects() {
        #expect(GitHubAnnotations.escapeData("50% of\r\nspans: a, b") == "50%25 of%0D%0Aspans: a, b")
        #expect(GitHubAnnotations.escapeProperty("ci/policy: v2, final%.yml") == "ci/policy%3A v2%2C final%25.yml")
        #expect(GitHubAnnotations.escapeProperty("a\nb") == "a%0Ab")
        // `%` first: an already escaped-looking value survives the round trip.
        #expect(unescape(GitHubAnnotations.escapeProperty("%3A:%0A")) == "%3A:%0A")
    }

    @Test func oneErrorPerFailedRuleAndOneWarningPerWarning() throws {
        let result = try brokenResult(policyPath: "ci/tracedoctor.yml")
        let lines = try commands(GitHubAnnotations.render(result))
        #expect(lines.map(\.command) == ["error", "error", "error", "warning", "warning"])
        #expect(lines.map { unescape($0.properties["title"] ?? "") } == result.violations.map { "tracedoctor check: \($0.rule.name)" })
        let fragment = try #require(lines.first { $0.properties["title"] == "tracedoctor check%3A fragment_trace" })
        // No line in the policy sets fragment_trace: no file to point at.
        #expect(fragment.properties["file"] == nil)
        let message = unescape(fragment.message)
        #expect(message.hasPrefix("1 trace split off another trace (lost context): orders `enrich-order`\n"))
        #expect(message.contains("\nfragment_trace from orders `enrich-order`: 1 trace, started inside orders `persist`"))
        #expect(message.contains("\ntracedoctor explain \(SpanBuilder.trace(100).hex)"))
        #expect(!fragment.message.contains("\n"))
        // The rule the policy sets points at its line.
        let unaccounted = try #require(lines.first { unescape($0.properties["title"] ?? "") == "tracedoctor check: unaccounted_share" })
        #expect(unaccounted.properties["file"] == "ci/tracedoctor.yml")
        #expect(unaccounted.properties["line"] == "2")
    }

    @Test func aPolicyPathWithColonsAndCommasStaysOneProperty() throws {
        let result = try brokenResult(policyPath: "ci/a:b,c.yml")
        let text = GitHubAnnotations.render(result)
        #expect(text.contains("::warning file=ci/a%3Ab%2Cc.yml,line=2,title=tracedoctor check%3A unaccounted_share::"))
    }

    @Test func aPassingCheckWritesNoAnnotation() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...5)
        #expect(GitHubAnnotations.render(try F.result(b)) == "")
    }

    @Test func theStepSummaryHasTheVerdictEveryRuleAndTheWorstTraces() throws {
        let result = try brokenResult(policyPath: nil)
        let md = GitHubStepSummary.render(result)
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "## tracedoctor check: ❌ FAIL")
        #expect(lines.filter { $0.hasPrefix("| ") && $0.contains("| `") }.count == result.rules.count)
        #expect(md.contains("| ❌ | `fragment_trace` | none allowed | 1 fragment trace from 1 source |"))
        #expect(md.contains("| ⏭️ | `log_linkage` | ≥ 50% | skipped: no log lines |"))
        #expect(md.contains("### ❌ `fragment_trace` (error)"))
        #expect(md.contains("<br>`tracedoctor explain \(SpanBuilder.trace(100).hex)`"))
        #expect(md.hasSuffix("\n\n"))
        #expect(GitHubStepSummary.cell("a | b\nc <b>") == "a \\| b c &lt;b&gt;")
    }

    @Test func theStepSummaryIsAppendedNotReplaced() throws {
        let path = NSTemporaryDirectory() + "tracedoctor-summary-\(UUID().uuidString).md"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "## Unit tests\n\nall green\n\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try brokenResult(policyPath: nil)
        try OutputFile.append(GitHubStepSummary.render(result), to: path)
        try OutputFile.append(GitHubStepSummary.render(result), to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("## Unit tests\n\nall green\n\n## tracedoctor check: ❌ FAIL\n"))
        #expect(text.components(separatedBy: "## tracedoctor check:").count == 3)
        // A summary file that does not exist yet is created.
        let fresh = path + ".new"
        defer { try? FileManager.default.removeItem(atPath: fresh) }
        try OutputFile.append("x\n", to: fresh)
        #expect(try String(contentsOfFile: fresh, encoding: .utf8) == "x\n")
        #expect(throws: TraceDoctorError.self) { try OutputFile.append("x", to: "/nonexistent/dir/summary.md") }
    }
}
