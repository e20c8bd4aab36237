// Issue 19: the first SIGINT or SIGTERM stops whatever runs — a query, an analysis, an ingest —
// says on stderr what it stopped, and exits 130 or 143; `sql` stops by itself after --timeout.

import Foundation
import Testing

@Suite(.serialized) struct SignalCLITests {
    /// Runs `tracedoctor args...`, sends `signal` after `delay` seconds, and waits at most 20 s
    /// more (then kills it: the signal did not stop it).
    static func run(_ args: [String], signal: Int32, after delay: Double) throws -> (run: Run, stoppedInTime: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = args
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, signal)
        var stoppedInTime = false
        for _ in 0..<200 {
            if !process.isRunning {
                stoppedInTime = true
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        if !stoppedInTime { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (Run(stdout: stdout, stderr: stderr, status: process.terminationStatus), stoppedInTime)
    }

    static let runaway = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"

    static func demoDatabase(_ tmp: String) throws -> String {
        let db = tmp + "/d.db"
        #expect(try CLI.run(["ingest", "--quiet", "--db", db, CLI.fixtures + "/demo"]).status == 0)
        return db
    }

    @Test(arguments: [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, Int32(143), "SIGTERM")])
    func theFirstSignalStopsARunawayQuery(signal: Int32, status: Int32, name: String) throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try Self.demoDatabase(tmp)
        let (run, inTime) = try Self.run(["sql", "--db", db, "--timeout", "0", Self.runaway], signal: signal, after: 0.5)
        #expect(inTime, "the query went on after \(name)")
        #expect(run.status == status)
        #expect(run.stdout == "")
        #expect(run.stderr == "tracedoctor: error: interrupted by \(name) while running the query (nothing was changed)\n")
    }

    @Test func aQueryStopsAfterItsTimeout() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try Self.demoDatabase(tmp)
        let started = Date()
        let run = try CLI.run(["sql", "--db", db, "--timeout", "1s", Self.runaway])
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(run.status == 2)
        #expect(run.stdout == "")
        #expect(
            run.stderr
                == "tracedoctor: error: the query ran longer than --timeout 1 s and was stopped; narrow it (a WHERE on trace_id, a LIMIT) or pass a longer --timeout (0: none)\n"
        )
        let bad = try CLI.run(["sql", "--db", db, "--timeout", "soon", "SELECT 1"])
        #expect(bad.status == 64)
        #expect(bad.stdout == "")
        #expect(bad.stderr.contains("--timeout 'soon' is not a duration (try 30s, 5m, 1h; 0 for none)"))
    }

    @Test func textOutputStopsAtMaxRows() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try Self.demoDatabase(tmp)
        let sql = "SELECT name FROM spans ORDER BY name, id"
        let run = try CLI.run(["sql", "--db", db, "--max-rows", "2", sql])
        #expect(run.status == 0 && run.stderr == "")
        #expect(
            run.stdout
                == "name\n-------------\nGET /checkout\nGET /checkout\n(the first 2 rows; the query returns more: --max-rows 0 prints all, --format csv or json prints every row)\n"
        )
        let all = try CLI.run(["sql", "--db", db, "--max-rows", "0", sql])
        #expect(all.stdout.hasSuffix("(121 rows)\n"))
        let csv = try CLI.run(["sql", "--db", db, "--max-rows", "2", "--format", "csv", sql])
        #expect(csv.stdout.components(separatedBy: "\r\n").count == 123)  // 121 rows, the header, the empty end
        // The default: 1000 rows in text.
        let many = try CLI.run(["sql", "--db", db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 1500) SELECT x FROM c"])
        #expect(many.stdout.split(separator: "\n").count == 1003)
        #expect(many.stdout.hasSuffix("(the first 1000 rows; the query returns more: --max-rows 0 prints all, --format csv or json prints every row)\n"))
    }

    /// SIGTERM during an ingest: the file's transaction rolls back, the database is byte for byte
    /// what it was, the report says what happened, and the exit code is 143.
    @Test func sigtermDuringAnIngestRollsItBack() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = try Self.demoDatabase(tmp)
        let big = tmp + "/big.jsonl"
        try generate(big, size: "20M")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let (run, inTime) = try Self.run(["ingest", "--db", db, big], signal: SIGTERM, after: 0.8)
        #expect(inTime)
        #expect(run.status == 143)
        #expect(run.stdout.contains("stopped  otlp-json  -  -  -  -  \(big) (interrupted: nothing stored)")
            || run.stdout.contains("(interrupted: nothing stored)"), "\(run.stdout)")
        #expect(run.stdout.contains("interrupted: the files marked ingested above are stored; the rest is not\n"))
        #expect(
            run.stderr
                == "tracedoctor: interrupted by SIGTERM while ingesting \(big) (its transaction was rolled back: nothing of it is stored)\n"
        )
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))
    }

    /// SIGINT during an analysis (`stats` over a database that takes seconds to analyse).
    @Test func sigintStopsAnAnalysis() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let big = tmp + "/big.jsonl"
        try generate(big, size: "40M")
        let db = tmp + "/big.db"
        #expect(try CLI.run(["ingest", "--quiet", "--db", db, big]).status == 0)
        let (run, inTime) = try Self.run(["stats", "--db", db], signal: SIGINT, after: 0.4)
        #expect(inTime)
        #expect(run.status == 130, "\(run.stdout)")
        #expect(run.stdout == "")
        #expect(run.stderr == "tracedoctor: error: interrupted by SIGINT while analysing the traces\n")
    }

    func generate(_ path: String, size: String) throws {
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = ["python3", CLI.root + "/bench/gen_otlp.py", "--size", size, "--seed", "5", "--out", path]
        generator.standardOutput = FileHandle.nullDevice
        generator.standardError = FileHandle.nullDevice
        try generator.run()
        generator.waitUntilExit()
    }
}
