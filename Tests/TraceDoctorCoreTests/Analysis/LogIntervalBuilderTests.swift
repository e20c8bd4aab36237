import Foundation
import Testing

@testable import TraceDoctorCore

/// Log intervals: start/end pairs by key, lines with a duration, and their edge cases.
@Suite struct LogIntervalBuilderTests {
    let rules = LogIntervalRules.defaults
    let ms: Int64 = 1_000_000

    func line(_ row: Int64, at ms: Int64, _ body: String, _ attributes: [String: Any] = [:], service: String = "worker")
        -> LogIntervalBuilder.Line
    {
        LogIntervalBuilder.Line(rowID: row, timeNs: ms * self.ms, service: service, body: body, attributes: attributes)
    }

    @Test func theShippedYAMLFileIsTheBuiltInRules() throws {
        // docs/log-intervals.yml is what users copy: it must say what the built-in rules do.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try String(contentsOf: root.appendingPathComponent("docs/log-intervals.yml"), encoding: .utf8)
        let parsed = try LogIntervalRules.parse(yaml: shipped, path: "docs/log-intervals.yml")
        #expect(parsed == rules)
        #expect(rules.startSuffixes.contains("_start"))
        #expect(Set(rules.endSuffixes.map(\.suffix)).isSuperset(of: ["_complete", "_completed", "_end", "_success", "_error", "_failed"]))
    }

    @Test func startsPairWithTheirEndsByKeyAndName() {
        let intervals = LogIntervalBuilder.build(
            [
                line(1, at: 100, "workflow_start", ["execution_id": "e1"]),
                line(2, at: 110, "node_start", ["execution_id": "e1", "node_id": "llm-1"]),
                line(3, at: 115, "node_start", ["execution_id": "e2", "node_id": "llm-1"]),  // another run's node
                line(4, at: 350, "node_complete", ["execution_id": "e1", "node_id": "llm-1", "duration": 0.24]),
                line(5, at: 400, "workflow_end", ["execution_id": "e1", "total_duration": 0.3]),
                line(6, at: 420, "node_failed", ["execution_id": "e2", "node_id": "llm-1"]),
            ], rules: rules)
        let pairs = intervals.filter { $0.kind == .pair }
        #expect(pairs.count == 3)
        let node = pairs.first { $0.startRow == 2 }
        #expect(node?.endRow == 4)
        #expect(node?.label == "node llm-1 completed")
        #expect(node?.durationNs == 240 * ms)
        #expect(pairs.first { $0.startRow == 1 }?.label == "workflow e1 ended")
        let failed = pairs.first { $0.startRow == 3 }
        #expect(failed?.endRow == 6 && failed?.failed == true && failed?.label == "node llm-1 failed")
    }

    @Test func anEndWithoutAStartIsKeptAsANoteOrTimedByItsDuration() {
        let intervals = LogIntervalBuilder.build(
            [
                line(1, at: 500, "node_complete", ["execution_id": "e1", "node_id": "a"]),
                line(2, at: 900, "api_request_success", ["request_id": "r1", "duration": 0.25]),
            ], rules: rules)
        let lonely = intervals.first { $0.endRow == 1 }
        #expect(lonely?.kind == .endWithoutStart)
        #expect(lonely?.startNs == nil && lonely?.endNs == 500 * ms)
        #expect(lonely?.note == "no `node` start with its keys")
        let timed = intervals.first { $0.endRow == 2 }
        #expect(timed?.kind == .duration)
        #expect(timed?.startNs == 650 * ms && timed?.endNs == 900 * ms)
        #expect(timed?.label == "api request r1 succeeded")
    }

    @Test func aStartWithoutAnEndIsUnfinished() {
        let intervals = LogIntervalBuilder.build([line(1, at: 100, "task_started", ["task_id": "t1"])], rules: rules)
        #expect(intervals.count == 1)
        #expect(intervals[0].kind == .unfinished && intervals[0].startNs == 100 * ms && intervals[0].endNs == nil)
        #expect(intervals[0].label == "task t1 started, unfinished")
    }

