import Foundation
import Testing

@Suite(.serialized) struct IngestCLITests {
    /// Entries of fixtures/corpus/corpus_index.json (counts computed upstream of tracedoctor).
    struct CorpusEntry {
        var file: String
        var format: String
        var spans: Int
        var traces: Int
    }

    static let corpus: [CorpusEntry] = {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: CLI.fixtures + "/corpus/corpus_index.json"))) ?? Data()
        let list = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] ?? []
        return list.compactMap { e in
            guard let file = e["file"] as? String, let format = e["format"] as? String else { return nil }
            return CorpusEntry(
                file: String(file.dropFirst(2)), format: format, spans: e["spans"] as? Int ?? 0,
                traces: e["traces"] as? Int ?? 0)
        }
    }()

    /// Corpus files SOURCES.md marks as invalid on purpose: they must be rejected.
    static let invalid: Set<String> = [
        "otlp2parquet/trace_invalid_base64.json", "otlp2parquet/trace_mixed_encoding.json",
        "otlp2parquet/trace_invalid_kind.json", "otlp2parquet/malformed.json",
    ]

    static var otlpTraceFiles: [CorpusEntry] {
        corpus.filter { $0.format.hasPrefix("otlp-json-traces") || $0.format.hasPrefix("otlp-jsonl-traces") }
            .filter { !invalid.contains($0.file) }
    }

    func spanCount(_ db: String) throws -> Int {
        let run = try CLI.run(["ingest", "--db", db, "--format", "json", "--quiet", CLI.fixtures + "/logs/prose-not-a-log.txt"])
        let totals = try CLI.json(run.stdout)["database_totals"] as? [String: Any]
        return totals?["spans"] as? Int ?? -1
    }

    @Test func theCorpusHasOTLPTraceFiles() {
        #expect(Self.otlpTraceFiles.count >= 10)
    }

    @Test(arguments: IngestCLITests.otlpTraceFiles.map(\.file))
    func everyOTLPTraceFileInTheCorpusIngestsWithItsListedCounts(file: String) throws {
        let entry = try #require(Self.corpus.first { $0.file == file })
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let path = CLI.fixtures + "/corpus/" + file
        let first = try CLI.run(["ingest", "--db", db, "--format", "json", path])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try CLI.json(first.stdout)
        let total = report["total"] as? [String: Any]
        #expect(total?["spans"] as? Int == entry.spans)
        #expect(total?["traces"] as? Int == entry.traces)
        #expect((report["database_totals"] as? [String: Any])?["spans"] as? Int == entry.spans)

        let second = try CLI.run(["ingest", "--db", db, "--format", "json", path])
        #expect(second.status == 0)
        let again = try CLI.json(second.stdout)
        #expect((again["total"] as? [String: Any])?["already_ingested"] as? Int == 1)
        #expect((again["database_totals"] as? [String: Any])?["spans"] as? Int == entry.spans)
    }

    /// Found by fuzzing: `"resource": null` (the default resource) made the store refuse the file.
    @Test func aNullResourceIsStoredAsTheEmptyResource() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, "--quiet", CLI.fixtures + "/otlp/resource-null.json"])
        #expect(run.status == 0 && run.stderr.isEmpty, "\(run.stderr)")
        let rows = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT count(*), max(r.attributes) FROM spans s JOIN resources r ON r.id = s.resource_id"])
        #expect(rows.stdout.hasSuffix("1,{}\r\n"), "\(rows.stdout)\(rows.stderr)")
    }

    @Test func theWholeOTLPCorpusTogetherAddsEachFileOnce() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let paths = Self.otlpTraceFiles.map { CLI.fixtures + "/corpus/" + $0.file }
        let run = try CLI.run(["ingest", "--db", db, "--format", "json"] + paths)
        #expect(run.status == 0, "\(run.stderr)")
        let expected = Self.otlpTraceFiles.reduce(0) { $0 + $1.spans }
        let total = try CLI.json(run.stdout)["total"] as? [String: Any]
        #expect(total?["spans"] as? Int == expected)
    }

    /// Each bad input: exit 2, `file:line:col` on stderr, nothing on stdout but the report,
    /// and the database file byte for byte as it was.
    @Test(arguments: [
        ("otlp/truncated-mid-span.json", "truncated-mid-span.json:39:15: expected ',' or '}', found end of input"),
        (
            "otlp/invalid-hex-trace-id.json",
            "invalid-hex-trace-id.json:184:26: traceId '4bf92f3577b34da6a3ce929d0e0e47zz' is not a trace ID (32 hex digits, or 16 bytes in base64)"
        ),
        (
            "logs/prose-not-a-log.txt",
            "prose-not-a-log.txt: not a dump tracedoctor can read; tried:\n  otlp-json: expected a JSON object ('{'), 1:1: found 'T'"
        ),
        ("logs/binary-not-a-log.bin", "binary-not-a-log.bin: not a dump tracedoctor can read; tried:"),
        ("logs/truncated-json-log.jsonl", "truncated-json-log.jsonl:2:39: unterminated string (the input ends inside it)"),
        ("corpus/otlp2parquet/trace_invalid_base64.json", "trace_invalid_base64.json:21:26: traceId '!!!INVALID_BASE64!!!' is not a trace ID"),
        ("corpus/otlp2parquet/trace_mixed_encoding.json", "trace_mixed_encoding.json:21:26: traceId 'zzz' is not a trace ID"),
        ("corpus/otlp2parquet/trace_invalid_kind.json", "trace_invalid_kind.json:24:22: kind 'SPAN_KIND_INVALID_TYPE' is not a span kind"),
    ])
    func badInputIsRejectedAndTheDatabaseIsUnchanged(fixture: String, message: String) throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let seed = try CLI.run(["ingest", "--db", db, "--quiet", CLI.fixtures + "/corpus/otel-desktop-viewer/traces.json"])
        #expect(seed.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))

        let run = try CLI.run(["ingest", "--db", db, CLI.fixtures + "/" + fixture])
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "stderr was: \(run.stderr)")
        #expect(run.stdout.contains("rejected"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: db + "-wal"))) ?? Data()
        #expect(wal.isEmpty)
        #expect(try spanCount(db) == 6)
    }

    @Test func aRejectedFirstFileLeavesNoDatabaseBehind() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, CLI.fixtures + "/otlp/truncated-mid-span.json"])
        #expect(run.status == 2)
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(run.stdout.contains("not created (nothing was stored)"))
    }

    @Test func keepGoingStoresTheGoodRecordsAndReportsTheBadOnes() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let path = CLI.fixtures + "/otlp/two-bad-lines.jsonl"
        let strict = try CLI.run(["ingest", "--db", db, path])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("two-bad-lines.jsonl:3:151: the line ends inside a string (is the record cut short?)"))

        let run = try CLI.run(["ingest", "--db", db, "--keep-going", "--format", "json", path])
        #expect(run.status == 0)
        #expect(run.stderr.contains("warning: skipped bad record: \(path):3:151"))
        #expect(run.stderr.contains("warning: skipped bad record: \(path):6:717: kind 'SPAN_KIND_BOGUS' is not a span kind"))
        let file = (try CLI.json(run.stdout)["files"] as? [[String: Any]])?.first
        #expect(file?["spans"] as? Int == 17)
        #expect(file?["skipped_records"] as? Int == 2)
    }

    @Test func stdinIsReadAndHashedLikeAFile() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let data = try Data(contentsOf: URL(fileURLWithPath: CLI.fixtures + "/corpus/otlp2parquet/traces.jsonl"))
        let first = try CLI.run(["ingest", "--db", db, "--format", "json", "-"], stdin: data)
        #expect(first.status == 0, "\(first.stderr)")
        #expect((try CLI.json(first.stdout)["total"] as? [String: Any])?["spans"] as? Int == 19)
        let second = try CLI.run(["ingest", "--db", db, "-"], stdin: data)
        #expect(second.stdout.contains("- (already ingested)"), "\(second.stdout)")
        let asFile = try CLI.run(["ingest", "--db", db, CLI.fixtures + "/corpus/otlp2parquet/traces.jsonl"])
        #expect(asFile.stdout.contains("traces.jsonl (already ingested, same content as -)"), "\(asFile.stdout)")
    }

    @Test func gzipFilesAreInflated() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let gz = tmp + "/traces.jsonl.gz"
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(CLI.fixtures)/corpus/otlp2parquet/traces.jsonl' > '\(gz)'"]
        try gzip.run()
        gzip.waitUntilExit()
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", "--format", "json", gz])
        #expect(run.status == 0, "\(run.stderr)")
        #expect((try CLI.json(run.stdout)["total"] as? [String: Any])?["spans"] as? Int == 19)

        let whole = try Data(contentsOf: URL(fileURLWithPath: gz))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: tmp + "/cut.jsonl.gz"))
        let cut = try CLI.run(["ingest", "--db", tmp + "/t.db", tmp + "/cut.jsonl.gz"])
        #expect(cut.status == 2)
        #expect(cut.stderr.contains("gzip data is truncated"), "\(cut.stderr)")
    }

    @Test func directoriesAreWalkedAndNonDumpsPassedOver() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let dir = tmp + "/captures"
        try FileManager.default.createDirectory(atPath: dir + "/nested", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: CLI.fixtures + "/corpus/otel-desktop-viewer/traces.json", toPath: dir + "/a.json")
        try FileManager.default.copyItem(
            atPath: CLI.fixtures + "/corpus/otlp2parquet/traces.jsonl", toPath: dir + "/nested/b.jsonl")
        try "notes about the capture\n".write(toFile: dir + "/NOTES.txt", atomically: true, encoding: .utf8)
        try "{}".write(toFile: dir + "/.hidden.json", atomically: true, encoding: .utf8)
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", dir], cwd: tmp)
        #expect(run.status == 0, "\(run.stderr)")
        Golden.check(Golden.normalise(run.stdout, tmp: tmp), "ingest-directory.txt")
        #expect(run.stderr.isEmpty)
    }

    @Test func aNamedFileThatIsNotADumpIsAnError() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", CLI.fixtures + "/logs/prose-not-a-log.txt"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("text-logs: the first line does not start with a timestamp or a log level"))
        #expect(run.stderr.contains("(pass --input-format to force one)"))
    }

    /// fixtures/otlp/not-json.txt was "not a dump" while tracedoctor read only OTLP. It is a
    /// two-line plain-text log, and text logs are an input now: it is one log record (its
    /// second line has no timestamp, so it continues the first, as in lnav).
    @Test func thePlainTextFileThatWasNotADumpIsATextLogNow() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", "--format", "json", CLI.fixtures + "/otlp/not-json.txt"])
        #expect(run.status == 0, "\(run.stderr)")
        let file = (try CLI.json(run.stdout)["files"] as? [[String: Any]])?.first
        #expect(file?["format"] as? String == "text-logs")
        #expect(file?["logs"] as? Int == 1)
        #expect(
            try sqlite(tmp + "/t.db", "SELECT severity_number, body FROM logs")
                == ["9|checkout started", "this is a log file, not a trace dump"])
    }

    @Test func noPathsIsAUsageError() throws {
        let run = try CLI.run(["ingest"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("name at least one file"))
    }

    @Test func theDatabaseComesFromTheEnvironmentWhenNotGiven() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(
            ["ingest", "--quiet", CLI.fixtures + "/corpus/jaeger/example_trace.json"],
            environment: ["TRACEDOCTOR_DB": tmp + "/env.db"])
        #expect(run.status == 0)
        #expect(FileManager.default.fileExists(atPath: tmp + "/env.db"))
        let defaultDB = try CLI.run(["ingest", "--quiet", CLI.fixtures + "/corpus/jaeger/example_trace.json"], cwd: tmp)
        #expect(defaultDB.status == 0)
        #expect(FileManager.default.fileExists(atPath: tmp + "/tracedoctor.db"))
    }

    @Test func aDatabaseFromANewerVersionIsRefused() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        _ = try CLI.run(["ingest", "--db", db, "--quiet", CLI.fixtures + "/corpus/jaeger/example_trace.json"])
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [db, "INSERT INTO grdb_migrations VALUES ('v99_future')"]
        try sqlite.run()
        sqlite.waitUntilExit()
        let run = try CLI.run(["ingest", "--db", db, CLI.fixtures + "/corpus/jaeger/GetTrace.json"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("was written by a newer tracedoctor (unknown schema migrations: v99_future)"))
    }
}

