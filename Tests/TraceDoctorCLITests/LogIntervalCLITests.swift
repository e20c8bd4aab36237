// Log intervals: start/end pairs of log events and lines with a duration, stored at ingest, drawn
// by `explain` under the span they ran in and quoted as evidence for unaccounted time
// (fixtures/log-intervals: an API whose workflow run loses its context on the way to
// the worker; fixtures/log-intervals/README.md says what each line shows).

import Foundation
import Testing

@Suite(.serialized) struct LogIntervalCLITests {
    static let dir = CLI.fixtures + "/log-intervals"
    static let keys = ["--link-key", "request_id", "--link-key", "execution_id=workflow.run_id"]

    func database(_ tmp: String) throws -> (db: String, stdout: String) {
        let db = tmp + "/w.db"
        let run = try CLI.run([
            "ingest", "--db", db, Self.dir + "/traces.otlp.json", Self.dir + "/api.jsonl", Self.dir + "/worker.jsonl",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        return (db, run.stdout)
    }

    @Test func ingestStoresIntervalsNeverSpans() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (db, stdout) = try database(tmp)
        #expect(
            stdout.contains(
                "log intervals: 10 (7 start/end pairs, 1 line with a duration, 1 start without an end, 1 end without a start)"),
            "\(stdout)")
        let spans = try CLI.run(["sql", "--db", db, "--format", "json", "SELECT count(*) AS n FROM spans"])
        #expect(spans.stdout.contains("\"n\" : 9") || spans.stdout.contains("\"n\": 9"), "\(spans.stdout)")
        let rows = try CLI.run([
            "sql", "--db", db, "--format", "csv",
            "SELECT kind, label, end_ns - start_ns FROM log_intervals ORDER BY coalesce(start_ns, end_ns), id",
        ])
        #expect(rows.status == 0, "\(rows.stderr)")
        let lines = rows.stdout.split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.contains("pair,node llm-1 completed,240000000"), "\(rows.stdout)")
        #expect(lines.contains("unfinished,\"node tool-1 started, unfinished\","), "\(rows.stdout)")
        #expect(lines.contains { $0.contains("node answer-9 completed") && $0.hasPrefix("end_without_start") }, "\(rows.stdout)")
        // The same files again: nothing new, and the loose ends are not doubled.
        let again = try CLI.run([
            "ingest", "--db", db, Self.dir + "/traces.otlp.json", Self.dir + "/api.jsonl", Self.dir + "/worker.jsonl",
        ])
        #expect(!again.stdout.contains("log intervals"), "\(again.stdout)")
        let count = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT count(*) FROM log_intervals"])
        #expect(count.stdout.split(whereSeparator: \.isNewline).last == "10", "\(count.stdout)")
    }

    @Test func aStartAndItsEndInTwoIngestsStillPair() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/split.db"
        let first = tmp + "/first.jsonl"
        let second = tmp + "/second.jsonl"
        try #"{"time":"2026-12-03T10:00:00.100Z","service":"worker","message":"node_start","execution_id":"e","node_id":"n"}"#
            .write(toFile: first, atomically: true, encoding: .utf8)
        try #"{"time":"2026-12-03T10:00:00.350Z","service":"worker","message":"node_completed","execution_id":"e","node_id":"n"}"#
            .write(toFile: second, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", "--db", db, "--quiet", first]).status == 0)
        let mid = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT kind FROM log_intervals"])
        #expect(mid.stdout.contains("unfinished"), "\(mid.stdout)")
        let run = try CLI.run(["ingest", "--db", db, second])
        #expect(run.stdout.contains("log intervals: 1 (1 start/end pair)"), "\(run.stdout)")
        let rows = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT kind, end_ns - start_ns FROM log_intervals"])
        #expect(rows.stdout.split(whereSeparator: \.isNewline).dropFirst().map(String.init) == ["pair,250000000"], "\(rows.stdout)")
    }

    @Test func explainQuotesTheWorkersIntervalsForTheGap() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (db, _) = try database(tmp)
        let run = try CLI.run(["explain", "--db", db, "a1a1a1a1", "--no-color"] + Self.keys, environment: ["COLUMNS": "160"])
        #expect(run.status == 0, "\(run.stderr)")
        let text = run.stdout
        // The gap is still a finding; the worker's log intervals are its evidence.
        #expect(text.contains("unaccounted_time"), "\(text)")
        #expect(text.contains("530 ms unaccounted; 520 ms of it is 4 log intervals of worker"), "\(text)")
        #expect(text.contains("`workflow exec-1 ended` (505 ms)"), "\(text)")
        // Drawn under the root in their own style, with how they joined.
        #expect(text.contains("⊢ node llm-1 completed  [worker log, key execution_id]"), "\(text)")
        #expect(text.contains("⊢ node tool-1 started, unfinished  [worker log, key execution_id, unfinished]"), "\(text)")
        #expect(text.contains("⊣ node answer-9 completed  [worker log, key execution_id, end without a start]"), "\(text)")
        #expect(text.contains("═ log interval"), "\(text)")
        // The request's lines join by request_id and say so.
        #expect(text.contains("joined by key request_id=req-1"), "\(text)")

        let json = try CLI.json(try CLI.run(["explain", "--db", db, "a1a1a1a1", "--format", "json"] + Self.keys).stdout)
        let intervals = try #require(json["log_intervals"] as? [[String: Any]])
        let llm = try #require(intervals.first { $0["label"] as? String == "node llm-1 completed" })
        #expect(llm["kind"] as? String == "pair")
        #expect(llm["duration_ns"] as? Int == 240_000_000)
        #expect(llm["join"] as? String == "key" && llm["join_key"] as? String == "execution_id")
        #expect(llm["node"] as? Int == 0)
        let tool = try #require(intervals.first { ($0["label"] as? String)?.hasPrefix("node tool-1") == true })
        #expect(tool["unfinished"] as? Bool == true)
        #expect(tool["end_ns"] as? Int == json["end_ns"] as? Int)  // runs to the trace's end
        let finding = try #require((json["findings"] as? [[String: Any]])?.first { $0["diagnosis"] as? String == "unaccounted_time" })
        #expect(finding["covered_by_log_intervals_ns"] as? Int == 520_000_000)
        #expect((finding["log_interval_summary"] as? String)?.hasPrefix("530 ms unaccounted; 520 ms of it is 4 log intervals of worker") == true)
        let logs = try #require(json["logs"] as? [[String: Any]])
        let keyed = logs.filter { $0["link"] as? String == "key" }
        #expect(keyed.count == 3 + 8, "\(keyed.map { $0["body"] ?? "" })")
        #expect(keyed.contains { ($0["join_key"] as? [String: Any])?["field"] as? String == "request_id" })

        // HTML: rows of their own, and the evidence under the finding.
        let html = try CLI.run(["explain", "--db", db, "a1a1a1a1", "--format", "html"] + Self.keys).stdout
        #expect(html.components(separatedBy: "class=\"row intervalrow\"").count - 1 == intervals.count)
        #expect(html.contains("<p class=\"why interval-evidence\"><b>logs</b> 530 ms unaccounted; 520 ms of it is"), "\(html)")
        #expect(html.contains("⊢ node llm-1 completed [worker log, key execution_id]"))

        // Without --link-key the worker's lines join nothing: only the API's own request interval
        // (guessed by service and time) is drawn, and it is no evidence (it spans the request).
        let plain = try CLI.run(["explain", "--db", db, "a1a1a1a1", "--no-color"], environment: ["COLUMNS": "160"])
        #expect(plain.stdout.contains("⊢ api request req-1 succeeded  [api log, time (guess)]"), "\(plain.stdout)")
        #expect(!plain.stdout.contains("worker log"), "\(plain.stdout)")
        #expect(!plain.stdout.contains("of it is"), "\(plain.stdout)")
        #expect(plain.stdout.contains("unaccounted_time"))
    }

    @Test func anAmbiguousRequestIDJoinsNothing() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (db, _) = try database(tmp)
        // req-dup is on a span of trace B and of trace C: its line (and interval) joins neither.
        for trace in ["c3c3c3c3", "b2b2b2b2"] {
            let json = try CLI.json(try CLI.run(["explain", "--db", db, trace, "--format", "json"] + Self.keys).stdout)
            let labels = (json["log_intervals"] as? [[String: Any]])?.compactMap { $0["label"] as? String } ?? []
            #expect(!labels.contains("api request req-dup failed"), "\(trace): \(labels)")
            let bodies = (json["logs"] as? [[String: Any]])?.compactMap { $0["body"] as? String } ?? []
            #expect(!bodies.contains("api_request_error"), "\(trace)")
        }
        let rows = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT kind, failed, end_ns - start_ns FROM log_intervals WHERE label = 'api request req-dup failed'"])
        #expect(rows.stdout.split(whereSeparator: \.isNewline).dropFirst().map(String.init) == ["duration,1,40000000"], "\(rows.stdout)")
    }

    @Test func anIntervalTakesTheClockOfTheSpanOfItsService() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (db, _) = try database(tmp)
        let json = try CLI.json(try CLI.run(["explain", "--db", db, "b2b2b2b2", "--format", "json"] + Self.keys).stdout)
        let nodes = try #require(json["nodes"] as? [[String: Any]])
        let dequeue = try #require(nodes.first { $0["name"] as? String == "dequeue workflow" })
        let shift = try #require(dequeue["clock_shift_ns"] as? Int)
        #expect(shift < 0)
        let intervals = try #require(json["log_intervals"] as? [[String: Any]])
        let worker = intervals.filter { $0["service"] as? String == "worker" }
        #expect(worker.count == 2)
        for interval in worker {
            #expect(interval["clock_shift_ns"] as? Int == shift)
            #expect((interval["start_ns"] as? Int).map { $0 - shift } == interval["recorded_start_ns"] as? Int)
        }
        // On the adjusted clock the workflow runs inside the request (on the raw one it ends after it).
        let workflow = try #require(worker.first { ($0["label"] as? String)?.hasPrefix("workflow") == true })
        #expect((workflow["end_ns"] as? Int ?? .max) <= (json["end_ns"] as? Int ?? 0))
        // An API line's interval (api host, no shift) keeps its clock.
        let api = try #require(intervals.first { $0["service"] as? String == "api" })
        #expect(api["clock_shift_ns"] as? Int == 0)
    }

    @Test func gapsMeasuresTheEvidenceOnTheClockExplainPlacesItOn() throws {
        // b2b2…'s worker host runs 712 ms ahead: on the recorded clock its intervals end after the
        // request and miss the gap; shifted as explain places them, they cover 520 ms of it.
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (db, _) = try database(tmp)
        let gaps = try CLI.run(["gaps", "--db", db, "--format", "json"] + Self.keys)
        #expect(gaps.status == 0, "\(gaps.stderr)")
        let json = try CLI.json(gaps.stdout)
        let list = try #require(json["unaccounted_time"] as? [[String: Any]])
        let b2 = try #require(list.first { ($0["trace_id"] as? String)?.hasPrefix("b2b2") == true }, "\(gaps.stdout)")
        let overlaps = try #require(b2["log_intervals"] as? [[String: Any]])
        #expect(overlaps.map { $0["label"] as? String } == ["workflow exec-2 ended", "node llm-1 completed"])
        #expect(overlaps.map { $0["join"] as? String } == ["key", "key"])
        #expect(b2["covered_by_log_intervals_ns"] as? Int == 520_000_000)

        // The same number as explain's finding for that gap.
        let explain = try CLI.json(try CLI.run(["explain", "--db", db, "b2b2b2b2", "--format", "json"] + Self.keys).stdout)
        let findings = try #require(explain["findings"] as? [[String: Any]])
        let gap = try #require(findings.first { $0["diagnosis"] as? String == "unaccounted_time" })
        #expect(gap["covered_by_log_intervals_ns"] as? Int == b2["covered_by_log_intervals_ns"] as? Int)

        // Without the adjuster both keep the recorded clock, and the worker's intervals miss the gap.
        let raw = try CLI.json(try CLI.run(["gaps", "--db", db, "--format", "json", "--no-skew-adjust"] + Self.keys).stdout)
        let rawList = try #require(raw["unaccounted_time"] as? [[String: Any]])
        let rawB2 = try #require(rawList.first { ($0["trace_id"] as? String)?.hasPrefix("b2b2") == true })
        let rawLabels = (rawB2["log_intervals"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
        #expect(!rawLabels.contains("workflow exec-2 ended"), "\(rawLabels)")
    }

    @Test func customRulesReplaceTheDefaults() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let rules = tmp + "/rules.yml"
        // Only `_end` ends an interval: node_complete no longer closes node_start (its duration still times it).
        try "version: 1\nend_suffixes:\n  _end: ended\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let db = tmp + "/r.db"
        let run = try CLI.run(["ingest", "--db", db, "--quiet", "--interval-rules", rules, Self.dir + "/worker.jsonl"])
        #expect(run.status == 0, "\(run.stderr)")
        let kinds = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT kind, count(*) FROM log_intervals GROUP BY kind ORDER BY kind"])
        #expect(kinds.stdout.split(whereSeparator: \.isNewline).dropFirst().map(String.init) == ["duration,3", "pair,2", "unfinished,4"], "\(kinds.stdout)")
        let bad = tmp + "/bad.yml"
        try "durations:\n  duration: fortnights\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["ingest", "--db", tmp + "/b.db", "--interval-rules", bad, Self.dir + "/worker.jsonl"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("fortnights"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp + "/b.db"))
    }
}