    @Test(arguments: [
        (#"{"duration": 0.24}"#, Int64(240)),  // seconds by the rules
        (#"{"took": 240}"#, 240),  // milliseconds by the rules (Elasticsearch)
        (#"{"duration_ms": 240}"#, 240),
        (#"{"wait_ms": 240}"#, 240),  // unit from the field name
        (#"{"elapsed_seconds": 0.24}"#, 240),
        (#"{"duration": "240ms"}"#, 240),  // a unit of its own
        (#"{"elapsed": "0.24 s"}"#, 240),
    ])
    func durationsInSecondsAndMilliseconds(json: String, expectedMs: Int64) throws {
        let attributes = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let intervals = LogIntervalBuilder.build([line(1, at: 1000, "GET /users done", attributes)], rules: rules)
        #expect(intervals.count == 1)
        #expect(intervals.first?.durationNs == expectedMs * ms)
        #expect(intervals.first?.startNs == (1000 - expectedMs) * ms)
    }

    @Test func notADurationIsIgnored() throws {
        let attributes = [#"{"duration": true}"#, #"{"duration": "soon"}"#, #"{"duration": -1}"#].map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
        }
        let intervals = LogIntervalBuilder.build(
            attributes.enumerated().map { line(Int64($0.offset), at: 1000, "x", $0.element) }, rules: rules)
        #expect(intervals.isEmpty)
    }

    @Test func anEndTwoOpenStartsFitEquallyPairsWithNone() {
        // Two runs log the same node ID without the execution ID on the end: which one ended is unknowable.
        let intervals = LogIntervalBuilder.build(
            [
                line(1, at: 100, "node_start", ["node_id": "llm-1", "execution_id": "e1"]),
                line(2, at: 105, "node_start", ["node_id": "llm-1", "execution_id": "e2"]),
                line(3, at: 300, "node_complete", ["node_id": "llm-1"]),
            ], rules: rules)
        #expect(!intervals.contains { $0.kind == .pair })
        #expect(intervals.filter { $0.kind == .unfinished }.count == 2)
        let end = intervals.first { $0.endRow == 3 }
        #expect(end?.kind == .endWithoutStart)
        #expect(end?.note == "2 open `node` starts share its keys: paired with none")
    }

    @Test func moreSharedKeysWinOverFewer() {
        let intervals = LogIntervalBuilder.build(
            [
                line(1, at: 100, "node_start", ["node_id": "llm-1"]),
                line(2, at: 105, "node_start", ["node_id": "llm-1", "execution_id": "e2"]),
                line(3, at: 300, "node_complete", ["node_id": "llm-1", "execution_id": "e2"]),
            ], rules: rules)
        #expect(intervals.first { $0.kind == .pair }?.startRow == 2)
        #expect(intervals.first { $0.kind == .unfinished }?.startRow == 1)
    }

    @Test func eventsWithoutAKeyDoNotPair() {
        let intervals = LogIntervalBuilder.build(
            [line(1, at: 100, "sync_start"), line(2, at: 200, "sync_end")], rules: rules)
        #expect(intervals.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.endWithoutStart, .unfinished])
    }

    @Test func anEventFieldNamesTheEventWhenTheMessageIsProse() {
        let intervals = LogIntervalBuilder.build(
            [
                line(1, at: 100, "Workflow started", ["event": "workflow_start", "execution_id": "e1"]),
                line(2, at: 200, "Workflow finished", ["event": "workflow_completed", "execution_id": "e1"]),
            ], rules: rules)
        #expect(intervals.count == 1 && intervals[0].kind == .pair && intervals[0].durationNs == 100 * ms)
    }

    @Test func rulesOverrideTheDefaults() throws {
        let custom = try LogIntervalRules.parse(
            yaml: "version: 1\nkeys: [job]\ndurations:\n  cost: ms\nend_suffixes:\n  _done: done\n  _crashed: crashed!\n",
            path: "custom.yml")
        #expect(custom.startSuffixes == rules.startSuffixes)  // left out: the default
        let intervals = LogIntervalBuilder.build(
            [
                line(1, at: 100, "copy_start", ["job": "j1"]), line(2, at: 150, "copy_crashed", ["job": "j1"]),
                line(3, at: 400, "copy", ["cost": 30]),
            ], rules: custom)
        #expect(intervals.first { $0.kind == .pair }?.label == "copy j1 crashed")
        #expect(intervals.first { $0.kind == .pair }?.failed == true)
        #expect(intervals.first { $0.kind == .duration }?.durationNs == 30 * ms)
    }

    @Test func badRulesNameTheKey() {
        #expect(throws: TraceDoctorError.self) { try LogIntervalRules.parse(yaml: "durations:\n  duration: fortnights\n", path: "r.yml") }
        #expect(throws: TraceDoctorError.self) { try LogIntervalRules.parse(yaml: "start_sufixes: [_start]\n", path: "r.yml") }
    }
}
