import Foundation
import Testing

@testable import TraceDoctorCore

/// The Elastic APM intake-v2 stream in the corpus (fixtures/corpus/apm-server/logs.ndjson),
/// checked against what apm-server's own system test (systemtest/logs_test.go, TestIntakeLog,
/// and its approved documents) stores for it.
@Suite struct ElasticIntakeTests {
    func readCorpusFile() throws -> (LogCapture, ReadContext) {
        let text = try String(contentsOfFile: fixturesDirectory + "/corpus/apm-server/logs.ndjson", encoding: .utf8)
        return try captureLogs(text, with: JSONLogReader())
    }

    /// corpus_index.json says 8 log records, 3 with a trace ID. tracedoctor stores 7 and none
    /// with a trace ID, on purpose: the index counted lines, but line 1 is the intake
    /// protocol's metadata (stored as the resource of the 7 events; apm-server itself indexes
    /// 7 log documents for this file), and the 3 `trace.id` values are the literal
    /// 'trace-id', which is no ID in any encoding (kept as an attribute).
    @Test func sevenLogEventsAfterOneMetadataLine() throws {
        let (sink, context) = try readCorpusFile()
        #expect(sink.logs.count == 7)
        #expect(sink.logs.map(\.line) == [2, 3, 4, 5, 6, 7, 8])
        #expect(sink.logs.allSatisfy { $0.traceID == nil && $0.spanID == nil })
        #expect(sink.logs.filter { $0.attributes.contains(#""trace.id":"trace-id""#) }.count == 3)
        #expect(context.skippedCount == 0)
    }

    @Test func theMetadataLineIsTheResource() throws {
        let (sink, _) = try readCorpusFile()
        #expect(sink.resources.count == 1)
        let resource = try #require(sink.resources.first)
        #expect(resource.service == "1234_service-12a3")
        let attributes = try #require(
            try JSONSerialization.jsonObject(with: Data(resource.attributes.utf8)) as? [String: Any])
        #expect(attributes["service.version"] as? String == "4.3.0")
        #expect(attributes["system.configured_hostname"] as? String == "host1")
        #expect(attributes["process.pid"] as? Int == 1234)
        #expect(attributes["process.argv"] as? [String] == ["-v"])
        #expect(attributes["labels.ab_testing"] as? Bool == true)
    }

    @Test func servicesTimesAndLevelsAsApmServerStoresThem() throws {
        let logs = try readCorpusFile().0.logs
        // The first four inherit the metadata's service (their own service is empty); the
        // last three name testSvc, flat or nested (TestIntakeLog expects exactly this).
        #expect(logs.map(\.service) == ["", "", "", "", "testSvc", "testSvc", "testSvc"])
        // Approved: 2022-09-08T21:47:29.111Z for "2022-09-08T13:47:29.111-0800", and
        // 2022-09-08T05:47:29.000Z for 1662616049000000 (µs).
        #expect(logs.map(\.timeNs) == [nil, 1_662_673_649_111_000_000] + Array(repeating: 1_662_616_049_000_000_000, count: 5))
        #expect(logs.map(\.severity) == [0, 0, 0, 0, 13, 13, 13])
        #expect(logs[0].body == "test log message without timestamp")
    }

    @Test func nestedECSFieldsOverrideFlatOnesAndTheLosersAreKept() throws {
        let last = try #require(try readCorpusFile().0.logs.last)
        #expect(last.body == "test log message with override of flat ecs fields by nested ecs fields")
        #expect(last.service == "testSvc")
        let attributes = try #require(try JSONSerialization.jsonObject(with: Data(last.attributes.utf8)) as? [String: Any])
        #expect(attributes["service.name"] as? String == "should_be_overriden")
        #expect((attributes["service"] as? [String: Any])?["version"] as? String == "v1.0.0")
        #expect((attributes["log"] as? [String: Any])?["logger"] as? String == "testLogger")
        #expect(attributes["trace.id"] as? String == "trace-id")
    }

    @Test func intakeEventsThatAreNotLogsAreRefusedLineByLine() throws {
        let text = """
            {"metadata":{"service":{"name":"s"}}}
            {"transaction":{"id":"945254c567a5417e"}}
            {"log":{"message":"kept"}}

            """
        #expect(throws: InputError.self) { try captureLogs(text, with: JSONLogReader()) }
        let (sink, context) = try captureLogs(text, with: JSONLogReader(), keepGoing: true)
        #expect(sink.logs.map(\.body) == ["kept"])
        #expect(context.skipped.first?.position?.line == 2)
        #expect(context.skipped.first?.message.contains("not log records") == true)
    }

    @Test func withoutMetadataALogObjectIsECSNesting() throws {
        let (sink, _) = try captureLogs(#"{"log":{"level":"error","logger":"x"},"message":"m"}"# + "\n", with: JSONLogReader())
        #expect(sink.logs.first?.severity == 17)
        #expect(sink.logs.first?.attributes == #"{"log":{"logger":"x"}}"#)
        #expect(sink.resources.isEmpty)
    }
}