/// Directory walks meet links, loops and special files.
@Suite(.serialized) struct DirectoryWalkTests {
    /// A directory with a good dump, a broken link, a link loop, a FIFO and a link back up.
    static func tree() throws -> (tmp: String, dir: String) {
        let tmp = CLI.temporaryDirectory()
        let dir = tmp + "/captures"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try fm.copyItem(atPath: CLI.fixtures + "/otlp/two-spans.json", toPath: dir + "/good.json")
        try fm.createSymbolicLink(atPath: dir + "/broken-link.json", withDestinationPath: dir + "/gone.json")
        try fm.createSymbolicLink(atPath: dir + "/loop-a.json", withDestinationPath: dir + "/loop-b.json")
        try fm.createSymbolicLink(atPath: dir + "/loop-b.json", withDestinationPath: dir + "/loop-a.json")
        try fm.createSymbolicLink(atPath: dir + "/sub/up", withDestinationPath: dir)
        #expect(mkfifo(dir + "/pipe.json", 0o644) == 0)
        return (tmp, dir)
    }

    @Test func unreadableEntriesAreErrorsNamedByPath() throws {
        let (tmp, dir) = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", "--format", "json", dir])
        #expect(run.status == 2)
        #expect(run.stderr.contains("error: \(dir)/broken-link.json: cannot read: No such file or directory"), "\(run.stderr)")
        #expect(run.stderr.contains("error: \(dir)/loop-a.json: cannot read: symbolic links in a loop"), "\(run.stderr)")
        let files = try CLI.json(run.stdout)["files"] as? [[String: Any]] ?? []
        let statuses = Dictionary(files.map { (($0["path"] as? String ?? ""), ($0["status"] as? String ?? "")) }) { a, _ in a }
        #expect(statuses[dir + "/good.json"] == "ingested")
        #expect(statuses[dir + "/pipe.json"] == "not_a_dump")
        #expect(statuses[dir + "/broken-link.json"] == "rejected")
        // The link back up the tree is walked once, not forever.
        #expect(files.count == 5, "\(statuses)")
    }

    @Test func keepGoingSkipsThemAndSucceeds() throws {
        let (tmp, dir) = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", "--keep-going", dir])
        #expect(run.status == 0)
        #expect(run.stderr.contains("warning: skipped \(dir)/broken-link.json: cannot read"), "\(run.stderr)")
        #expect(run.stdout.contains("pipe.json (not a regular file)"), "\(run.stdout)")
        #expect(try sqlite(tmp + "/t.db", "SELECT count(*) FROM spans") == ["2"])
    }
}
