// `orphans`, `gaps`, `traces` and `stats` end to end on OTLP files of the corpus, compared with
// golden files (text and JSON); exit codes and errors.

import Foundation
import Testing

@Suite(.serialized) struct DiagnosisCLITests {
    /// OTLP files with something to find: a whole trace with gaps and errors (otel-desktop-viewer),
    /// parents living in the other trace (jaeger otel_traces_01), five roots (jaeger example_trace),
    /// 19 one-span traces with 13 orphans (otlp2parquet), an orphan with an upper-case ID.
    static let inputs = [
        "corpus/otel-desktop-viewer/traces.json", "corpus/jaeger/otel_traces_01.json", "corpus/jaeger/example_trace.json",
        "corpus/otlp2parquet/traces.jsonl", "corpus/opentelemetry-proto/trace.json",
    ]

    /// A database of `inputs`, made once per test.
    func database() throws -> (db: String, tmp: String) {
        let tmp = CLI.temporaryDirectory()
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, "--quiet"] + Self.inputs.map { CLI.fixtures + "/" + $0 })
        try #require(run.status == 0, "\(run.stderr)")
        return (db, tmp)
    }

    func check(_ args: [String], golden: String, db: String, tmp: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try CLI.run(args + ["--db", db])
        #expect(run.status == 0, "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.isEmpty, sourceLocation: sourceLocation)
        let stdout = run.stdout.replacingOccurrences(of: tmp, with: "$TMP")
        Golden.check(stdout, golden, sourceLocation: sourceLocation)
        if args.contains("json") {
            _ = try CLI.json(run.stdout)
        } else {
            for line in stdout.split(separator: "\n") {
                #expect(line.count <= 100, "wider than 100 columns: \(line)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func orphans() throws {
        let (db, tmp) = try database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try check(["orphans"], golden: "orphans.txt", db: db, tmp: tmp)
        try check(["orphans", "--format", "json"], golden: "orphans.json", db: db, tmp: tmp)
        try check(["orphans", "--include-remote", "--limit", "2"], golden: "orphans-include-remote.txt", db: db, tmp: tmp)
    }

    @Test func gaps() throws {
        let (db, tmp) = try database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try check(["gaps"], golden: "gaps.txt", db: db, tmp: tmp)
        try check(["gaps", "--format", "json"], golden: "gaps.json", db: db, tmp: tmp)
        // One trace, by a prefix; the checkout trace leaves 1050–1200 ms of its root uncovered.
        try check(["gaps", "4bf92f35", "--min-gap", "4ms", "--min-gap-share", "1%"], golden: "gaps-one-trace.txt", db: db, tmp: tmp)
    }

    @Test func traces() throws {
        let (db, tmp) = try database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try check(["traces"], golden: "traces.txt", db: db, tmp: tmp)
        try check(["traces", "--format", "json", "--sort", "coverage", "--limit", "3"], golden: "traces.json", db: db, tmp: tmp)
        try check(["traces", "--service", "payment-service", "--sort", "orphans"], golden: "traces-service.txt", db: db, tmp: tmp)
        let none = try CLI.run(["traces", "--service", "payment", "--db", db])
        #expect(none.stdout == "no trace has a span of service 'payment' (24 traces in the database)\n")
    }

    @Test func stats() throws {
        let (db, tmp) = try database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try check(["stats"], golden: "stats.txt", db: db, tmp: tmp)
        try check(["stats", "--format", "json"], golden: "stats.json", db: db, tmp: tmp)
    }

    @Test func theCheckoutTraceGapsAreWhereTheCorpusSays() throws {
        // SOURCES.md: root 0–1200 ms, children leave 1050–1200 uncovered; payment 785–1050 with
        // stripe 882–1000 inside it.
        let (db, tmp) = try database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["gaps", "4bf92f3577b34da6a3ce929d0e0e4736", "--db", db, "--format", "json"])
        let gaps = try CLI.json(run.stdout)["unaccounted_time"] as? [[String: Any]] ?? []
        let intervals = gaps.map { [$0["start_offset_ns"] as? Int ?? -1, $0["end_offset_ns"] as? Int ?? -1] }
        #expect(intervals == [[1_050_000_000, 1_200_000_000], [0, 97_000_000], [215_000_000, 265_000_000]])
    }

    @Test func exitCodes() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        // No database: a runtime error, saying what to do.
        let missing = try CLI.run(["stats", "--db", tmp + "/none.db"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no database here; run `tracedoctor ingest FILE...` first"))
        #expect(!FileManager.default.fileExists(atPath: tmp + "/none.db"))
        // Usage errors.
        #expect(try CLI.run(["gaps", "--min-gap", "soon"]).status == 64)
        #expect(try CLI.run(["orphans", "--fail-on", "nonsense"]).status == 64)
        #expect(try CLI.run(["traces", "--sort", "size"]).status == 64)
        // A trace ID that is none, and one that matches nothing.
        let (db, dbTmp) = try database()
        defer { try? FileManager.default.removeItem(atPath: dbTmp) }
        let bad = try CLI.run(["gaps", "not-hex!", "--db", db])
        #expect(bad.status == 64)
        let unknown = try CLI.run(["gaps", "ffffff", "--db", db])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no trace matches 'ffffff'; closest:"))
        // --fail-on: exit 1 with the finding named on stderr, the report still on stdout.
        let failing = try CLI.run(["stats", "--db", db, "--fail-on", "missing_parent"])
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("missing_parent"))
        #expect(!failing.stdout.isEmpty)
        #expect(try CLI.run(["stats", "--db", db, "--fail-on", "cycle"]).status == 0)
        #expect(try CLI.run(["stats", "--db", db, "--fail-on", "any"]).status == 1)
    }

    @Test func helpShowsExamples() throws {
        for command in ["orphans", "gaps", "traces", "stats"] {
            let run = try CLI.run([command, "--help"])
            #expect(run.status == 0)
            #expect(run.stdout.contains("Examples:"), "\(command)")
            #expect(run.stdout.contains("--format"), "\(command)")
        }
    }
}
