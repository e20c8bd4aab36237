// `logs --link-key`: lines without trace ID joined to a trace by a correlation key
// (fixtures/logs/order-id-keys.jsonl with the demo's spans; fixtures/logs/README.md says what
// each line shows).

import Foundation
import Testing

@Suite(.serialized) struct LinkKeyCLITests {
    static let keys = ["--link-key", "order_id=order.id", "--link-key", "request_id"]

    func database(_ tmp: String) throws -> String {
        let db = tmp + "/k.db"
        let run = try CLI.run([
            "ingest", "--db", db, "--quiet", CLI.fixtures + "/demo/traces.otlp.jsonl", CLI.fixtures + "/logs/order-id-keys.jsonl",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        return db
    }

    @Test func aKeyCarriedByASpanJoinsItsTrace() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try database(tmp)
        let without = try CLI.run(["logs", "--db", db, "a883578a", "--format", "json"])
        #expect((try CLI.json(without.stdout)["count"] as? Int) == 0)

        let run = try CLI.run(["logs", "--db", db, "a883578a", "--format", "json"] + Self.keys)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try CLI.json(run.stdout)
        #expect(json["link_keys"] as? [String] == ["order_id=order.id", "request_id"])
        let line = try #require((json["logs"] as? [[String: Any]])?.first)
        #expect(line["body"] as? String == "shipping label printed")
        #expect(line["joined_by"] as? String == "key")
        let key = try #require(line["join_key"] as? [String: Any])
        #expect(key["field"] as? String == "order_id")
        #expect(key["attribute"] as? String == "order.id")
        #expect(key["value"] as? String == "ord-0001")
        #expect(key["trace_id"] as? String == "a883578a9363a63d864aebe877c22def")
        // The span of trace a883578a that carries order.id = ord-0001.
        let span = try sqlite(db, "SELECT span_id FROM spans WHERE attributes ->> '$.\"order.id\"' = 'ord-0001'")
        #expect(span == [key["span_id"] as? String ?? ""])

        let text = try CLI.run(["logs", "--db", db, "a883578a", "--no-color"] + Self.keys)
        #expect(text.stdout.contains("key order_id"), "\(text.stdout)")
    }

    @Test func keysPropagateThroughLinesThatHaveATraceID() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try database(tmp)
        let run = try CLI.run(["logs", "--db", db, "607f36ae", "--format", "json"] + Self.keys)
        let lines = try #require(try CLI.json(run.stdout)["logs"] as? [[String: Any]])
        #expect(lines.map { $0["body"] as? String } == ["request accepted", "stock reserved late"])
        #expect(lines.map { $0["joined_by"] as? String } == ["trace_id", "key"])
        #expect((lines[1]["join_key"] as? [String: Any])?["span_id"] is NSNull)
        #expect(lines[1]["service"] as? String == "fulfilment")
    }

    @Test func anAmbiguousKeyOrAKeyOnNoSpanJoinsNothing() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try database(tmp)
        for trace in ["69e9ea3c", "21922859"] {
            let run = try CLI.run(["logs", "--db", db, trace, "--format", "json"] + Self.keys)
            let bodies = (try CLI.json(run.stdout)["logs"] as? [[String: Any]])?.map { $0["body"] as? String }
            #expect(bodies == ["retry scheduled"], "\(trace)")
        }
        let run = try CLI.run(["logs", "--db", db, "--unlinked", "--format", "json"] + Self.keys)
        let lines = try #require(try CLI.json(run.stdout)["logs"] as? [[String: Any]])
        #expect(lines.map { $0["body"] as? String } == ["shipping label printed", "stock reserved late", "retry failed"])
        #expect(lines.map { $0["joined_by"] as? String } == ["key", "key", "none"])
        let ambiguous = try #require(lines[2]["ambiguous_key"] as? [String: Any])
        #expect(ambiguous["value"] as? String == "req-shared")
        #expect(
            ambiguous["trace_ids"] as? [String] == ["69e9ea3cf519978ebc442d5728b4090d", "21922859046a65c950b71c325505be04"])

        let text = try CLI.run(["logs", "--db", db, "--unlinked", "--no-color"] + Self.keys)
        #expect(text.stdout.contains("joined by key order_id = 'ord-0001' to trace a883578a9363a63d… (span "), "\(text.stdout)")
        #expect(text.stdout.contains("key request_id = 'req-shared' is on 2 traces: not joined"), "\(text.stdout)")
        #expect(!text.stdout.contains("ord-9999"))
    }

    @Test func aBadKeyIsAUsageError() throws {
        let run = try CLI.run(["logs", "--db", "/nonexistent/x.db", "--unlinked", "--link-key", "=x"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("not a key: give a log field name (request_id), or field=attribute"), "\(run.stderr)")
    }
}

extension LinkKeyCLITests {
    @Test func statsAndCheckCountLinesJoinedByKey() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try database(tmp)
        let plain = try CLI.json(try CLI.run(["stats", "--db", db, "--format", "json"]).stdout)
        #expect((plain["logs"] as? [String: Any])?["joined_by_key"] as? Int == 0)
        #expect((plain["logs"] as? [String: Any])?["not_joined"] as? Int == 4)

        let stats = try CLI.run(["stats", "--db", db, "--format", "json"] + Self.keys)
        let logs = try #require(try CLI.json(stats.stdout)["logs"] as? [String: Any])
        #expect(logs["total"] as? Int == 7)
        #expect(logs["with_trace_id"] as? Int == 3)
        #expect(logs["joined_by_key"] as? Int == 2)
        #expect(logs["ambiguous_key"] as? Int == 1)
        #expect(logs["not_joined"] as? Int == 2)
        let text = try CLI.run(["stats", "--db", db] + Self.keys).stdout
        #expect(text.contains("no trace ID: joined by key 2 (1 ambiguous), written in a span's time 0, neither 2"), "\(text)")

        // The policy's link_keys do the same for check; a bad key is a policy error.
        let policy = tmp + "/p.yml"
        try "link_keys: [order_id=order.id, request_id]\nrules:\n  log_linkage:\n    min: 90%\n"
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let check = try CLI.run(["check", "--db", db, "--policy", policy, "--no-color"])
        #expect(check.stdout.contains("2 lines without trace ID join a trace by key (link_keys), 1 carry a key value of several traces"), "\(check.stdout)")
        let bad = tmp + "/bad.yml"
        try "link_keys: [\"a b\"]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["check", "--db", db, "--policy", bad])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("link_keys: 'a b' is not a key"), "\(refused.stderr)")
    }
}
