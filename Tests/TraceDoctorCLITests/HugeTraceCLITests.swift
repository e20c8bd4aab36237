// Huge and deep traces (issue 21): a chain of 100,000 spans, each the parent of the next, goes
// through every command in every format without a crash, and `explain` summarises a batch of
// 20,000 like siblings into rows a person can read. The inputs are generated into a temporary
// directory (bench/gen_huge_trace.py makes the same shapes for the benchmark).

import Foundation
import Testing

@Suite(.serialized) struct HugeTraceCLITests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    /// 2025-11-24T16:00:00Z in Unix ns.
    static let base: Int64 = 1_764_000_000_000_000_000

    static func spanID(_ n: Int) -> String { String(format: "%016llx", UInt64(n + 1)) }

    /// One span as OTLP/JSON.
    static func span(_ n: Int, parent: Int?, name: String, start: Int64, end: Int64, error: Bool = false) -> String {
        var s = "{\"traceId\":\"\(traceID)\",\"spanId\":\"\(spanID(n))\","
        if let parent { s += "\"parentSpanId\":\"\(spanID(parent))\"," }
        s += "\"name\":\"\(name)\",\"kind\":1,\"startTimeUnixNano\":\"\(start)\",\"endTimeUnixNano\":\"\(end)\""
        if error { s += ",\"status\":{\"code\":2,\"message\":\"failed\"}" }
        return s + "}"
    }

    static func document(service: String, spans: [String]) -> String {
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"\(service)\"}},"
            + "{\"key\":\"host.name\",\"value\":{\"stringValue\":\"node-1\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"gen\"},"
            + "\"spans\":[" + spans.joined(separator: ",") + "]}]}]}\n"
    }

    /// A chain `resolve` → `resolve` → … `depth` deep; the span at depth `depth / 2` fails, and a
    /// log line names the deepest span.
    static func deepChain(_ depth: Int, in tmp: String) throws -> String {
        var spans: [String] = []
        spans.reserveCapacity(depth)
        for n in 0..<depth {
            spans.append(
                span(
                    n, parent: n == 0 ? nil : n - 1, name: "resolve", start: base + Int64(n) * 1000,
                    end: base + Int64(2 * depth - n) * 1000, error: n == depth / 2))
        }
        let path = tmp + "/deep.otlp.json"
        try document(service: "job", spans: spans).write(toFile: path, atomically: false, encoding: .utf8)
        // The deepest span runs from +(depth-1) µs to +(depth+1) µs.
        let log = "{\"time\":\"2025-11-24T16:00:00.\(String(format: "%06d", depth))Z\",\"level\":\"INFO\",\"msg\":\"deepest\","
            + "\"otelTraceID\":\"\(traceID)\",\"otelSpanID\":\"\(spanID(depth - 1))\",\"otelServiceName\":\"job\"}\n"
        try log.write(toFile: tmp + "/deep.log.jsonl", atomically: false, encoding: .utf8)
        return path
    }

    /// A batch: one root and `count - 1` children `item 0` … `item 49` repeated, 8 µs each; one fails.
    static func wideBatch(_ count: Int, in tmp: String) throws -> String {
        var spans = [span(0, parent: nil, name: "batch", start: base, end: base + Int64(count) * 10_000 + 1000)]
        for n in 1..<count {
            let start = base + Int64(n) * 10_000
            spans.append(span(n, parent: 0, name: "item \((n - 1) % 50)", start: start, end: start + 8000, error: n == count / 2))
        }
        let path = tmp + "/wide.otlp.json"
        try document(service: "worker", spans: spans).write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    @Test func aHundredThousandDeepChainGoesThroughEveryCommand() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let depth = 100_000
        let input = try Self.deepChain(depth, in: tmp)
        let db = tmp + "/deep.db"
        let ingest = try CLI.run(["ingest", "--db", db, input, tmp + "/deep.log.jsonl"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let commands: [[String]] = [
            ["traces"], ["traces", "--format", "json"], ["orphans"], ["orphans", "--format", "json"], ["gaps"],
            ["gaps", "--format", "json"], ["stats"], ["stats", "--format", "json"], ["logs", "4bf92f35"],
            ["check"], ["check", "--format", "json"], ["explain", "--most-broken"],
            ["explain", "4bf92f35", "--format", "html"], ["explain", "4bf92f35", "--depth", "3"],
        ]
        for command in commands {
            let run = try CLI.run(command + ["--db", db])
            // 0 or 1 (findings); a crash would be a signal, 2 an error.
            #expect(run.status == 0 || run.status == 1, "\(command): exit \(run.status) \(run.stderr)")
            #expect(!run.stdout.isEmpty, "\(command) printed nothing")
        }
        let check = try CLI.run(["check", input, "--format", "json"])
        #expect(check.status == 0 || check.status == 1, "check FILE: exit \(check.status) \(check.stderr)")

        // The text: the root, one row for the recursion down to the failing span, it, another
        // run, and the deepest span (it has a log line) with its depth written out.
        let text = try CLI.run(["explain", "4bf92f35", "--db", db], environment: ["COLUMNS": "100"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 100, "\(lines.count) lines")
        #expect(text.stdout.contains("… job: resolve ×49,998 nested, depth 1 to 49,998"), "\(text.stdout)")
        #expect(text.stdout.contains("[depth 50,000] job: resolve"), "\(text.stdout)")
        #expect(text.stdout.contains("… job: resolve ×49,997 nested, depth 50,001 to 99,997"), "\(text.stdout)")
        #expect(text.stdout.contains("[depth 99,999] job: resolve"), "\(text.stdout)")
        #expect(text.stdout.contains("deepest"), "the log line of the deepest span")
        for line in lines { #expect(line.count <= 100, "wider than 100 columns: \(line)") }

        // JSON keeps every span (flat: children by index, never nested) and describes the runs;
        // from 10,000 nodes each node is written on one line.
        let json = try CLI.run(["explain", "4bf92f35", "--db", db, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(json.stdout.contains("\"span_count\" : 100000"))
        #expect(json.stdout.contains("\"depth\":99999,"))
        #expect(json.stdout.contains("\n    {\"attached_trace\":null,\"attributes\":{},\"children\":[1],"))
        #expect(json.stdout.contains("\"from_depth\":50001,"))
        #expect(json.stdout.utf8.count < 120_000_000, "\(json.stdout.utf8.count) bytes")

        let html = try CLI.run(["explain", "4bf92f35", "--db", db, "--format", "html"])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.utf8.count < 1_000_000, "\(html.stdout.utf8.count) bytes")
        #expect(html.stdout.hasSuffix("</html>\n"))
    }

    @Test func aBatchOfLikeSiblingsIsFoldedIntoGroups() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let input = try Self.wideBatch(20_000, in: tmp)
        let db = tmp + "/wide.db"
        let ingest = try CLI.run(["ingest", "--db", db, "--quiet", input])
        #expect(ingest.status == 0, "\(ingest.stderr)")

        let text = try CLI.run(["explain", "4bf92f35", "--db", db], environment: ["COLUMNS": "100"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count <= 500, "\(lines.count) lines")
        #expect(text.stdout.contains("folded: 2 of 20,000 spans shown"), "\(text.stdout)")
        #expect(text.stdout.contains("≡ worker: item 7 ×400: 8 µs each (p50), 3.2 ms total, 1.6% of the parent"), "\(text.stdout)")
        // The failing item (the 10,000th: item 49) is shown on its own, beside its group.
        #expect(text.stdout.contains("≡ worker: item 49 ×398"), "\(text.stdout)")
        #expect(lines.contains { $0.hasPrefix("* !") && $0.contains("worker: item 49") }, "\(text.stdout)")

        // --all shows every span.
        let all = try CLI.run(["explain", "4bf92f35", "--db", db, "--all"], environment: ["COLUMNS": "100"])
        #expect(all.status == 0)
        #expect(all.stdout.split(separator: "\n").count > 20_000)
        #expect(!all.stdout.contains("folded:"))

        // JSON: every node, and the groups described alongside.
        let json = try CLI.run(["explain", "4bf92f35", "--db", db, "--format", "json"])
        let document = try CLI.json(json.stdout)
        let nodes = try #require(document["nodes"] as? [[String: Any]])
        #expect(nodes.count == 20_000)
        // Written in blocks on every core, the nodes still come in order, each once.
        #expect(nodes.enumerated().allSatisfy { $0.element["node"] as? Int == $0.offset })
        let folding = try #require(document["folding"] as? [String: Any])
        let groups = try #require(folding["groups"] as? [[String: Any]])
        #expect(groups.count == 50)
        let grouped = groups.reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
        #expect(grouped + (folding["shown_spans"] as? Int ?? 0) == 20_000)
        let allJSON = try CLI.json(try CLI.run(["explain", "4bf92f35", "--db", db, "--format", "json", "--all"]).stdout)
        #expect(allJSON["folding"] is NSNull)

        // HTML: the same groups, each opening onto its members, and small.
        let html = try CLI.run(["explain", "4bf92f35", "--db", db, "--format", "html"])
        #expect(html.status == 0)
        #expect(html.stdout.components(separatedBy: "<details class=\"group\"").count - 1 == 50)
        #expect(html.stdout.utf8.count < 2_000_000, "\(html.stdout.utf8.count) bytes")

        // traces and stats say the trace is huge.
        let traces = try CLI.run(["traces", "--db", db])
        #expect(traces.stdout.contains("huge"), "\(traces.stdout)")
        let stats = try CLI.run(["stats", "--db", db])
        #expect(stats.stdout.contains("huge"), "\(stats.stdout)")
    }
}
