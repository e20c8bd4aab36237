// Issue 19: the same log record arriving in two formats — the application's JSON log file and the
// Collector's OTLP copy — is stored once and reported as a duplicate, and the ingest summary says
// what was stored.

import Foundation
import Testing

@Suite struct LogDuplicatesCLITests {
    /// The demo's log file, then its OTLP/JSON and protobuf copies and the protobuf copy of its
    /// spans: each record is stored once, the report says which were already stored, and the
    /// `total:` line agrees with the `database` line.
    @Test func theSameRecordsInTwoFormatsAreStoredOnceAndReported() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, CLI.fixtures + "/demo", CLI.fixtures + "/demo-collector-copy"])
        #expect(run.status == 0)
        #expect(run.stderr == "")
        Golden.check(Golden.normalise(run.stdout, tmp: tmp), "ingest-demo-and-collector-copy.txt")
        #expect(run.stdout.contains("121 spans and 63 logs stored in"))
        #expect(run.stdout.contains("; 121 spans, 126 logs already stored, not stored again\n"))
        #expect(run.stdout.contains(": 121 spans in 15 traces, 63 logs from 5 sources\n"))
        #expect(try sqlite(db, "SELECT count(*) FROM logs") == ["63"])
        #expect(try sqlite(db, "SELECT sum(duplicate_count) FROM sources") == ["247"])

        let json = try CLI.run(["ingest", "--format", "json", "--db", tmp + "/j.db", CLI.fixtures + "/demo/app.log.jsonl",
            CLI.fixtures + "/demo-collector-copy/logs.otlp.json"])
        let files = try #require(try CLI.json(json.stdout)["files"] as? [[String: Any]])
        let copy = try #require(files.last)
        #expect(copy["logs"] as? Int == 63 && copy["duplicate_logs"] as? Int == 63, "\(copy)")
    }

    /// The other order (OTLP first, then the log file with millisecond times) is the same.
    @Test func theLogFileAfterItsOTLPCopyAddsNothing() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let run = try CLI.run([
            "ingest", "--db", db, CLI.fixtures + "/demo-collector-copy/logs.otlp.json", CLI.fixtures + "/demo/app.log.jsonl",
        ])
        #expect(run.status == 0 && run.stderr == "")
        #expect(run.stdout.contains("demo/app.log.jsonl (63 logs already stored)"), "\(run.stdout)")
        #expect(run.stdout.contains("0 spans and 63 logs stored in"), "\(run.stdout)")
        #expect(try sqlite(db, "SELECT count(*) FROM logs") == ["63"])
    }

    /// `ingest fixtures/demo` then `explain --most-broken` prints each log line once, and adding
    /// the Collector's copies changes nothing in it.
    @Test func explainPrintsEachLogLineOnce() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let demo = tmp + "/demo.db"
        #expect(try CLI.run(["ingest", "--quiet", "--db", demo, CLI.fixtures + "/demo"]).status == 0)
        let explained = try CLI.run(["explain", "--db", demo, "--most-broken"])
        #expect(explained.status == 0 && explained.stderr == "")
        let logLines = explained.stdout.split(separator: "\n").filter { $0.contains(" INFO ") }
        #expect(logLines.count == 6, "\(explained.stdout)")
        #expect(Set(logLines).count == logLines.count, "a log line is printed twice:\n\(explained.stdout)")
        #expect(explained.stdout.contains("logs      4 lines, and 2 lines without trace ID written during a gap"))

        let both = tmp + "/both.db"
        let ingest = try CLI.run(["ingest", "--quiet", "--db", both, CLI.fixtures + "/demo", CLI.fixtures + "/demo-collector-copy"])
        #expect(ingest.status == 0 && ingest.stderr == "")
        let again = try CLI.run(["explain", "--db", both, "--most-broken"])
        #expect(again.status == 0 && again.stderr == "")
        #expect(again.stdout == explained.stdout)
    }

    /// Records that differ in one of time, trace, span, severity or body are all kept.
    @Test func recordsThatDifferAreKept() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let line = #"{"time":"2026-11-22T02:45:07.732Z","level":"INFO","msg":"checkout page requested (cart 0)","otelTraceID":"fe88d3c2df9642e63670e4e28819f52e","otelSpanID":"de3e267aa55ede1b","otelServiceName":"frontend"}"#
        let variants = [
            line.replacingOccurrences(of: "07.732Z", with: "07.733Z"),
            line.replacingOccurrences(of: "fe88d3c2df9642e6", with: "fe88d3c2df9642e7"),
            line.replacingOccurrences(of: "de3e267aa55ede1b", with: "de3e267aa55ede1c"),
            line.replacingOccurrences(of: "\"INFO\"", with: "\"WARNING\""),
            line.replacingOccurrences(of: "(cart 0)", with: "(cart 1)"),
        ]
        try (line + "\n").write(toFile: tmp + "/a.jsonl", atomically: true, encoding: .utf8)
        try (variants.joined(separator: "\n") + "\n" + line + "\n").write(
            toFile: tmp + "/b.jsonl", atomically: true, encoding: .utf8)
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, tmp + "/a.jsonl", CLI.fixtures + "/demo-collector-copy/logs.otlp.json", tmp + "/b.jsonl"])
        #expect(run.status == 0 && run.stderr == "")
        // a.jsonl's line is the OTLP copy's record at millisecond precision; of b.jsonl only the last line repeats it.
        #expect(run.stdout.contains("logs.otlp.json (1 log already stored)"), "\(run.stdout)")
        #expect(run.stdout.contains("b.jsonl (1 log already stored)"), "\(run.stdout)")
        #expect(try sqlite(db, "SELECT count(*) FROM logs") == ["\(1 + 62 + 5)"])
    }
}
