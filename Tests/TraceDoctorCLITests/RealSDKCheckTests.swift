// `tracedoctor check` with its default policy on fresh captures of the real OpenTelemetry Python SDK
// (tests/realsdk): the orders program with its thread-pool task's context propagated passes, the
// same program submitting the task without context fails with exit 1 and names `fragment_trace`
// and the operation that lost it, in text, JSON and JUnit alike; a program whose HTTP client sends
// no `traceparent` fails on `unpropagated_call`.

import Foundation
import Testing

@Suite(.serialized) struct RealSDKCheckTests {
    func dict(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }
    func list(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }

    @Test(arguments: ["traces.otlp.json", "traces.pb"])
    func contextPropagatedPassesTheDefaultPolicy(file: String) throws {
        let dir = try RealSDK.scenario("propagated")
        #expect(try RealSDK.manifest("propagated")["propagated"] as? Bool == true)
        let run = try CLI.run(["check", dir + "/" + file, dir + "/app.log.jsonl"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.contains("pass  fragment_trace"))
        #expect(!run.stdout.contains("FAIL"))
        #expect(run.stdout.hasSuffix(", exit 0\n"))
    }

    @Test(arguments: ["traces.otlp.json", "traces.pb"])
    func contextLostFailsAndNamesFragmentTraceAndTheOperation(file: String) throws {
        let dir = try RealSDK.scenario("unpropagated")
        let manifest = try RealSDK.manifest("unpropagated")
        let fragments = list(manifest["fragments"])
        let worker = try #require(dict(manifest["worker"])["name"] as? String)
        let service = try #require(dict(manifest["worker"])["service"] as? String)
        let handler = try #require(dict(fragments.first?["suspected_parent"])["name"] as? String)
        #expect(worker == "enrich-order" && fragments.count == manifest["requests"] as? Int)

        let run = try CLI.run(["check", dir + "/" + file])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.contains("FAIL  fragment_trace"))
        #expect(
            run.stdout.contains(
                "fragment_trace from \(service) `\(worker)`: \(fragments.count) traces, started inside \(service) `\(handler)`"))
        #expect(run.stdout.contains("FAIL trace_completeness (error)"))
        #expect(run.stdout.contains(", exit 1\n"))
    }

    @Test(arguments: ["traces.otlp.json", "traces.pb"])
    func aCallSentWithoutContextFailsAndNamesUnpropagatedCallAndTheOperation(file: String) throws {
        let dir = try RealSDK.scenario("uninjected")
        let calls = list(try RealSDK.manifest("uninjected")["unpropagated_calls"])
        let client = dict(calls.first?["client"])
        let callee = dict(calls.first?["callee"])
        let run = try CLI.run(["check", dir + "/" + file])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.contains("FAIL  unpropagated_call         none allowed         \(calls.count) calls"))
        #expect(run.stdout.contains("pass  fragment_trace"))
        #expect(
            run.stdout.contains(
                "unpropagated_call from \(client["service"] as? String ?? "?") `\(client["name"] as? String ?? "?")` → "
                    + "\(callee["service"] as? String ?? "?"): \(calls.count) calls"))
        #expect(run.stdout.contains(", exit 1\n"))
    }

    @Test func theJSONAndJUnitOfTheLostContextNameTheSameFragments() throws {
        let dir = try RealSDK.scenario("unpropagated")
        let manifest = try RealSDK.manifest("unpropagated")
        let fragmentTraces = Set(list(manifest["fragments"]).compactMap { $0["trace_id"] as? String })
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let junit = tmp + "/traces.xml"
        let run = try CLI.run(["check", "--format", "json", "--junit", junit, dir + "/traces.otlp.json"])
        #expect(run.status == 1)
        let json = try CLI.json(run.stdout)
        #expect(json["status"] as? String == "fail")
        #expect(dict(json["diagnoses"])["fragment_trace"] as? Int == fragmentTraces.count)
        let rule = try #require(list(json["rules"]).first { $0["rule"] as? String == "fragment_trace" })
        #expect(rule["status"] as? String == "fail")
        #expect(rule["actual_value"] as? Double == Double(fragmentTraces.count))
        let examples = list(rule["examples"]).compactMap { $0["trace_id"] as? String }
        #expect(!examples.isEmpty)
        #expect(examples.allSatisfy { fragmentTraces.contains($0) }, "examples are the manifest's fragments")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"<failure message="\#(fragmentTraces.count) traces split off another trace (lost context): orders `enrich-order`"#))
    }

    @Test func aBaselineOfThePropagatedProgramCatchesTheRegression() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let baseline = tmp + "/baseline.json"
        let good = try CLI.run(["check", "--write-baseline", baseline, try RealSDK.scenario("propagated") + "/traces.otlp.json"])
        #expect(good.status == 0)
        let bad = try CLI.run(["check", "--baseline", baseline, try RealSDK.scenario("unpropagated") + "/traces.otlp.json"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("FAIL  baseline_fragment_sources"))
        #expect(bad.stdout.contains("new: fragment_trace from orders `enrich-order`"))
        let completeness = bad.stdout.split(separator: "\n").first { $0.hasPrefix("  FAIL  baseline_trace_completeness ") }
        #expect(completeness?.contains("100% → 0% (−100 points)") == true)
    }
}
