// The real OpenTelemetry SDK's protobuf and OTLP/JSON exports of traces and logs: every record
// stored, the two encodings storing identical rows, and logs joining their spans.

import Foundation
import Testing

@Suite(.serialized) struct RealSDKProtobufTests {
    func ingest(_ files: [String], db: String) throws -> [String: Any] {
        let run = try CLI.run(["ingest", "--db", db, "--format", "json"] + files)
        #expect(run.status == 0, "\(files): \(run.stderr)")
        return try CLI.json(run.stdout)["total"] as? [String: Any] ?? [:]
    }

    @Test(arguments: RealSDKIngestTests.scenarios)
    func everySpanAndLogRecordOfTheProtobufAndJSONExportsIsStored(scenario: String) throws {
        let dir = try RealSDK.scenario(scenario)
        let counts = try RealSDK.counts(scenario)
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }

        let traces = tmp + "/traces.db"
        let total = try ingest([dir + "/traces.pb"], db: traces)
        #expect(total["spans"] as? Int == counts["spans"])
        #expect(total["traces"] as? Int == counts["traces"])
        let remote = try sqlite(traces, "SELECT count(*) FROM spans WHERE parent_is_remote = 1")
        #expect(remote == [String(counts["spans_with_remote_parent"] ?? -1)])
        #expect(try sqlite(traces, "SELECT count(*) FROM spans WHERE parent_span_id IS NULL") == [String(counts["root_spans"] ?? -1)])

        for file in ["logs.pb", "logs.otlp.json"] {
            let db = tmp + "/\(file).db"
            let logs = try ingest([dir + "/" + file], db: db)
            #expect(logs["logs"] as? Int == counts["otlp_log_records"], "\(file)")
            let linked = try sqlite(db, "SELECT count(*) FROM logs WHERE trace_id IS NOT NULL AND span_id IS NOT NULL")
            #expect(linked == [String(counts["otlp_log_records_with_trace_id"] ?? -1)], "\(file)")
            #expect(try sqlite(db, "SELECT count(DISTINCT resource_id) FROM logs") != ["0"], "\(file)")
        }
    }

    @Test(arguments: RealSDKIngestTests.scenarios)
    func protobufAndJSONStoreIdenticalRows(scenario: String) throws {
        let dir = try RealSDK.scenario(scenario)
        let counts = try RealSDK.counts(scenario)
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        var spans: [[String]] = []
        for file in ["traces.pb", "traces.otlp.json", "traces.otlp.b64ids.json"] {
            _ = try ingest([dir + "/" + file], db: tmp + "/\(file).db")
            spans.append(try StoredRows.spans(tmp + "/\(file).db"))
        }
        #expect(spans[0].count == counts["spans"])
        #expect(spans[0] == spans[1])
        #expect(spans[0] == spans[2])
        var logs: [[String]] = []
        for file in ["logs.pb", "logs.otlp.json"] {
            _ = try ingest([dir + "/" + file], db: tmp + "/\(file).db")
            logs.append(try StoredRows.logs(tmp + "/\(file).db"))
        }
        #expect(logs[0].count == counts["otlp_log_records"])
        #expect(logs[0] == logs[1])
    }

    /// In `broken`, every log with a trace context joins its span, except the "tax computed"
    /// log, which names the compute-tax span that was never exported (the manifest's missing
    /// parent). The expectation is computed from the manifest and the raw export, not by
    /// tracedoctor.
    @Test(arguments: [["traces.pb", "logs.pb"], ["traces.otlp.json", "logs.otlp.json"]])
    func logsJoinTheirSpansByTraceAndSpanID(files: [String]) throws {
        let dir = try RealSDK.scenario("broken")
        let manifest = try RealSDK.manifest("broken")
        let counts = try RealSDK.counts("broken")
        let missing = Set(
            (manifest["missing_parents"] as? [[String: Any]] ?? []).compactMap { $0["missing_parent_span_id"] as? String })
        #expect(!missing.isEmpty)
        let exported = try Data(contentsOf: URL(fileURLWithPath: dir + "/logs.otlp.json"))
        let naming = Self.logRecords(in: exported).filter { missing.contains(($0["spanId"] as? String ?? "").lowercased()) }
        #expect(naming.count == 1)
        let expected = (counts["otlp_log_records_with_trace_id"] ?? 0) - naming.count

        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        _ = try ingest(files.map { dir + "/" + $0 }, db: db)
        let joined = try sqlite(
            db,
            "SELECT count(*) FROM logs l WHERE EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = l.trace_id AND s.span_id = l.span_id)")
        #expect(joined == [String(expected)])
        let unjoined = try sqlite(
            db,
            """
            SELECT span_id FROM logs l WHERE trace_id IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = l.trace_id AND s.span_id = l.span_id)
            """)
        #expect(Set(unjoined) == missing)
    }

    /// The log records of an OTLP/JSON logs export, read with Foundation.
    static func logRecords(in data: Data) -> [[String: Any]] {
        let document = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (document["resourceLogs"] as? [[String: Any]] ?? []).flatMap { resource in
            (resource["scopeLogs"] as? [[String: Any]] ?? []).flatMap { $0["logRecords"] as? [[String: Any]] ?? [] }
        }
    }
}
