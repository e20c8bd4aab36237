import Foundation
import Testing

/// `ingest` on Jaeger and Zipkin dumps: the third-party corpus, py-zipkin's output, bad input.
@Suite(.serialized) struct JaegerZipkinCLITests {
    /// Every Jaeger and Zipkin file of fixtures/corpus (corpus_index.json), derived-from-tests/
    /// included. Their span and trace counts are raw counts of the file: a shared Zipkin
    /// client/server pair is two spans there and two rows here, so every count can match.
    static let files: [IngestCLITests.CorpusEntry] = IngestCLITests.corpus.filter {
        $0.format.hasPrefix("jaeger") || $0.format.hasPrefix("zipkin")
    }

    func ingest(_ db: String, _ paths: [String], _ extra: [String] = []) throws -> (Run, [String: Any]) {
        let run = try CLI.run(["ingest", "--db", db, "--format", "json"] + extra + paths)
        return (run, (try? CLI.json(run.stdout)) ?? [:])
    }

    @Test func theCorpusHasJaegerAndZipkinFiles() {
        #expect(Self.files.filter { $0.format.hasPrefix("jaeger") }.count >= 35)
        #expect(Self.files.filter { $0.format.hasPrefix("zipkin") }.count >= 20)
    }

    @Test(arguments: JaegerZipkinCLITests.files.map(\.file))
    func everyJaegerAndZipkinFileInTheCorpusIngestsWithItsListedCounts(file: String) throws {
        let entry = try #require(Self.files.first { $0.file == file })
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let path = CLI.fixtures + "/corpus/" + file
        let (run, report) = try ingest(db, [path])
        #expect(run.status == 0, "\(run.stderr)")
        let detected = (report["files"] as? [[String: Any]])?.first?["format"] as? String
        #expect(detected == (entry.format.hasPrefix("jaeger") ? "jaeger-json" : "zipkin-json"))
        let total = report["total"] as? [String: Any]
        #expect(total?["spans"] as? Int == entry.spans)
        #expect(total?["traces"] as? Int == entry.traces)
        #expect((report["database_totals"] as? [String: Any])?["traces"] as? Int == entry.traces)

        let (again, second) = try ingest(db, [path])
        #expect(again.status == 0)
        #expect((second["total"] as? [String: Any])?["already_ingested"] as? Int == 1)
        #expect((second["database_totals"] as? [String: Any])?["spans"] as? Int == entry.spans)
    }

