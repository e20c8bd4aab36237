import Foundation
import Testing

/// What the real OpenTelemetry SDK exports must load completely.
@Suite(.serialized) struct RealSDKIngestTests {
    static let scenarios = ["healthy", "broken", "propagated", "unpropagated", "uninjected"]

    @Test(arguments: RealSDKIngestTests.scenarios)
    func everySpanOfEveryOTLPJSONFlavourIsStored(scenario: String) throws {
        let dir = try RealSDK.scenario(scenario)
        let counts = try RealSDK.counts(scenario)
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        for flavour in ["traces.otlp.json", "traces.otlp.jsonl", "traces.otlp.b64ids.json"] {
            let db = tmp + "/\(flavour).db"
            let run = try CLI.run(["ingest", "--db", db, "--format", "json", dir + "/" + flavour])
            #expect(run.status == 0, "\(flavour): \(run.stderr)")
            let total = try CLI.json(run.stdout)["total"] as? [String: Any]
            #expect(total?["spans"] as? Int == counts["spans"], "\(flavour)")
            #expect(total?["traces"] as? Int == counts["traces"], "\(flavour)")
            let remote = try sqlite(db, "SELECT count(*) FROM spans WHERE parent_is_remote = 1")
            #expect(remote == [String(counts["spans_with_remote_parent"] ?? -1)], "\(flavour)")
        }
    }

    @Test func theThreeOTLPJSONFlavoursStoreTheSameRows() throws {
        let dir = try RealSDK.scenario("broken")
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        var dumps: [[String]] = []
        for flavour in ["traces.otlp.json", "traces.otlp.jsonl", "traces.otlp.b64ids.json"] {
            let db = tmp + "/\(flavour).db"
            _ = try CLI.run(["ingest", "--db", db, dir + "/" + flavour])
            dumps.append(
                try sqlite(
                    db,
                    """
                    SELECT s.trace_id, s.span_id, coalesce(s.parent_span_id, ''), s.name, s.kind, s.service, s.start_ns,
                        s.end_ns, s.status_code, s.flags, s.attributes, s.events, s.links, r.attributes
                    FROM spans s JOIN resources r ON r.id = s.resource_id ORDER BY s.trace_id, s.span_id
                    """))
        }
        #expect(dumps[0].count == 121)
        #expect(dumps[0] == dumps[1])
        #expect(dumps[0] == dumps[2])
    }
}
