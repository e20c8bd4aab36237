// Log linkage split by how lines join (`stats`), and `log_linkage.min_by_trace_id` (`check`), on
// the demo's spans and real log lines (55 lines joined by trace and span ID, 1 by trace ID only,
// 2 without trace ID written during a span, 5 joined by nothing: 56 of 63 by trace ID).

import Foundation
import Testing

@Suite(.serialized) struct LogLinkageCLITests {
    func database(_ tmp: String) throws -> String {
        let db = tmp + "/d.db"
        let run = try CLI.run([
            "ingest", "--db", db, "--quiet", CLI.fixtures + "/demo/traces.otlp.jsonl", CLI.fixtures + "/demo/app.log.jsonl",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        return db
    }

    @Test func statsSplitsLogLinkageByHowLinesJoin() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try database(tmp)
        let json = try CLI.json(try CLI.run(["stats", "--db", db, "--format", "json"]).stdout)
        let logs = try #require(json["logs"] as? [String: Any])
        #expect(logs["total"] as? Int == 63)
        #expect(logs["joined_by_trace_and_span_id"] as? Int == 55)
        #expect(logs["joined_by_trace_id_only"] as? Int == 1)
        #expect(logs["unlinked"] as? Int == 2)
        #expect(logs["not_joined"] as? Int == 5)
        #expect(logs["trace_id_linkage"] as? Double == 0.8889)
        let text = try CLI.run(["stats", "--db", db]).stdout
        #expect(
            text.contains(
                "joined by trace+span ID 55, trace ID only 1, trace ID of no stored trace 0; no trace ID: written in a span's time 2, neither 5"
            ), "\(text)")
    }

    @Test func aPolicyCanRequireAShareJoinedByTraceID() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try database(tmp)
        let strict = tmp + "/strict.yml"
        try "rules:\n  trace_completeness:\n    severity: off\n  fragment_trace:\n    severity: off\n  orphan_share:\n    severity: off\n  unpropagated_call:\n    severity: off\n  unaccounted_share:\n    severity: off\n  log_linkage:\n    min: 50%\n    min_by_trace_id: 95%\n    severity: error\n"
            .write(toFile: strict, atomically: true, encoding: .utf8)
        let fail = try CLI.run(["check", "--db", db, "--policy", strict, "--no-color"])
        #expect(fail.status == 1, "\(fail.stdout)\(fail.stderr)")
        #expect(fail.stdout.contains("FAIL  log_linkage               ≥ 50%, by trace ID ≥ 95%  87.3% (55 of 63 lines), by trace ID 88.9%"), "\(fail.stdout)")
        #expect(fail.stdout.contains("7 of 63 log lines are not joined by trace ID (88.9% joined, 95%"), "\(fail.stdout)")

        let loose = tmp + "/loose.yml"
        try "rules:\n  log_linkage:\n    min_by_trace_id: 80%\n".write(toFile: loose, atomically: true, encoding: .utf8)
        let pass = try CLI.run(["check", "--db", db, "--policy", loose, "--no-color"])
        #expect(pass.stdout.contains("pass  log_linkage"), "\(pass.stdout)")
        #expect(pass.stdout.contains("by trace ID 88.9%"), "\(pass.stdout)")

        let bad = tmp + "/bad.yml"
        try "rules:\n  log_linkage:\n    min_by_trace_id: lots\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["check", "--db", db, "--policy", bad])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("min_by_trace_id"), "\(refused.stderr)")
    }
}
