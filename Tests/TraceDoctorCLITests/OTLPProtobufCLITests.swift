// `ingest` on OTLP protobuf and OTLP/JSON logs from the corpus: listed counts, identical rows for
// the protobuf and JSON twins of the same data, and bad protobuf rejected by byte offset.

import Foundation
import Testing

@Suite(.serialized) struct OTLPProtobufCLITests {
    /// One corpus_index.json entry (counts computed upstream of tracedoctor, with opentelemetry-proto).
    struct Listed: Sendable {
        var format: String
        var spans: Int
        var traces: Int
        var logs: Int
        var logsWithTraceID: Int
    }

    static let index: [String: Listed] = {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: CLI.fixtures + "/corpus/corpus_index.json"))) ?? Data()
        let list = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] ?? []
        var index: [String: Listed] = [:]
        for e in list {
            guard let file = e["file"] as? String, let format = e["format"] as? String else { continue }
            index[String(file.dropFirst(2))] = Listed(
                format: format, spans: e["spans"] as? Int ?? 0, traces: e["traces"] as? Int ?? 0,
                logs: e["log_records"] as? Int ?? 0, logsWithTraceID: e["logs_with_trace_id"] as? Int ?? 0)
        }
        return index
    }()

    static let protobufFiles = index.filter { $0.value.format.hasSuffix("-protobuf") }.keys.sorted()
    static let jsonLogFiles = index.filter { ["otlp-json-logs", "otlp-jsonl-logs"].contains($0.value.format) }.keys.sorted()

    /// Protobuf files and their OTLP/JSON twins (SOURCES.md: "same data").
    static let twins = [
        ("otlp2parquet/trace.pb", "otlp2parquet/trace.json"), ("otlp2parquet/traces.pb", "otlp2parquet/traces.jsonl"),
        ("otlp2parquet/logs.pb", "otlp2parquet/logs.jsonl"),
    ]

    @Test func theCorpusHasProtobufAndJSONLogFiles() {
        #expect(Self.protobufFiles == ["otlp2parquet/logs.pb", "otlp2parquet/trace.pb", "otlp2parquet/traces.pb"])
        #expect(Self.jsonLogFiles.count == 4)
    }

    /// Ingests `file` into a new database in `tmp`; returns the database path and the report.
    func ingest(_ files: [String], in tmp: String, name: String = "t.db") throws -> (db: String, total: [String: Any]) {
        let db = tmp + "/" + name
        let run = try CLI.run(["ingest", "--db", db, "--format", "json"] + files.map { CLI.fixtures + "/corpus/" + $0 })
        #expect(run.status == 0, "\(files): \(run.stderr)")
        return (db, try CLI.json(run.stdout)["total"] as? [String: Any] ?? [:])
    }

    @Test(arguments: OTLPProtobufCLITests.protobufFiles + OTLPProtobufCLITests.jsonLogFiles)
    func everyFileIngestsWithItsListedCounts(file: String) throws {
        let entry = try #require(Self.index[file])
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (db, total) = try ingest([file], in: tmp)
        #expect(total["spans"] as? Int == entry.spans)
        #expect(total["traces"] as? Int == entry.traces)
        #expect(total["logs"] as? Int == entry.logs)
        let linked = try sqlite(db, "SELECT count(*) FROM logs WHERE trace_id IS NOT NULL")
        #expect(linked == [String(entry.logsWithTraceID)])
        let format = try sqlite(db, "SELECT format FROM sources")
        #expect(format == [file.hasSuffix(".pb") ? "otlp-protobuf" : "otlp-json"])
    }

    @Test(arguments: OTLPProtobufCLITests.twins)
    func theProtobufAndJSONTwinsStoreIdenticalRows(protobuf: String, json: String) throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let a = try ingest([protobuf], in: tmp, name: "pb.db").db
        let b = try ingest([json], in: tmp, name: "json.db").db
        let spans = try StoredRows.spans(a)
        let logs = try StoredRows.logs(a)
        let listed = try #require(Self.index[protobuf])
        #expect(spans.count == listed.spans && logs.count == listed.logs)
        #expect(spans == (try StoredRows.spans(b)))
        #expect(logs == (try StoredRows.logs(b)))
    }

    @Test func aProtobufFileIsAlreadyIngestedUnderItsJSONTwinsIdentities() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let (db, total) = try ingest(["otlp2parquet/traces.jsonl", "otlp2parquet/traces.pb"], in: tmp)
        #expect(total["duplicate_spans"] as? Int == 19)
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["19"])
    }

    @Test func aGzippedProtobufFileIsInflated() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let gz = tmp + "/logs.binpb.gz"
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(CLI.fixtures)/corpus/otlp2parquet/logs.pb' > '\(gz)'"]
        try gzip.run()
        gzip.waitUntilExit()
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", "--format", "json", gz])
        #expect(run.status == 0, "\(run.stderr)")
        #expect((try CLI.json(run.stdout)["total"] as? [String: Any])?["logs"] as? Int == 81)
    }

    /// Exit 2, `file:byte N:` on stderr, and the database byte for byte as it was.
    @Test(arguments: [(40, "the input ends inside"), (3000, "the input ends inside")])
    func aCutShortProtobufFileIsRejectedByByteOffset(keep: Int, message: String) throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        _ = try ingest(["otel-desktop-viewer/traces.json"], in: tmp)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let cut = tmp + "/cut.pb"
        let whole = try Data(contentsOf: URL(fileURLWithPath: CLI.fixtures + "/corpus/otlp2parquet/traces.pb"))
        try whole.prefix(keep).write(to: URL(fileURLWithPath: cut))

        let run = try CLI.run(["ingest", "--db", db, cut])
        #expect(run.status == 2)
        #expect(run.stderr.range(of: #"cut\.pb:byte \d+: "#, options: .regularExpression) != nil, "\(run.stderr)")
        #expect(run.stderr.contains(message) && run.stderr.contains("is the file cut short?"), "\(run.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["6"])
    }

    @Test func jsonForcedThroughTheProtobufReaderIsRefusedWithAReason() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run([
            "ingest", "--db", tmp + "/t.db", "--input-format", "otlp-protobuf", CLI.fixtures + "/corpus/otlp2parquet/trace.json",
        ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("trace.json:byte 0: an OTLP export starts with byte 0x0A"), "\(run.stderr)")
    }
}
