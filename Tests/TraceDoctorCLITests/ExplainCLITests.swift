// `explain` and `logs` end to end on the demo dump (fixtures/demo: the real OpenTelemetry SDK with
// an uninstrumented wait that has a log line inside it, a fragment, an orphan pair and a skewed
// host), compared with golden files (text with and without colour, JSON, HTML); trace-ID
// spellings, exit codes, stdout and stderr together.

import Foundation
import Testing

@Suite(.serialized) struct ExplainCLITests {
    /// The broken chat request, its fragment, the trace with the orphan pair.
    static let chat = "bf576df7be2606a1d82d318c188bdbaa"
    static let fragment = "52b4188fc30f2cd540debce7737d8989"
    static let orphans = "529aa23a6816fcb1776aa53f42fc157e"

    /// A database of the demo spans and the application's log lines.
    static func database() throws -> (db: String, tmp: String) {
        let tmp = CLI.temporaryDirectory()
        let db = tmp + "/demo.db"
        let run = try CLI.run(
            ["ingest", "--db", db, "--quiet", CLI.fixtures + "/demo/traces.otlp.jsonl", CLI.fixtures + "/demo/app.log.jsonl"])
        try #require(run.status == 0, "\(run.stderr)")
        return (db, tmp)
    }

    /// Runs `args` and compares stdout with `golden`, expecting exit 0 and nothing on stderr.
    func check(
        _ args: [String], golden: String, db: String, environment: [String: String] = ["COLUMNS": "100"],
        width: Int = 100, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let run = try CLI.run(args + ["--db", db], environment: environment)
        #expect(run.status == 0, "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.isEmpty, "\(run.stderr)", sourceLocation: sourceLocation)
        // Source paths are absolute (the fixtures were named so): keep them relative to the repository.
        Golden.check(run.stdout.replacingOccurrences(of: CLI.root + "/", with: ""), golden, sourceLocation: sourceLocation)
        if args.contains("json") {
            _ = try CLI.json(run.stdout)
        } else if !args.contains("html") {
            for line in run.stdout.split(separator: "\n") {
                #expect(line.count <= width, "wider than \(width) columns: \(line)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func explainTextJSONAndHTML() throws {
        let (db, tmp) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try check(["explain", "bf576df7"], golden: "explain-chat.txt", db: db)
        try check(["explain", "bf576df7"], golden: "explain-chat-80.txt", db: db, environment: ["COLUMNS": "80"], width: 80)
        try check(["explain", Self.orphans.prefix(8).description], golden: "explain-orphans.txt", db: db)
        try check(["explain", Self.fragment], golden: "explain-fragment.txt", db: db)
        try check(
            ["explain", "bf576df7", "--min-duration", "3ms", "--logs", "errors"], golden: "explain-chat-folded.txt", db: db)
        try check(["explain", "bf576df7", "--format", "json"], golden: "explain-chat.json", db: db)
        try check(["explain", "bf576df7", "--format", "html"], golden: "explain-chat.html", db: db)
    }

    @Test func theWaitIsFirstAndTheLogSaysWhy() throws {
        let (db, tmp) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["explain", "--most-broken", "--db", db, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try CLI.json(run.stdout)
        #expect(object["trace_id"] as? String == Self.chat)
        let findings = try #require(object["findings"] as? [[String: Any]])
        let logs = try #require(object["logs"] as? [[String: Any]])
        #expect(findings.first?["diagnosis"] as? String == "unaccounted_time")
        let said = (findings.first?["logs"] as? [Int] ?? []).map { logs[$0]["body"] as? String ?? "" }
        #expect(said.first == "waiting for LLM rate-limit token")
        let kinds = Set(findings.compactMap { $0["diagnosis"] as? String })
        #expect(kinds.isSuperset(of: ["unaccounted_time", "child_after_parent", "fragment_trace", "low_coverage"]))
    }

    @Test func colourOnlyOnATerminalAndNeverWithNoColor() throws {
        let (db, tmp) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        // A pipe: no colour even without NO_COLOR.
        let piped = try CLI.run(["explain", "bf576df7", "--db", db], environment: ["NO_COLOR": ""])
        #expect(!piped.stdout.contains("\u{1B}["))
        // A terminal (script(1) gives the command a pseudo-terminal): colour, unless told not to.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("ExplainCLITests: /usr/bin/script is missing; colour on a terminal not checked")
            return
        }
        func onTerminal(_ extra: String, noColor: Bool) throws -> String {
            let command = "COLUMNS=100 \(noColor ? "NO_COLOR=1" : "NO_COLOR=") '\(CLI.binary)' explain bf576df7 --db '\(db)' \(extra)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", command, "/dev/null"]
            let out = Pipe()
            process.standardOutput = out
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        }
        let coloured = try onTerminal("", noColor: false)
        Golden.check(coloured, "explain-chat-color.txt")
        #expect(coloured.contains("\u{1B}[1m"))
        #expect(!(try onTerminal("--no-color", noColor: false)).contains("\u{1B}["))
        #expect(!(try onTerminal("", noColor: true)).contains("\u{1B}["))
    }

    @Test func everySpellingOfTheIDFindsTheTrace() throws {
        let (db, tmp) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        // hex prefix, whole base64, base64 prefix, Datadog decimal (low 64 bits), 0x and upper case.
        for spelling in ["bf57", "v1dt974mBqHYLTGMGIvbqg==", "v1dt974m", "15577161163921415082", "0xBF576DF7"] {
            let run = try CLI.run(["explain", spelling, "--db", db, "--format", "json"])
            #expect(run.status == 0, "\(spelling): \(run.stderr)")
            #expect((try? CLI.json(run.stdout))?["trace_id"] as? String == Self.chat, "\(spelling)")
        }
    }

    @Test func unknownAndAmbiguousIDsExit2WithTheClosestMatches() throws {
        let (db, tmp) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let ambiguous = try CLI.run(["explain", "5", "--db", db])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stdout.isEmpty)
        #expect(
            ambiguous.stderr
                == "tracedoctor: error: '5' matches 2 traces; give more digits: \(Self.orphans), \(Self.fragment)\n")
        let unknown = try CLI.run(["explain", "ffff", "--db", db])
        #expect(unknown.status == 2)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr == "tracedoctor: error: no trace matches 'ffff'; closest: fe88d3c2df9642e63670e4e28819f52e\n")
        // Not an ID at all, no ID, both an ID and --most-broken, a bad duration: usage errors.
        let notAnID = try CLI.run(["explain", "zz-top", "--db", db])
        #expect(notAnID.status == 64)
        #expect(notAnID.stderr.contains("'zz-top' is not a trace ID"))
        #expect(try CLI.run(["explain", "--db", db]).status == 64)
        #expect(try CLI.run(["explain", "bf57", "--most-broken", "--db", db]).status == 64)
        #expect(try CLI.run(["explain", "bf57", "--min-duration", "soon", "--db", db]).status == 64)
        #expect(try CLI.run(["explain", "bf57", "--depth", "0", "--db", db]).status == 64)
        // No database.
        let missing = try CLI.run(["explain", "bf57", "--db", tmp + "/none.db"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no database here"))
    }

    @Test func logsOfATraceASpanUnlinkedAndDangling() throws {
        let (db, tmp) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try check(["logs", "bf576df7"], golden: "logs-chat.txt", db: db)
        try check(["logs", "bf576df7", "--span", "3f337a32a645072c"], golden: "logs-chat-span.txt", db: db)
        try check(["logs", "--unlinked"], golden: "logs-unlinked.txt", db: db)
        try check(["logs", "--unlinked", "--format", "json"], golden: "logs-unlinked.json", db: db)
        // Lines naming traces that are not in the database.
        let more = try CLI.run(["ingest", "--db", db, "--quiet", CLI.fixtures + "/logs/json-logs-spellings.jsonl"])
        #expect(more.status == 0, "\(more.stderr)")
        try check(["logs", "--dangling"], golden: "logs-dangling.txt", db: db)
        let json = try CLI.json(try CLI.run(["logs", "--dangling", "--format", "json", "--db", db]).stdout)
        #expect(json["selection"] as? String == "log_dangling")
        #expect((json["count"] as? Int ?? 0) > 0)
        // Usage: nothing chosen, two things chosen, a bad span ID, a span not in the trace.
        #expect(try CLI.run(["logs", "--db", db]).status == 64)
        #expect(try CLI.run(["logs", "bf57", "--unlinked", "--db", db]).status == 64)
        #expect(try CLI.run(["logs", "bf57", "--span", "xyz", "--db", db]).status == 64)
        let notThere = try CLI.run(["logs", "bf57", "--span", "0000000000000001", "--db", db])
        #expect(notThere.status == 64)
        #expect(notThere.stderr.contains("has no span 0000000000000001"))
    }

    @Test func helpShowsExamples() throws {
        for command in ["explain", "logs"] {
            let run = try CLI.run([command, "--help"])
            #expect(run.status == 0)
            #expect(run.stdout.contains("Examples:"), "\(command)")
            #expect(run.stdout.contains("--format"), "\(command)")
        }
    }
}

@Suite struct DemoScriptTests {
    /// `make demo` (scripts/demo.sh) ingests the demo spans and log lines and ends with the explain
    /// of the most broken trace, the wait and its log line at the top.
    @Test func theDemoEndsWithTheMostBrokenTraceExplained() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [CLI.root + "/scripts/demo.sh", CLI.binary]
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env["COLUMNS"] = "100"
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.contains("ingested  json-logs"))
        let explain = try #require(text.range(of: "$ tracedoctor explain --db demo.db --most-broken\n"))
        let rest = text[explain.upperBound...]
        #expect(rest.hasPrefix("trace     \(ExplainCLITests.chat)\n"))
        #expect(rest.contains("the log\n    says 'waiting for LLM rate-limit token'") || rest.contains("says 'waiting for LLM rate-limit token'"))
        #expect(rest.contains(" 1. unaccounted_time  202 ms"))
    }
}

@Suite struct ExplainCorpusTests {
    /// Every trace of the corpus (OTLP, Jaeger, Zipkin, with the log fixtures): explain exits 0,
    /// its text fits 60 columns and its JSON parses.
    @Test func everyCorpusTraceIsExplained() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/corpus.db"
        let ingest = try CLI.run(
            ["ingest", "--db", db, "--quiet", "--keep-going", CLI.fixtures + "/corpus", CLI.fixtures + "/logs"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let ids = try sqlite(db, "SELECT DISTINCT trace_id FROM spans ORDER BY trace_id")
        #expect(ids.count > 50)
        for id in ids {
            let text = try CLI.run(["explain", id, "--db", db], environment: ["COLUMNS": "60"])
            #expect(text.status == 0, "\(id): \(text.stderr)")
            for line in text.stdout.split(separator: "\n") where line.count > 60 {
                Issue.record("\(id): wider than 60 columns: \(line)")
            }
            let json = try CLI.run(["explain", id, "--db", db, "--format", "json"])
            #expect(json.status == 0, "\(id): \(json.stderr)")
            #expect((try? CLI.json(json.stdout))?["trace_id"] as? String == id)
        }
    }
}
