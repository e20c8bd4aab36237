import Foundation
import Testing

/// The diagnoses through the real readers: files ingested by `tracedoctor ingest`, then
/// `stats`, `orphans` and `gaps` — the upstream ground truth end to end, and logs joined.
@Suite(.serialized) struct EndToEndDiagnosisTests {
    func ingest(_ paths: [String]) throws -> (tmp: String, db: String) {
        let tmp = CLI.temporaryDirectory()
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, "--quiet"] + paths.map { CLI.fixtures + "/" + $0 })
        #expect(run.status == 0, "\(run.stderr)")
        return (tmp, db)
    }

    func stats(_ db: String) throws -> [String: Any] {
        let run = try CLI.run(["stats", "--db", db, "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        return try CLI.json(run.stdout)
    }

    /// jaeger-ui's trace-contract suite: orphan counts of its fixtures, read by the Jaeger reader.
    @Test(arguments: [
        ("corpus/jaeger-ui/root-missing-reference.legacy.json", 1),
        ("corpus/jaeger-ui/multiple-orphans.legacy.json", 2),
        ("corpus/jaeger-ui/follows-from-orphan.legacy.json", 1),
        ("corpus/jaeger-ui/multiple-roots.legacy.json", 0),
    ])
    func jaegerUIOrphanCounts(file: String, orphans: Int) throws {
        let (tmp, db) = try ingest([file])
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let diagnoses = try stats(db)["diagnoses"] as? [String: Any]
        let missing = (diagnoses?["missing_parent"] as? Int ?? 0) + (diagnoses?["remote_parent_missing"] as? Int ?? 0)
        #expect(missing == orphans, "\(file)")
    }

    @Test func aParentCycleIsCutAndNamed() throws {
        let (tmp, db) = try ingest(["corpus/jaeger-ui/parent-cycle.legacy.json"])
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        #expect((try stats(db)["diagnoses"] as? [String: Any])?["cycle"] as? Int == 1)
        let run = try CLI.run(["orphans", "--db", db])
        #expect(run.stdout.contains("Cyclic parent reference to 000000000000000b removed"), "\(run.stdout)")
    }

    @Test func zipkinSharedSpansAreNotDuplicates() throws {
        let (tmp, db) = try ingest(["corpus/zipkin/yelp.json"])
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let diagnoses = try stats(db)["diagnoses"] as? [String: Any]
        #expect(diagnoses?["duplicate_span_id"] as? Int == 0)
        #expect(diagnoses?["missing_parent"] as? Int == 0)
    }

    /// Logs and spans from different files join; the counts come from the demo's manifest.
    @Test func logsJoinSpansAndStatsCountThem() throws {
        let (tmp, db) = try ingest(["demo/traces.otlp.jsonl", "demo/app.log.jsonl"])
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: CLI.fixtures + "/demo/manifest.json"))) as? [String: Any]
        let counts = manifest?["counts"] as? [String: Int] ?? [:]
        let logs = try stats(db)["logs"] as? [String: Any]
        #expect(logs?["total"] as? Int == counts["app_log_lines"])
        #expect(logs?["with_trace_id"] as? Int == counts["app_log_lines_with_trace_id"])
        // One line names compute-tax, the span the program never ended (never exported).
        #expect(logs?["linked_to_span"] as? Int == (counts["app_log_lines_with_trace_id"] ?? 0) - 1)
        for command in ["orphans", "gaps", "traces"] {
            let run = try CLI.run([command, "--db", db])
            #expect(run.status == 0, "\(command): \(run.stderr)")
        }
    }
}