    @Test func theWholeJaegerAndZipkinCorpusTogether() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (run, report) = try ingest(tmp + "/t.db", Self.files.map { CLI.fixtures + "/corpus/" + $0.file })
        #expect(run.status == 0, "\(run.stderr)")
        // A file with the same content as an earlier one (criticalpath-test3's trace is a
        // jaeger-ui fixture) is already ingested and adds nothing.
        var expected = 0
        for file in report["files"] as? [[String: Any]] ?? [] {
            let path = String((file["path"] as? String ?? "").dropFirst(CLI.fixtures.count + "/corpus/".count))
            let entry = try #require(Self.files.first { $0.file == path })
            if file["status"] as? String == "already_ingested" {
                let same = try #require(file["same_as"] as? String)
                #expect(FileManager.default.contentsEqual(atPath: same, andPath: CLI.fixtures + "/corpus/" + path))
            } else {
                #expect(file["status"] as? String == "ingested")
                expected += entry.spans
            }
        }
        let total = report["total"] as? [String: Any]
        #expect(total?["spans"] as? Int == expected)
        // Fixtures that repeat a span of another fixture (same trace, ID, times and name: the
        // jaeger-ui trace-contract files share their root) store it once.
        let repeated = try #require(total?["duplicate_spans"] as? Int)
        #expect(repeated > 0)
        #expect((report["database_totals"] as? [String: Any])?["spans"] as? Int == expected - repeated)
    }

    /// yelp.json: 16 spans, 3 client/server pairs sharing an ID (SOURCES.md); the text report
    /// says that their server halves were separated.
    @Test func theTextReportSaysWhichSharedIDsWereSeparated() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", CLI.fixtures + "/corpus/zipkin/yelp.json"])
        #expect(run.status == 0, "\(run.stderr)")
        Golden.check(Golden.normalise(run.stdout, tmp: tmp), "ingest-zipkin-yelp.txt")
        let rows = try sqlite(
            tmp + "/t.db",
            """
            SELECT count(*) FROM spans AS s JOIN spans AS c
              ON c.trace_id = s.trace_id AND c.span_id = s.original_span_id AND c.kind = 3
            WHERE s.kind = 2 AND s.parent_span_id = s.original_span_id
            """)
        #expect(rows == ["3"])
    }

    /// py-zipkin, as the real-SDK program runs it: 108 spans in 12 traces, 24 CLIENT/SERVER
    /// pairs sharing an ID (the server half marked shared, its children written before it).
    @Test func pyZipkinOutputIsStoredWholeWithEachServerHalfUnderItsClient() throws {
        let dir = try RealSDK.scenario("healthy")
        let truth = try #require(try RealSDK.manifest("healthy")["zipkin"] as? [String: Any])
        let pairs = try #require(truth["shared_span_id_pairs"] as? Int)
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let (run, report) = try ingest(db, [dir + "/traces.zipkin.json"])
        #expect(run.status == 0, "\(run.stderr)")
        let file = try #require((report["files"] as? [[String: Any]])?.first)
        #expect(file["format"] as? String == "zipkin-json")
        #expect(file["spans"] as? Int == truth["spans"] as? Int)
        #expect(file["traces"] as? Int == truth["traces"] as? Int)
        #expect(file["separated_shared_spans"] as? Int == pairs)
        #expect(pairs == 24)

        // Each separated server half: its own ID, the shared one kept, the CLIENT as parent.
        let servers = try sqlite(
            db,
            """
            SELECT count(*) FROM spans AS s JOIN spans AS c
              ON c.trace_id = s.trace_id AND c.span_id = s.parent_span_id AND c.kind = 3
            WHERE s.kind = 2 AND s.original_span_id IS NOT NULL AND s.original_span_id = c.span_id
              AND s.span_id <> s.original_span_id AND s.service <> c.service
            """)
        #expect(servers == [String(pairs)])
        // No span ID is shared any more, and every parent is in the file: one root per trace.
        #expect(try sqlite(db, "SELECT count(*) FROM (SELECT 1 FROM spans GROUP BY trace_id, span_id HAVING count(*) > 1)") == ["0"])
        let orphans = try sqlite(
            db,
            """
            SELECT count(*) FROM spans AS s WHERE s.parent_span_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM spans AS p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_span_id)
            """)
        #expect(orphans == ["0"])
        #expect(try sqlite(db, "SELECT count(*) FROM spans WHERE parent_span_id IS NULL") == [String(truth["traces"] as? Int ?? -1)])
        // The servers' own work (card.authorize, process-order) hangs under the server half.
        let underServer = try sqlite(
            db,
            """
            SELECT count(*) FROM spans AS k JOIN spans AS p ON p.trace_id = k.trace_id AND p.span_id = k.parent_span_id
            WHERE k.name IN ('card.authorize', 'process-order') AND p.kind = 2 AND p.original_span_id IS NOT NULL
            """)
        #expect(underServer == [String(2 * (truth["traces"] as? Int ?? -1))])
    }

    /// A bad span: exit 2, `file:line:col` and what was expected, the database unchanged;
    /// with --keep-going the other spans are stored.
    @Test func aBadZipkinSpanRejectsTheFileOrIsSkipped() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let path = tmp + "/bad.json"
        try """
            [{"traceId":"a","id":"1","name":"ok"},
             {"traceId":"a","id":"2","kind":"SEVER"},
             {"traceId":"a","id":"3","parentId":"1"}]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let seed = try CLI.run(["ingest", "--db", db, "--quiet", CLI.fixtures + "/corpus/zipkin/skew.json"])
        #expect(seed.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let strict = try CLI.run(["ingest", "--db", db, path])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("bad.json:2:33: kind 'SEVER' is not CLIENT, SERVER, PRODUCER or CONSUMER"), "\(strict.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)

        let (run, report) = try ingest(db, [path], ["--keep-going"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("warning: skipped bad record: \(path):2:33"))
        let file = (report["files"] as? [[String: Any]])?.first
        #expect(file?["spans"] as? Int == 2)
        #expect(file?["skipped_records"] as? Int == 1)
    }

    @Test func aTruncatedJaegerDownloadIsRejectedWhereItEnds() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let text = try String(contentsOfFile: CLI.fixtures + "/corpus/jaeger/ui_01.json", encoding: .utf8)
        let path = tmp + "/cut.json"
        try String(text.prefix(2000)).write(toFile: path, atomically: true, encoding: .utf8)
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("cut.json:"), "\(run.stderr)")
        #expect(run.stderr.contains("found end of input") || run.stderr.contains("the input ends inside it"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp + "/t.db"))
    }

    @Test func aFileNoReaderTakesListsEveryFormatsReason() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let path = tmp + "/other.json"
        try #"[{"hello":"world"}]"#.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", path])
        #expect(run.status == 2)
        #expect(
            run.stderr.contains(
                """
                other.json: not a dump tracedoctor can read; tried:
                  otlp-json: expected a JSON object ('{'), 1:1: found '['
                  otlp-protobuf: text, not binary protobuf (1:1: found '[')
                  jaeger-json: a JSON array of objects without "spanID" (its keys: "hello")
                  zipkin-json: no span with "traceId" and "id" (its keys: "hello")
                  json-logs: expected a JSON object per line ('{'), 1:1: found '['
                  logfmt: the first line is not key=value pairs
                  text-logs: starts with '[' at 1:1 but not with a log line: JSON, not a text log
                (pass --input-format to force one)
                """), "\(run.stderr)")
    }

    @Test func inputFormatOverridesDetection() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let jaeger = CLI.fixtures + "/corpus/jaeger/trace_success.json"
        let forced = try CLI.run(["ingest", "--db", tmp + "/t.db", "--input-format", "zipkin-json", jaeger])
        #expect(forced.status == 2)
        // Jaeger's tags are a list; Zipkin's are an object.
        #expect(forced.stderr.contains("trace_success.json:1:254: expected '{', found '['"), "\(forced.stderr)")
        let right = try CLI.run(["ingest", "--db", tmp + "/t.db", "--quiet", "--input-format", "jaeger-json", jaeger])
        #expect(right.status == 0)
    }
}
