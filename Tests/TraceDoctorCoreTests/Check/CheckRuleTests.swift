// Each rule of a policy, passing and failing: threshold, measured value, status by severity, and
// what a failure says (the diagnosis, the operation, the worst traces).

import Testing

@testable import TraceDoctorCore

@Suite struct CheckRuleTests {
    typealias F = CheckFixtures

    func policy(_ yaml: String) throws -> Policy { try Policy.parse(yaml: yaml, path: "tracedoctor.yml") }

    @Test func wholeTracesPassEveryDefaultRule() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        let results = try F.evaluate(b)
        #expect(results.count == CheckRule.policyRules.count)
        for rule in [CheckRule.traceCompleteness, .parentLinkage, .orphanShare, .fragmentTrace, .unpropagatedCall] {
            #expect(results[rule]?.status == .pass, "\(rule)")
        }
        #expect(results[.traceCompleteness]?.actual == "100% (20 of 20 traces)")
        #expect(results[.traceCompleteness]?.threshold == "≥ 95%")
        #expect(results[.parentLinkage]?.actual == "100% (40 of 40 spans)")
        #expect(results[.fragmentTrace]?.actual == "0")
        #expect(results[.unaccountedShare]?.status == .pass)
        #expect(results[.timingViolations]?.status == .pass)
        // Nothing to measure: skipped, not passed.
        #expect(results[.logLinkage]?.status == .skipped)
        #expect(results[.logLinkage]?.message == "no log lines")
        #expect(results[.requiredServices]?.status == .skipped)
        #expect(results.values.allSatisfy { $0.examples.isEmpty && $0.details.isEmpty })
    }

    @Test func traceCompleteness() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.lostContext(&b, inside: 3, fragment: 100)
        // 19 of 21 whole: the fragment and the trace it split off.
        let failed = try #require(try F.evaluate(b)[.traceCompleteness])
        #expect(failed.status == .fail)
        #expect(failed.actual == "90.5% (19 of 21 traces)")
        #expect(failed.actualValue == 19.0 / 21.0)
        #expect(failed.message == "2 of 21 traces are incomplete")
        #expect(failed.details.contains("1 trace is a fragment of another trace"))
        #expect(failed.examples.count == 2)
        let passed = try #require(try F.evaluate(b, policy: policy("rules: {trace_completeness: {min: 90%}}"))[.traceCompleteness])
        #expect(passed.status == .pass)
        #expect(passed.threshold == "≥ 90%")
        let warned = try F.evaluate(b, policy: policy("rules: {trace_completeness: {severity: warning}}"))
        #expect(warned[.traceCompleteness]?.status == .warn)
        #expect(warned[.traceCompleteness]?.examples.isEmpty == false)
    }

    @Test func aValueJustBelowItsThresholdDoesNotReadAsEqual() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...40)
        F.orphan(&b, 41)
        F.orphan(&b, 42)
        // 40 of 42 = 95.2%; with a 95.3% minimum it fails and says so to the tenth.
        let r = try #require(try F.evaluate(b, policy: policy("rules: {trace_completeness: {min: 95.3%}}"))[.traceCompleteness])
        #expect(r.status == .fail)
        #expect(r.threshold == "≥ 95.3%")
        #expect(r.actual.hasPrefix("95.2% "))
    }

    @Test func parentLinkage() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.orphan(&b, 50)
        let results = try F.evaluate(b)
        let failed = try #require(results[.parentLinkage])
        #expect(failed.status == .fail)
        #expect(failed.actual == "97.6% (40 of 41 spans)")
        #expect(failed.message == "1 of 41 spans that should have a parent lack it")
        #expect(failed.details.first?.hasPrefix("missing_parent in orders (cache.get): 1 span in 1 trace; ") == true)
        #expect(failed.examples.first?.traceID == SpanBuilder.trace(50))
        let passed = try F.evaluate(b, policy: policy("rules: {parent_linkage: {min: 97%}}"))
        #expect(passed[.parentLinkage]?.status == .pass)
    }

    @Test func orphanShare() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.orphan(&b, 50)
        let failed = try #require(try F.evaluate(b)[.orphanShare])
        #expect(failed.status == .fail)
        #expect(failed.threshold == "≤ 1%")
        #expect(failed.actual == "1.6% (1 of 61 spans)")
        #expect(failed.message == "1 span name a parent that is not in the trace (missing_parent)")
        #expect(failed.examples.map(\.summary) == ["orders `cache.get`: 1 span whose parent never arrived (cache.get)"])
        let passed = try F.evaluate(b, policy: policy("rules: {orphan_share: {max: 2%}}"))
        #expect(passed[.orphanShare]?.status == .pass)
    }

    @Test func fragmentTraceFailsByDefaultAndNamesTheOperation() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.lostContext(&b, inside: 3, fragment: 100)
        let failed = try #require(try F.evaluate(b)[.fragmentTrace])
        #expect(failed.status == .fail)
        #expect(failed.threshold == "none allowed")
        #expect(failed.actual == "1 fragment trace from 1 source")
        #expect(failed.message == "1 trace split off another trace (lost context): orders `enrich-order`")
        #expect(failed.details.count == 1)
        #expect(failed.details[0].hasPrefix("fragment_trace from orders `enrich-order`: 1 trace, started inside orders `persist`"))
        let example = try #require(failed.examples.first)
        #expect(example.traceID == SpanBuilder.trace(100))
        #expect(example.summary.contains("started inside orders `persist` of trace"))
    }

    @Test func fragmentTracePassesWhenAllowed() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.lostContext(&b, inside: 3, fragment: 100)
        let listed = try F.evaluate(b, policy: policy("rules: {fragment_trace: {allow: [{service: orders, operation: enrich-order}]}}"))
        #expect(listed[.fragmentTrace]?.status == .pass)
        #expect(listed[.fragmentTrace]?.actual == "0 (1 allowed)")
        #expect(listed[.fragmentTrace]?.threshold == "only 1 allowed source(s)")
        let otherListed = try F.evaluate(b, policy: policy("rules: {fragment_trace: {allow: [{operation: warm-cache}]}}"))
        #expect(otherListed[.fragmentTrace]?.status == .fail)
        let allowed = try F.evaluate(b, policy: policy("rules: {fragment_trace: {allowed: true}}"))
        #expect(allowed[.fragmentTrace]?.status == .pass)
        #expect(allowed[.fragmentTrace]?.threshold == "allowed")
        let warning = try F.evaluate(b, policy: policy("rules: {fragment_trace: {severity: warning}}"))
        #expect(warning[.fragmentTrace]?.status == .warn)
    }

    @Test func unpropagatedCall() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.unpropagatedCall(&b, client: 30, callee: 31)
        let failed = try #require(try F.evaluate(b)[.unpropagatedCall])
        #expect(failed.status == .fail)
        #expect(failed.actual == "1 call")
        #expect(failed.message == "1 call sent without trace context: orders `POST /invoice` → billing")
        #expect(failed.details == ["unpropagated_call from orders `POST /invoice` → billing: 1 call"])
        #expect(failed.examples.first?.traceID == SpanBuilder.trace(30))
        let allowed = try F.evaluate(b, policy: policy("rules: {unpropagated_call: {allow: [{service: orders}]}}"))
        #expect(allowed[.unpropagatedCall]?.status == .pass)
    }

    @Test func remoteParentMissingIsAllowedUnlessThePolicySaysOtherwise() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.remoteIngress(&b, 40)
        let byDefault = try #require(try F.evaluate(b)[.remoteParentMissing])
        #expect(byDefault.status == .pass)
        #expect(byDefault.actual == "1 span (allowed)")
        let strict = try #require(try F.evaluate(b, policy: policy("rules: {remote_parent_missing: {allowed: false}}"))[.remoteParentMissing])
        #expect(strict.status == .fail)
        #expect(strict.details == ["remote_parent_missing in frontend `GET /`: 1 span"])
        #expect(strict.examples.first?.summary.hasPrefix("frontend `GET /` was called by") == true)
        let upstream = try F.evaluate(b, policy: policy("rules: {remote_parent_missing: {allowed: false, allow: [{service: frontend}]}}"))
        #expect(upstream[.remoteParentMissing]?.status == .pass)
    }

    @Test func unaccountedShare() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...5)
        F.slowRoot(&b, 10)
        let failed = try #require(try F.evaluate(b)[.unaccountedShare])
        #expect(failed.status == .fail)
        #expect(failed.threshold == "≤ 50% per root")
        #expect(failed.actual == "max 90% (1 of 6 roots above)")
        #expect(failed.details == ["orders `POST /v1/chat-messages`: 1 of 1 root above 50%"])
        #expect(failed.examples.first?.summary.contains("largest gap 900 ms in orders `POST /v1/chat-messages`") == true)
        let byOperation = try F.evaluate(
            b, policy: policy(#"rules: {unaccounted_share: {per_operation: {"POST /v1/chat-messages": 95%}}}"#))
        #expect(byOperation[.unaccountedShare]?.status == .pass)
        #expect(byOperation[.unaccountedShare]?.threshold == "≤ 50% per root (+1 overrides)")
        let byService = try F.evaluate(b, policy: policy("rules: {unaccounted_share: {per_service: {orders: 10%}}}"))
        #expect(byService[.unaccountedShare]?.status == .fail)
        let lower = try F.evaluate(b, policy: policy("rules: {unaccounted_share: {max: 95%, per_service: {orders: 80%}}}"))
        #expect(lower[.unaccountedShare]?.status == .fail)
    }

    @Test func coverageWarnsByDefault() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...5)
        F.slowRoot(&b, 10)
        let warned = try #require(try F.evaluate(b)[.coverage])
        #expect(warned.status == .warn)
        #expect(warned.actual == "lowest 10% (1 of 1 root below)")
        #expect(warned.message == "spans cover less than the limit of 1 of 1 root")
        #expect(warned.examples.first?.summary == "orders `POST /v1/chat-messages`: 10% covered by its spans over 1 s")
        let error = try F.evaluate(b, policy: policy("rules: {coverage: {severity: error}}"))
        #expect(error[.coverage]?.status == .fail)
        let exempt = try F.evaluate(b, policy: policy(#"rules: {coverage: {per_operation: {"POST /v1/chat-messages": 5%}}}"#))
        #expect(exempt[.coverage]?.status == .pass)
    }

    @Test func coverageOfWholeTracesHasNothingToMeasure() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...3)
        let r = try #require(try F.evaluate(b)[.coverage])
        #expect(r.status == .pass)
        #expect(r.actual == "no root with 10 ms or more uncovered")
    }

    @Test func timingViolations() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.earlyChild(&b, 30)
        let warned = try #require(try F.evaluate(b)[.timingViolations])
        #expect(warned.status == .warn)
        #expect(warned.threshold == "≤ 10 per 1000 spans")
        #expect(warned.actual == "16.13 per 1000 (1 child)")
        #expect(warned.details.first == "child_before_parent: 1, child_after_parent: 0")
        #expect(warned.examples.first?.summary == "orders `prefetch` starts 20 ms before its parent orders `GET /early`")
        let loose = try F.evaluate(b, policy: policy("rules: {timing_violations: {max_per_1000_spans: 20}}"))
        #expect(loose[.timingViolations]?.status == .pass)
    }

    @Test func logLinkage() throws {
        var b = SpanBuilder()
        let root = b.add(1, 1, "GET /", .server, F.orders, 0, 100)
        let inside = root.startNs! + 50 * SpanBuilder.ms
        let linked = LogReference(traceID: root.traceID, spanID: root.spanID, service: "orders", timeNs: inside)
        let unlinked = LogReference(traceID: nil, spanID: nil, service: "orders", timeNs: inside)
        let warned = try #require(try F.evaluate(b, logs: [linked, unlinked, unlinked])[.logLinkage])
        #expect(warned.status == .warn)
        #expect(warned.actual == "33.3% (1 of 3 lines)")
        #expect(warned.message == "2 of 3 log lines cannot be joined to a span")
        let passed = try F.evaluate(b, logs: [linked, linked, unlinked])
        #expect(passed[.logLinkage]?.status == .pass)
    }

    @Test func requiredServicesAndRootOperations() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...2)
        let strict = try policy(
            """
            rules:
              required_services: {services: [orders, payments]}
              required_root_operations: {operations: [GET /orders, POST /orders]}
            """)
        let results = try F.evaluate(b, policy: strict)
        #expect(results[.requiredServices]?.status == .fail)
        #expect(results[.requiredServices]?.actual == "1 of 2 present")
        #expect(results[.requiredServices]?.message == "missing from the capture: payments")
        #expect(results[.requiredServices]?.details == ["no service named 'payments'"])
        #expect(results[.requiredRootOperations]?.status == .fail)
        #expect(results[.requiredRootOperations]?.message == "missing from the capture: POST /orders")
        // `validate` is a span of the capture, not a root.
        let present = try F.evaluate(
            b, policy: policy("rules: {required_services: {services: [orders]}, required_root_operations: {operations: [validate]}}"))
        #expect(present[.requiredServices]?.status == .pass)
        #expect(present[.requiredServices]?.actual == "all present")
        #expect(present[.requiredRootOperations]?.status == .fail)
    }

    @Test func aRuleTurnedOffIsSkippedWhateverItMeasures() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...20)
        F.lostContext(&b, inside: 3, fragment: 100)
        let results = try F.evaluate(b, policy: policy("rules: {fragment_trace: {severity: off}, trace_completeness: {severity: off}}"))
        #expect(results[.fragmentTrace]?.status == .skipped)
        #expect(results[.fragmentTrace]?.message == "off in the policy")
        #expect(results[.fragmentTrace]?.examples.isEmpty == true)
        #expect(results[.traceCompleteness]?.status == .skipped)
        #expect(results[.fragmentTrace]?.line == 1)
    }

    @Test func theVerdictFailsOnlyOnErrors() throws {
        var healthy = SpanBuilder()
        F.healthy(&healthy, 1...20)
        let pass = try F.result(healthy)
        #expect(pass.status == .pass && pass.exitCode == 0)
        #expect(pass.headline == "PASS: every rule passed (10 rules checked, 3 skipped)")

        var slow = healthy
        F.slowRoot(&slow, 30)
        let lenient = try policy("rules: {unaccounted_share: {severity: warning}}")
        let warn = try F.result(slow, policy: lenient)
        #expect(warn.status == .warn && warn.exitCode == 0)
        #expect(warn.violations.map(\.rule) == [.unaccountedShare, .coverage])

        var broken = slow
        F.lostContext(&broken, inside: 3, fragment: 100)
        let fail = try F.result(broken, policy: lenient)
        #expect(fail.status == .fail && fail.exitCode == 1)
        #expect(fail.violations.first?.status == .fail)
        #expect(fail.violations.last?.status == .warn)
        // fragment_trace, and the completeness and linkage it costs.
        #expect(fail.headline == "FAIL: 3 rules failed, 2 warnings (10 rules checked, 3 skipped)")
    }

    @Test func theExplainCommandKeepsTheDatabaseWhenThereIsOne() throws {
        var b = SpanBuilder()
        F.healthy(&b, 1...1)
        let id = SpanBuilder.trace(1)
        #expect(try F.result(b).explainCommand(id) == "tracedoctor explain \(id.hex)")
        #expect(try F.result(b, database: "ci/traces.db").explainCommand(id) == "tracedoctor explain \(id.hex) --db ci/traces.db")
        #expect(try F.result(b, database: "my traces.db").explainCommand(id).hasSuffix("--db 'my traces.db'"))
    }
}
