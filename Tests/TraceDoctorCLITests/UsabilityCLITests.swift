// What a new user trips over (issue 19, items 6-13): one error prefix, nothing to load is an error
// unless --allow-empty, an empty query, negative numbers, output paths checked before the work,
// YAML positions, -o on every report, and control characters in untrusted text. Each case runs the
// binary and checks stdout, stderr and the exit code together.

import Foundation
import Testing

@Suite struct UsabilityCLITests {
    static let demo = CLI.fixtures + "/demo/traces.otlp.jsonl"
    static let evil = CLI.fixtures + "/otlp/control-characters.json"
    static let evilLog = CLI.fixtures + "/logs/control-characters.jsonl"

    /// A database of the demo's spans in a fresh folder.
    static func demoDatabase() throws -> (db: String, tmp: String) {
        let tmp = CLI.temporaryDirectory()
        let db = tmp + "/demo.db"
        let run = try CLI.run(["ingest", "--db", db, "--quiet", demo])
        #expect(run.status == 0, "\(run.stderr)")
        return (db, tmp)
    }

    // MARK: item 6 — one prefix

    @Test func usageAndRuntimeErrorsShareOnePrefix() throws {
        let (db, tmp) = try Self.demoDatabase()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let unknown = try CLI.run(["traces", "--db", db, "--bogus"])
        #expect(unknown.status == 64)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr.hasPrefix("tracedoctor: error: Unknown option '--bogus'\n"), "\(unknown.stderr)")
        let validation = try CLI.run(["explain", "--db", db])
        #expect(validation.status == 64)
        #expect(validation.stdout.isEmpty)
        #expect(validation.stderr.hasPrefix("tracedoctor: error: name a trace: tracedoctor explain TRACE_ID"), "\(validation.stderr)")
        let runtime = try CLI.run(["traces", "--db", tmp + "/none.db"])
        #expect(runtime.status == 2)
        #expect(runtime.stdout.isEmpty)
        #expect(runtime.stderr.hasPrefix("tracedoctor: error: database "), "\(runtime.stderr)")
        for run in [unknown, validation, runtime] {
            #expect(!run.stderr.contains("Error:"), "\(run.stderr)")
        }
    }

    // MARK: item 7 — nothing to load

    @Test func nothingToLoadIsAnErrorUnlessAllowEmptyInEveryCommand() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let dir = tmp + "/otel-out"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "notes, not a dump\n".write(toFile: dir + "/README", atomically: true, encoding: .utf8)
        try Data([0, 1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/core.bin"))

        let ingest = try CLI.run(["ingest", "--db", tmp + "/t.db", dir])
        #expect(ingest.status == 2)
        #expect(ingest.stdout.contains("not a dump"), "\(ingest.stdout)")
        #expect(
            normalise(ingest.stderr, tmp)
                == "tracedoctor: error: nothing to load: no span or log record in $TMP/otel-out (is this the folder the "
                + "exporter writes to? pass --allow-empty to accept an empty capture)\n")
        #expect(!FileManager.default.fileExists(atPath: tmp + "/t.db"))
        let allowed = try CLI.run(["ingest", "--db", tmp + "/t.db", "--allow-empty", dir])
        #expect(allowed.status == 0)
        #expect(allowed.stderr.isEmpty)
        #expect(allowed.stdout.contains("not created (nothing was stored)"))

        // Under --keep-going a rejected file is a skip: all skipped is nothing loaded, as for check.
        try "".write(toFile: tmp + "/empty.json", atomically: true, encoding: .utf8)
        let skipped = try CLI.run(["ingest", "--db", tmp + "/t.db", "--keep-going", tmp + "/empty.json"])
        #expect(skipped.status == 2)
        #expect(skipped.stdout.contains("rejected"))
        #expect(skipped.stderr.contains("tracedoctor: warning: skipped \(tmp)/empty.json: the file is empty"))
        #expect(skipped.stderr.contains("tracedoctor: error: nothing to load: no span or log record in \(tmp)/empty.json"))
        let skippedCheck = try CLI.run(["check", "--keep-going", tmp + "/empty.json"])
        #expect(skippedCheck.status == 2)
        #expect(skippedCheck.stderr.contains("nothing to check"))
        let skippedAllowed = try CLI.run(["ingest", "--db", tmp + "/t.db", "--keep-going", "--allow-empty", tmp + "/empty.json"])
        #expect(skippedAllowed.status == 0)

        let check = try CLI.run(["check", dir])
        #expect(check.status == 2)
        #expect(check.stdout.isEmpty)
        #expect(check.stderr.hasPrefix("tracedoctor: error: no spans in "))
        #expect(check.stderr.contains("pass --allow-empty to accept an empty capture"))
        let passed = try CLI.run(["check", "--allow-empty", "--junit", tmp + "/r.xml", dir])
        #expect(passed.status == 0)
        #expect(passed.stderr.isEmpty)
        #expect(passed.stdout.hasSuffix("PASS: nothing checked (0 rules checked, 13 skipped), exit 0\n"), "\(passed.stdout)")
        #expect(FileManager.default.fileExists(atPath: tmp + "/r.xml"))
        // No zero baseline is written from an empty capture.
        let baseline = try CLI.run(["check", "--allow-empty", "--quiet", "--write-baseline", tmp + "/b.json", dir])
        #expect(baseline.status == 0)
        #expect(baseline.stdout.isEmpty)
        #expect(baseline.stderr.contains("no baseline was written to \(tmp)/b.json"))
        #expect(!FileManager.default.fileExists(atPath: tmp + "/b.json"))
    }

