// Small captures for the check tests, built span by span: whole traces, and each way a capture
// breaks a rule (lost context, orphans, gaps, skew, logs without IDs).

@testable import TraceDoctorCore

enum CheckFixtures {
    static let orders = SpanProcess(service: "orders", host: "orders-1", instanceID: "i-1", pid: "41")
    static let billing = SpanProcess(service: "billing", host: "billing-1")
    static let frontend = SpanProcess(service: "frontend", host: "web-1")

    /// Whole traces of orders `GET /orders`, 100 ms each, fully covered by two children, one every second.
    static func healthy(_ b: inout SpanBuilder, _ traces: ClosedRange<UInt64>) {
        for t in traces {
            let s = Int64(t) * 1000
            b.add(t, t * 10 + 1, "GET /orders", .server, orders, s, s + 100)
            b.add(t, t * 10 + 2, parent: t * 10 + 1, "validate", .internal, orders, s, s + 50)
            b.add(t, t * 10 + 3, parent: t * 10 + 1, "persist", .internal, orders, s + 50, s + 100)
        }
    }

    /// A pool task that lost its context: trace `fragment`, a new INTERNAL root `enrich-order`
    /// running inside `persist` of healthy trace `inside`.
    static func lostContext(_ b: inout SpanBuilder, inside t: UInt64, fragment: UInt64) {
        let s = Int64(t) * 1000
        b.add(fragment, fragment * 10 + 1, "enrich-order", .internal, orders, s + 60, s + 90)
    }

    /// Trace `t` whose only span names a parent that never arrived (local, so `missing_parent`).
    static func orphan(_ b: inout SpanBuilder, _ t: UInt64) {
        let s = Int64(t) * 1000
        b.add(t, t * 10 + 1, parent: 999_999, "cache.get", .internal, orders, s, s + 5)
    }

    /// checkout calls billing without a traceparent: billing's server span starts a trace of its own.
    static func unpropagatedCall(_ b: inout SpanBuilder, client t: UInt64, callee: UInt64) {
        let s = Int64(t) * 1000
        b.add(t, t * 10 + 1, "checkout", .server, orders, s, s + 100)
        b.add(t, t * 10 + 2, parent: t * 10 + 1, "POST /invoice", .client, orders, s, s + 100, peers: ["billing"])
        b.add(callee, callee * 10 + 1, "POST /invoice", .server, billing, s + 5, s + 95)
    }

    /// frontend's ingress span, called by a gateway that is not in the capture (remote parent).
    static func remoteIngress(_ b: inout SpanBuilder, _ t: UInt64) {
        let s = Int64(t) * 1000
        b.add(t, t * 10 + 1, parent: 888_888, "GET /", .server, frontend, s, s + 10, flags: 0x300)
    }

    /// A root of 1 s whose one child covers its first 100 ms: 90% unaccounted, 10% coverage.
    static func slowRoot(_ b: inout SpanBuilder, _ t: UInt64, name: String = "POST /v1/chat-messages") {
        let s = Int64(t) * 1000
        b.add(t, t * 10 + 1, name, .server, orders, s, s + 1000)
        b.add(t, t * 10 + 2, parent: t * 10 + 1, "llm.call", .client, orders, s, s + 100)
    }

    /// A child that starts 20 ms before its parent on the same host (no skew to adjust).
    static func earlyChild(_ b: inout SpanBuilder, _ t: UInt64) {
        let s = Int64(t) * 1000
        b.add(t, t * 10 + 1, "GET /early", .server, orders, s + 20, s + 100)
        b.add(t, t * 10 + 2, parent: t * 10 + 1, "prefetch", .internal, orders, s, s + 100)
    }

    /// Diagnoses `b` (with `logs`) under the policy's analysis options.
    static func report(_ b: SpanBuilder, policy: Policy = Policy(), logs: [LogReference] = []) throws -> DiagnosisReport {
        var source = b.source
        source.logs = logs
        return try Diagnoser.diagnose(source, options: policy.analysisOptions)
    }

    /// Every rule of `policy` against `b`, by rule.
    static func evaluate(_ b: SpanBuilder, policy: Policy = Policy(), logs: [LogReference] = []) throws -> [CheckRule: RuleResult] {
        let results = PolicyEvaluator(policy: policy, report: try report(b, policy: policy, logs: logs)).evaluate()
        return Dictionary(uniqueKeysWithValues: results.map { ($0.rule, $0) })
    }

    /// The check result of `b`, with `extra` rules (baseline comparisons) appended.
    static func result(
        _ b: SpanBuilder, policy: Policy = Policy(), database: String? = nil, baseline: BaselineComparison? = nil
    ) throws -> CheckResult {
        let report = try report(b, policy: policy)
        let rules = PolicyEvaluator(policy: policy, report: report).evaluate() + (baseline?.rules ?? [])
        return CheckResult(
            policy: policy, ingest: nil, database: database, quality: report.quality, rules: rules, baseline: baseline,
            measured: Baseline(report), seconds: 0.25)
    }
}
