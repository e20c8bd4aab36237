// The JSON log lines the real OpenTelemetry Python SDK's logging instrumentation writes
// (app.log.jsonl) must all load, and join the spans of the same run.

import Foundation
import Testing

@Suite(.serialized) struct RealSDKLogIngestTests {
    /// The lines of app.log.jsonl that name a span the scenario never exported (the manifest's
    /// missing parents: in `broken`, the "tax computed" line inside `compute-tax`, which is
    /// never ended). Computed from the files, not by tracedoctor.
    func linesNamingUnexportedSpans(_ scenario: String) throws -> Int {
        let manifest = try RealSDK.manifest(scenario)
        let missing = Set(
            (manifest["missing_parents"] as? [[String: Any]] ?? []).compactMap { $0["missing_parent_span_id"] as? String })
        let text = try String(contentsOfFile: try RealSDK.scenario(scenario) + "/app.log.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").filter { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return missing.contains(object?["otelSpanID"] as? String ?? "")
        }.count
    }

    @Test(arguments: RealSDKIngestTests.scenarios)
    func everyAppLogLineIsStoredAndJoinsItsSpan(scenario: String) throws {
        let dir = try RealSDK.scenario(scenario)
        let counts = try RealSDK.counts(scenario)
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, "--format", "json", dir + "/traces.otlp.json", dir + "/app.log.jsonl"])
        #expect(run.status == 0, "\(run.stderr)")
        let files = try CLI.json(run.stdout)["files"] as? [[String: Any]] ?? []
        let logFile = try #require(files.first { ($0["path"] as? String)?.hasSuffix("app.log.jsonl") == true })
        #expect(logFile["format"] as? String == "json-logs")
        #expect(logFile["logs"] as? Int == counts["app_log_lines"])
        #expect(logFile["skipped_records"] as? Int == 0)

        let withTraceID = try #require(counts["app_log_lines_with_trace_id"])
        #expect(try sqlite(db, "SELECT count(*) FROM logs WHERE trace_id IS NOT NULL") == [String(withTraceID)])
        // Every line with a trace ID is in a stored trace…
        #expect(
            try sqlite(db, "SELECT count(*) FROM logs l WHERE EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = l.trace_id)")
                == [String(withTraceID)])
        // …and in its span, unless the span was never exported.
        let unexported = try linesNamingUnexportedSpans(scenario)
        #expect(unexported == (scenario == "broken" ? 1 : 0))
        #expect(
            try sqlite(
                db,
                "SELECT count(*) FROM logs l WHERE EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = l.trace_id AND s.span_id = l.span_id)"
            ) == [String(withTraceID - unexported)])
        // The service on each line is the span's service.
        #expect(
            try sqlite(
                db,
                "SELECT count(*) FROM logs l JOIN spans s ON s.trace_id = l.trace_id AND s.span_id = l.span_id WHERE s.service != l.service"
            ) == ["0"])
    }
}
