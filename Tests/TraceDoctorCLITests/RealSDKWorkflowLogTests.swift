// The real-SDK `workflow` scenario (tests/realsdk/emit.py): an API's SERVER spans carry
// `request_id` and `workflow.run_id`; its middleware logs request lines with python-json-logger;
// the workflow runs on a worker thread that lost the context, logging start/complete events with
// durations in seconds by `execution_id`. The gap in each SERVER span is found, and explained by
// the worker's log intervals; the request's lines join its trace by key.

import Foundation
import Testing

@Suite(.serialized) struct RealSDKWorkflowLogTests {
    static let keys = ["--link-key", "request_id", "--link-key", "execution_id=workflow.run_id"]

    /// The spans and the API's log (UTC), then the worker's log with `extra` (its own clock).
    func ingest(_ tmp: String, worker: String, name: String, extra: [String] = []) throws -> String {
        let dir = try RealSDK.scenario("workflow")
        let db = tmp + "/\(name).db"
        let first = try CLI.run(["ingest", "--db", db, "--quiet", dir + "/traces.otlp.json", dir + "/api.log.jsonl"])
        #expect(first.status == 0, "\(first.stderr)")
        let run = try CLI.run(["ingest", "--db", db, "--quiet"] + extra + [dir + "/" + worker])
        #expect(run.status == 0, "\(run.stderr)")
        return db
    }

    /// Per request: the gap's size, the log intervals covering it, how the lines joined.
    func explained(_ db: String, _ request: [String: Any]) throws -> (finding: [String: Any], intervals: [[String: Any]], logs: [[String: Any]]) {
        let trace = try #require(request["trace_id"] as? String)
        let run = try CLI.run(["explain", "--db", db, trace, "--format", "json"] + Self.keys)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try CLI.json(run.stdout)
        let finding = try #require(
            (json["findings"] as? [[String: Any]])?.first { $0["diagnosis"] as? String == "unaccounted_time" }, "\(trace)")
        return (finding, json["log_intervals"] as? [[String: Any]] ?? [], json["logs"] as? [[String: Any]] ?? [])
    }

    @Test func theWorkersLogIntervalsExplainTheGap() throws {
        let manifest = try RealSDK.manifest("workflow")
        let requests = try #require(manifest["requests"] as? [[String: Any]])
        let nodes = try #require(manifest["worker_nodes"] as? [String])
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try ingest(tmp, worker: "worker.log.jsonl", name: "utc")
        for request in requests {
            let gap = try #require(request["gap"] as? [String: Any])
            let workflow = try #require(request["workflow"] as? [String: Any])
            let (finding, intervals, logs) = try explained(db, request)
            // The gap is still a finding, of the manifest's size (SDK times are exact to the ns).
            #expect(finding["time_at_stake_ns"] as? Int == gap["duration_ns"] as? Int)
            // The workflow's interval (workflow_start … workflow_end) covers it but for the hand-offs;
            // asctime has milliseconds, the manifest nanoseconds.
            let covered = try #require(finding["covered_by_log_intervals_ns"] as? Int)
            let measured = try #require(workflow["duration_ns"] as? Int)
            #expect(abs(covered - measured) <= 2_000_000, "\(finding) vs \(measured)")
            #expect(covered < (gap["duration_ns"] as? Int ?? 0))
            #expect((finding["log_interval_summary"] as? String)?.contains("log intervals of worker") == true, "\(finding)")
            let execution = try #require(request["execution_id"] as? String)
            let worker = intervals.filter { $0["service"] as? String == "worker" }
            #expect(worker.count == 1 + nodes.count)
            #expect(worker.allSatisfy { $0["join"] as? String == "key" && $0["join_key"] as? String == "execution_id" })
            #expect(worker.allSatisfy { $0["kind"] as? String == "pair" && ($0["keys"] as? [String: String])?["execution_id"] == execution })
            #expect(Set(worker.compactMap { $0["label"] as? String }) == Set(["workflow \(execution) ended"] + nodes.map { "node \($0) completed" }))
            // The request's own lines join by request_id (python-json-logger: no trace ID on them).
            let requestID = try #require(request["request_id"] as? String)
            let byRequest = logs.filter { ($0["join_key"] as? [String: Any])?["field"] as? String == "request_id" }
            #expect(byRequest.count == 3)
            #expect(byRequest.allSatisfy { ($0["join_key"] as? [String: Any])?["value"] as? String == requestID })
            #expect(logs.filter { ($0["join_key"] as? [String: Any])?["field"] as? String == "execution_id" }.count == 2 + 2 * nodes.count)
        }
        // Text: the evidence sentence and the intervals drawn under the SERVER span.
        let trace = try #require(requests.first?["trace_id"] as? String)
        let text = try CLI.run(["explain", "--db", db, trace, "--no-color"] + Self.keys, environment: ["COLUMNS": "120"])
        #expect(text.stdout.contains("of it is 4 log intervals of worker"), "\(text.stdout)")
        #expect(text.stdout.contains("⊢ node llm-1 completed  [worker log, key execution_id]"), "\(text.stdout)")
        // gaps lists the same evidence.
        let gaps = try CLI.run(["gaps", "--db", db, "--no-color"] + Self.keys)
        #expect(gaps.stdout.contains("gap is in log intervals:"), "\(gaps.stdout)")
        #expect(gaps.stdout.contains("`workflow "), "\(gaps.stdout)")
    }

    @Test func naiveLocalTimeInShanghaiGivesTheSameJoinsWithTheFlag() throws {
        let manifest = try RealSDK.manifest("workflow")
        let requests = try #require(manifest["requests"] as? [[String: Any]])
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let utc = try ingest(tmp, worker: "worker.log.jsonl", name: "utc")
        let local = try ingest(tmp, worker: "worker-shanghai.log.jsonl", name: "local", extra: ["--log-timezone", "Asia/Shanghai"])
        let wrong = try ingest(tmp, worker: "worker-shanghai.log.jsonl", name: "wrong")
        let query = "SELECT kind, label, start_ns, end_ns FROM log_intervals WHERE service = 'worker' ORDER BY start_ns, label"
        #expect(try sqlite(local, query) == (try sqlite(utc, query)))
        #expect(try sqlite(local, query).count == requests.count * 4)
        for request in requests {
            let a = try explained(utc, request)
            let b = try explained(local, request)
            #expect(a.finding["covered_by_log_intervals_ns"] as? Int == b.finding["covered_by_log_intervals_ns"] as? Int)
            #expect(a.intervals.count == b.intervals.count)
            // Without the flag the worker's intervals land 8 h away: no evidence for the gap, and
            // explain names the offset from the lines the key joined.
            let c = try explained(wrong, request)
            #expect(c.finding["covered_by_log_intervals_ns"] as? Int == 0)
            let trace = try #require(request["trace_id"] as? String)
            let json = try CLI.json(try CLI.run(["explain", "--db", wrong, trace, "--format", "json"] + Self.keys).stdout)
            let clock = try #require(json["log_clock"] as? [String: Any], "\(trace)")
            #expect(clock["offset_seconds"] as? Int == 8 * 3600)
            #expect(clock["zone"] as? String == "+08:00")
            #expect(try CLI.json(try CLI.run(["explain", "--db", local, trace, "--format", "json"] + Self.keys).stdout)["log_clock"] is NSNull)
        }
    }
}
