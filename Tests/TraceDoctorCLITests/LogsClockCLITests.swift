// Issue 19: `logs TRACE` and `explain TRACE` show a line on one clock — the trace's clock-skew
// adjusted one — and `logs` marks where the raw clock differs, as `explain` marks the span.

import Foundation
import Testing

@Suite struct LogsClockCLITests {
    @Test func logsAndExplainPutEachLineAtTheSameOffset() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/d.db"
        #expect(try CLI.run(["ingest", "--quiet", "--db", db, CLI.fixtures + "/demo"]).status == 0)

        let text = try CLI.run(["logs", "bf576df7", "--db", db])
        #expect(text.status == 0 && text.stderr == "")
        // The inventory host runs 150 ms ahead: its line is at +227 ms (inside the 228 ms trace),
        // with the raw time under it.
        #expect(text.stdout.contains("02:45:08.024 ~  +227 ms  INFO     inventory  36fa9d34c962a7d8  trace+span ID     stock reserved\n"))
        #expect(text.stdout.contains("              ~ raw clock 02:45:08.175, +377 ms (host inventory-1 adjusted by −150 ms)\n"))
        #expect(!text.stdout.contains("  +377 ms  INFO"))
        let explained = try CLI.run(["explain", "bf576df7", "--db", db])
        #expect(explained.stdout.contains("+227 ms  INFO  stock reserved"))

        // Every line of the trace: the same offset in both commands' JSON.
        let logs = try CLI.json(try CLI.run(["logs", "bf576df7", "--format", "json", "--db", db]).stdout)
        let explain = try CLI.json(try CLI.run(["explain", "bf576df7", "--format", "json", "--db", db]).stdout)
        var explainOffsets: [String: Int] = [:]
        for line in explain["logs"] as? [[String: Any]] ?? [] {
            if line["trace_id"] is String, let body = line["body"] as? String { explainOffsets[body] = line["offset_ns"] as? Int }
        }
        let lines = logs["logs"] as? [[String: Any]] ?? []
        #expect(lines.count == 3)
        for line in lines {
            let body = try #require(line["body"] as? String)
            #expect(line["offset_ns"] as? Int == explainOffsets[body], "\(body): logs and explain disagree")
        }
        let shifted = try #require(lines.first { $0["body"] as? String == "stock reserved" })
        #expect(shifted["clock_shift_ns"] as? Int == -150_000_000 || (shifted["clock_shift_ns"] as? Int ?? 0) < -149_000_000)
        #expect((shifted["adjusted_time_ns"] as? Int ?? 0) - (shifted["time_ns"] as? Int ?? 0) == shifted["clock_shift_ns"] as? Int)
    }
}