    // MARK: item 8 — empty query

    @Test func anEmptyQueryIsAUsageError() throws {
        let (db, tmp) = try Self.demoDatabase()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        for query in ["", "   ", " -- nothing\n ; /* at all */ "] {
            let run = try CLI.run(["sql", "--db", db, query])
            #expect(run.status == 64, "\(query)")
            #expect(run.stdout.isEmpty)
            #expect(
                run.stderr.hasPrefix(
                    "tracedoctor: error: the query is empty; give one SQL statement, e.g. tracedoctor sql \"SELECT count(*) FROM spans\"\n"
                ), "\(run.stderr)")
        }
        let real = try CLI.run(["sql", "--db", db, "/* a comment */ SELECT count(*) AS n FROM spans"])
        #expect(real.status == 0)
        #expect(real.stdout.hasSuffix("(1 row)\n"))
    }

    // MARK: item 9 — negative numbers

    @Test func negativeNumbersAreRefusedWithTheValidRange() throws {
        let (db, tmp) = try Self.demoDatabase()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let cases: [([String], String)] = [
            (["traces", "--limit", "-1"], "--limit '-1' is not a number of rows: give 0 (all) or more"),
            (["orphans", "--limit", "ten"], "--limit 'ten' is not a number of rows: give 0 (all) or more"),
            (["explain", "--most-broken", "--depth", "-2"], "--depth '-2' is not a number of levels: give 1 or more"),
            (["gaps", "--min-gap", "-5ms"], "--min-gap '-5ms' is not a duration of 0 or more (try 10ms, 1.5s, 500us)"),
            (["stats", "--min-coverage", "-10%"], "--min-coverage '-10%' is not a percentage from 0% to 100% (try 50%)"),
            (["explain", "--most-broken", "--min-duration", "-1ms"], "--min-duration '-1ms' is not a duration of 0 or more (try 1ms, 500us)"),
        ]
        for (args, message) in cases {
            let run = try CLI.run(args + ["--db", db])
            #expect(run.status == 64, "\(args)")
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.hasPrefix("tracedoctor: error: " + message + "\n"), "\(args): \(run.stderr)")
            #expect(!run.stderr.contains("Missing value"))
        }
    }

    // MARK: item 10 — output paths

    @Test func outputPathsAreCheckedBeforeTheWorkAndWordedLikeTheRest() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let junit = try CLI.run(["check", Self.demo, "--junit", "/proc/r.xml"])
        #expect(junit.status == 2)
        #expect(junit.stdout.isEmpty, "the report is not printed before the failure")
        #expect(junit.stderr == "tracedoctor: error: /proc/r.xml: cannot write: files cannot be created in /proc (choose another path)\n")
        try "a file".write(toFile: tmp + "/plain", atomically: true, encoding: .utf8)
        let baseline = try CLI.run(["check", Self.demo, "--write-baseline", tmp + "/plain/b.json"])
        #expect(baseline.status == 2)
        #expect(baseline.stdout.isEmpty)
        #expect(normalise(baseline.stderr, tmp) == "tracedoctor: error: $TMP/plain/b.json: cannot write: $TMP/plain is a file, not a folder\n")
        let folder = try CLI.run(["traces", "--db", tmp + "/x.db", "-o", tmp])
        #expect(folder.status == 2)
        #expect(normalise(folder.stderr, tmp) == "tracedoctor: error: $TMP: cannot write: it is a folder; name a file in it\n")
        for run in [junit, baseline, folder] { #expect(!run.stderr.contains("could not be completed")) }

        // One rule: missing folders are created, for the database of `ingest` as for reports.
        let ingest = try CLI.run(["ingest", "--quiet", "--db", tmp + "/new/deeper/t.db", Self.demo])
        #expect(ingest.status == 0)
        #expect(ingest.stderr.isEmpty)
        #expect(FileManager.default.fileExists(atPath: tmp + "/new/deeper/t.db"))
        let report = try CLI.run(["stats", "--db", tmp + "/new/deeper/t.db", "-o", tmp + "/reports/q/stats.txt"])
        #expect(report.status == 0)
        #expect(report.stdout.isEmpty)
        #expect(FileManager.default.fileExists(atPath: tmp + "/reports/q/stats.txt"))
        // A failed ingest leaves no folder behind.
        let failed = try CLI.run(["ingest", "--db", tmp + "/gone/t.db", tmp + "/no-such-dump.json"])
        #expect(failed.status == 2)
        #expect(!FileManager.default.fileExists(atPath: tmp + "/gone"))
    }

    // MARK: item 11 — YAML positions

    @Test func yamlErrorsAlwaysSayFileLineColumn() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let policies = [
            ("reader.yml", "version: 1\nrules:\n  coverage: {min: 10%}\u{01}\n", "reader.yml:3:23: not valid YAML: control characters are not allowed\n"),
            ("scanner.yml", "rules:\n  coverage: {min: 10%\n  parent_linkage: {}\n", "scanner.yml:3:17: not valid YAML: did not find expected ','"),
        ]
        for (name, text, expected) in policies {
            try text.write(toFile: tmp + "/" + name, atomically: true, encoding: .utf8)
            let run = try CLI.run(["check", "--policy", tmp + "/" + name, Self.demo])
            #expect(run.status == 2)
            #expect(run.stdout.isEmpty)
            #expect(normalise(run.stderr, tmp).hasPrefix("tracedoctor: error: $TMP/" + expected), "\(run.stderr)")
        }
    }

    // MARK: item 12 — -o on every report

    @Test func everyReportCommandWritesToOutputFileAtomically() throws {
        let (db, tmp) = try Self.demoDatabase()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let commands: [[String]] = [
            ["traces"], ["orphans"], ["gaps"], ["stats"], ["explain", "--most-broken"], ["logs", "--dangling"],
            ["sql", "SELECT count(*) FROM spans"], ["check", "--db", db], ["traces", "--format", "json"],
        ]
        for (k, args) in commands.enumerated() {
            let full = args.contains("--db") ? args : args + ["--db", db]
            let plain = try CLI.run(full)
            let file = tmp + "/out/\(k).txt"
            let written = try CLI.run(full + ["-o", file])
            #expect(written.status == plain.status, "\(args)")
            #expect(written.stdout.isEmpty, "\(args)")
            #expect(written.stderr == plain.stderr, "\(args)")
            #expect((try? String(contentsOfFile: file, encoding: .utf8)) == plain.stdout, "\(args)")
        }
        let ingest = try CLI.run(["ingest", "--db", tmp + "/i.db", "--format", "json", "--output", tmp + "/ingest.json", Self.demo])
        #expect(ingest.status == 0)
        #expect(ingest.stdout.isEmpty)
        #expect(try CLI.json(String(contentsOfFile: tmp + "/ingest.json", encoding: .utf8))["files"] != nil)

        // On GitHub Actions the annotations still go to stdout, where the runner reads them.
        let annotated = try CLI.run(
            ["check", CLI.fixtures + "/check/unpropagated", "-o", tmp + "/check.txt"], environment: ["GITHUB_ACTIONS": "true"])
        #expect(annotated.status == 1)
        #expect(annotated.stdout.hasPrefix("::error title=tracedoctor check"), "\(annotated.stdout)")
        let checkReport = try String(contentsOfFile: tmp + "/check.txt", encoding: .utf8)
        #expect(!checkReport.contains("::error") && checkReport.hasSuffix("exit 1\n"), "\(checkReport)")

        // `explain -o trace.html` writes the page; --quiet does not silence a file.
        let html = try CLI.run(["explain", "--most-broken", "--db", db, "-q", "-o", tmp + "/trace.html"])
        #expect(html.status == 0)
        #expect(html.stdout.isEmpty && html.stderr.isEmpty)
        #expect(try String(contentsOfFile: tmp + "/trace.html", encoding: .utf8).hasPrefix("<!DOCTYPE html>"))

        // A failure leaves the file as it was, and no temporary file next to it.
        try "the previous report\n".write(toFile: tmp + "/kept.txt", atomically: true, encoding: .utf8)
        let failed = try CLI.run(["explain", "ffffffffffff", "--db", db, "-o", tmp + "/kept.txt"])
        #expect(failed.status == 2)
        #expect(failed.stdout.isEmpty)
        #expect(failed.stderr.hasPrefix("tracedoctor: error: no trace matches 'ffffffffffff'"))
        #expect(try String(contentsOfFile: tmp + "/kept.txt", encoding: .utf8) == "the previous report\n")
        let hidden = try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.contains(".tracedoctor-") }
        #expect(hidden.isEmpty, "\(hidden)")
    }

    // MARK: item 13 — control characters

    /// Control characters other than newline in `text`: C0, DEL, C1.
    static func controls(_ text: String) -> [String] {
        text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }.map {
            String($0.value, radix: 16)
        }
    }

    @Test func untrustedTextIsEscapedInEveryTextOutput() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/evil.db"
        let ingest = try CLI.run(["ingest", "--db", db, Self.evil, Self.evilLog])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let commands: [[String]] = [
            ["traces"], ["orphans"], ["gaps"], ["stats"], ["explain", "7e57c0de"], ["logs", "7e57c0de"], ["check", "--db", db],
            ["sql", "SELECT name, service, attributes FROM spans"], ["sql", "SELECT body FROM logs"],
        ]
        for args in commands {
            for columns in ["60", "100", "200"] {
                let run = try CLI.run(args + ["--db", db], environment: ["COLUMNS": columns])
                #expect([0, 1].contains(run.status), "\(args): \(run.stderr)")
                #expect(Self.controls(run.stdout).isEmpty, "\(args) at \(columns) columns: \(Self.controls(run.stdout))")
                #expect(Self.controls(run.stderr).isEmpty, "\(args): \(run.stderr)")
            }
        }
        let explain = try CLI.run(["explain", "7e57c0de", "--db", db], environment: ["COLUMNS": "200"])
        #expect(explain.stdout.contains(#"shop\x1b[2J: evil \x1b]0;PWNED\x07\x1b[31mred"#), "\(explain.stdout)")
        #expect(explain.stdout.contains(#"ERROR body \x1b]0;PWNED\x07\x1b[31mred\x85end"#))
        let sql = try CLI.run(["sql", #"SELECT attributes->>'$."http.route"' AS route FROM spans WHERE span_id = '1111111111111111'"#, "--db", db])
        #expect(sql.stdout.contains(#"/x\x9b31m\x7f"#), "\(sql.stdout)")
        // Cut after escaping: the service column of `logs` ends in … within its width.
        let logs = try CLI.run(["logs", "7e57c0de", "--db", db])
        #expect(logs.stdout.contains(#"shop\x1…"#), "\(logs.stdout)")

        // JSON escapes them as JSON does, and reads back to the original text.
        let json = try CLI.run(["explain", "7e57c0de", "--db", db, "--format", "json"])
        #expect(json.status == 0)
        #expect(Self.controls(json.stdout).isEmpty)
        #expect(json.stdout.contains(#"evil \u001b]0;PWNED\u0007\u001b[31mred"#))
        let object = try CLI.json(json.stdout)
        #expect(String(describing: object).contains("PWNED"))
        let traces = try CLI.run(["traces", "--db", db, "--format", "json"])
        let list = try #require(try CLI.json(traces.stdout)["traces"] as? [[String: Any]])
        #expect(list.first?["root_name"] as? String == "evil \u{1B}]0;PWNED\u{07}\u{1B}[31mred", "\(list)")

        // HTML escapes markup, and shows control characters instead of sending them.
        let html = try CLI.run(["explain", "7e57c0de", "--db", db, "--format", "html"])
        #expect(html.status == 0)
        #expect(Self.controls(html.stdout).filter { $0 != "9" }.isEmpty, "only tabs, which HTML shows as spaces")
        #expect(!html.stdout.contains("<script>alert(1)</script>"))
        #expect(html.stdout.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.stdout.contains(#"\u003cscript"#))
    }

    private func normalise(_ text: String, _ tmp: String) -> String { text.replacingOccurrences(of: tmp, with: "$TMP") }
}
