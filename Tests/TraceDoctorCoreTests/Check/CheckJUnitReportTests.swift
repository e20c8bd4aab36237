// The JUnit XML of a check, parsed back and held to the common JUnit schema shape that CI
// dashboards read: testsuites > testsuite (name, tests, failures, errors, skipped, time) >
// testcase (name, classname, time) with failure (message, type), skipped or system-out.

import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import TraceDoctorCore

@Suite struct CheckJUnitReportTests {
    typealias F = CheckFixtures

    /// A check with every status: fragment_trace and what it costs fail, coverage warns, logs are skipped.
    func mixedResult(policyPath: String? = "ci/tracedoctor.yml", baseline: BaselineComparison? = nil) throws -> CheckResult {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.lostContext(&b, inside: 3, fragment: 100)
        F.slowRoot(&b, 40)
        var policy = try Policy.parse(yaml: "rules:\n  unaccounted_share: {severity: warning}\n", path: policyPath ?? "-")
        policy.path = policyPath
        return try F.result(b, policy: policy, baseline: baseline)
    }

    func parse(_ xml: String) throws -> XMLElement {
        let document = try XMLDocument(data: Data(xml.utf8), options: [])
        return try #require(document.rootElement())
    }

    func attribute(_ e: XMLElement, _ name: String) -> String? { e.attribute(forName: name)?.stringValue }

    func int(_ e: XMLElement, _ name: String) -> Int? { attribute(e, name).flatMap { Int($0) } }

    func children(_ e: XMLElement, _ name: String) -> [XMLElement] { e.elements(forName: name) }

    @Test func theReportHasTheCommonSchemaShapeAndConsistentCounts() throws {
        let result = try mixedResult()
        let root = try parse(JUnitReport.render(result))
        #expect(root.name == "testsuites")
        let suites = children(root, "testsuite")
        #expect(suites.count == 1)
        let suite = try #require(suites.first)
        for required in ["name", "tests", "failures", "errors", "skipped", "time"] {
            #expect(attribute(suite, required) != nil, "testsuite@\(required)")
            #expect(attribute(root, required) != nil, "testsuites@\(required)")
        }
        #expect(Double(try #require(attribute(suite, "time"))) == 0.25)
        let cases = children(suite, "testcase")
        #expect(cases.count == result.rules.count)
        #expect(int(suite, "tests") == cases.count)
        #expect(int(suite, "failures") == cases.filter { !children($0, "failure").isEmpty }.count)
        #expect(int(suite, "skipped") == cases.filter { !children($0, "skipped").isEmpty }.count)
        #expect(int(suite, "errors") == 0)
        for key in ["tests", "failures", "errors", "skipped"] { #expect(int(root, key) == int(suite, key)) }
        #expect(int(suite, "failures") == 3)
        #expect(int(suite, "skipped") == 3)
        for c in cases {
            #expect(attribute(c, "name").map { CheckRule(rawValue: $0) != nil } == true)
            #expect(attribute(c, "classname") == "tracedoctor.check")
            #expect(attribute(c, "time") != nil)
            // At most one outcome element per test case.
            #expect(children(c, "failure").count + children(c, "skipped").count <= 1)
        }
        #expect(cases.map { attribute($0, "name") } == result.rules.map(\.rule.name))
    }

    @Test func aFailureCarriesTheRuleTheNumbersAndTheWorstTraces() throws {
        let result = try mixedResult()
        let suite = try #require(children(try parse(JUnitReport.render(result)), "testsuite").first)
        let fragment = try #require(children(suite, "testcase").first { attribute($0, "name") == "fragment_trace" })
        let failure = try #require(children(fragment, "failure").first)
        #expect(attribute(failure, "type") == "fragment_trace")
        let message = try #require(attribute(failure, "message"))
        #expect(message.hasPrefix("1 trace split off another trace (lost context): orders `enrich-order`; "))
        #expect(message.hasSuffix("1 fragment trace from 1 source (threshold none allowed)"))
        let body = try #require(failure.stringValue)
        #expect(body.contains("fragment_trace from orders `enrich-order`: 1 trace, started inside orders `persist`"))
        #expect(body.contains("worst traces:"))
        #expect(body.contains("tracedoctor explain \(SpanBuilder.trace(100).hex)"))
        // A warning is not a failure: its report is in system-out.
        let coverage = try #require(children(suite, "testcase").first { attribute($0, "name") == "coverage" })
        #expect(children(coverage, "failure").isEmpty)
        #expect(children(coverage, "system-out").first?.stringValue?.hasPrefix("warning: spans cover less") == true)
        let logs = try #require(children(suite, "testcase").first { attribute($0, "name") == "log_linkage" })
        #expect(children(logs, "skipped").first.flatMap { attribute($0, "message") } == "no log lines")
    }

    @Test func propertiesNameThePolicyAndTheCapture() throws {
        let suite = try #require(children(try parse(JUnitReport.render(try mixedResult(policyPath: nil))), "testsuite").first)
        let properties = try #require(children(suite, "properties").first)
        let values = Dictionary(
            uniqueKeysWithValues: children(properties, "property").map { (attribute($0, "name") ?? "", attribute($0, "value") ?? "") })
        #expect(values["policy"] == "built-in defaults")
        #expect(values["traces"] == "22")
        #expect(values["spans"] == "63")
        #expect(values["tracedoctor_version"] == TraceDoctorVersion.current)
    }

    @Test func baselineComparisonsAreTestCasesOfTheirOwnClass() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        let before = Baseline(try F.report(b))
        var now = before
        now.metrics.traceCompleteness = 0.5
        let comparison = BaselineComparison(path: "baseline.json", baseline: before, current: now, tolerance: .init())
        let result = try mixedResult(baseline: comparison)
        let suite = try #require(children(try parse(JUnitReport.render(result)), "testsuite").first)
        let baselineCases = children(suite, "testcase").filter { attribute($0, "classname") == "tracedoctor.check.baseline" }
        #expect(baselineCases.map { attribute($0, "name") ?? "" } == comparison.rules.map(\.rule.name))
        #expect(baselineCases.first.map { children($0, "failure").count } == 1)
        #expect(int(suite, "failures") == 4)
    }

    @Test func namesFromADumpCannotBreakTheXML() throws {
        // Span names are whatever the instrumented code wrote: markup, quotes, control characters.
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        let weird = "<script>&\"quote\" 'single' \u{1}\u{7}ctl\tand\nnewline ]]>"
        b.add(100, 1001, weird, .internal, F.orders, 3060, 3090)
        let result = try F.result(b)
        let xml = JUnitReport.render(result)
        let suite = try #require(children(try parse(xml), "testsuite").first)
        let fragment = try #require(children(suite, "testcase").first { attribute($0, "name") == "fragment_trace" })
        let failure = try #require(children(fragment, "failure").first)
        let message = try #require(attribute(failure, "message"))
        #expect(message.contains("<script>&\"quote\" 'single' \u{FFFD}\u{FFFD}ctl\tand\nnewline ]]>"))
        #expect(failure.stringValue?.contains("<script>&\"quote\"") == true)
        #expect(!xml.contains("\u{1}"))
    }

    @Test func escapingKeepsWhatXMLAllowsAndReplacesTheRest() {
        #expect(JUnitReport.attribute("a&b<c>\"d\"'e'\n") == "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;&#10;")
        #expect(JUnitReport.text("a&b<c>\"d\"\n") == "a&amp;b&lt;c&gt;\"d\"\n")
        #expect(JUnitReport.clean("ok\u{0}\u{1B}\u{FFFE}😀") == "ok\u{FFFD}\u{FFFD}\u{FFFD}😀")
    }
}
