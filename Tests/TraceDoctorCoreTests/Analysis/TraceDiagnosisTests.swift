// One trace seen with its neighbours: the fragments that split off it, the trace it is a fragment
// of, its unpropagated calls, and every finding ranked by the time at stake.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct TraceDiagnosisTests {
    let api = SpanProcess(service: "chat-api", host: "chat-1", instanceID: "i-1")
    let inventory = SpanProcess(service: "inventory", host: "inv-1")
    let ms = SpanBuilder.ms

    /// The broken chat request of tests/realsdk, by hand: a 200 ms wait without a span, a pool task in
    /// a new trace, a call to a host whose clock runs 150 ms ahead.
    func chat() -> SpanBuilder {
        var b = SpanBuilder()
        b.add(1, 1, "POST /v1/chat-messages", .server, api, 0, 240)
        b.add(1, 2, parent: 1, "validate-request", .internal, api, 0, 2)
        b.add(1, 3, parent: 1, "rag.retrieve", .internal, api, 204, 229)
        b.add(1, 4, parent: 1, "POST /reserve", .client, api, 229, 232, peers: ["inventory"])
        b.add(1, 5, parent: 4, "POST /reserve", .server, inventory, 379, 382, flags: 0x300)
        b.add(2, 6, "vector-search", .internal, api, 205, 228)
        b.add(2, 7, parent: 6, "embed", .internal, api, 205, 210)
        return b
    }

    @Test func theParentTraceSeesItsFragmentAndRanksTheWaitFirst() throws {
        let b = chat()
        let diagnosis = TraceDiagnosis(
            spans: Array(b.spans.prefix(5)), neighbours: [Array(b.spans.suffix(2))], options: AnalysisOptions())
        #expect(diagnosis.fragmentOf == nil)
        #expect(diagnosis.fragments.map(\.root.name) == ["vector-search"])
        #expect(diagnosis.fragments.first?.suspectedParent?.span.name == "rag.retrieve")
        let findings = diagnosis.findings
        #expect(findings.first?.diagnosis == .unaccountedTime)
        #expect(findings.first?.timeAtStakeNs == 202 * ms)
        #expect(findings.first?.summary == "202 ms unaccounted in chat-api `POST /v1/chat-messages` between +2 ms and +204 ms")
        #expect(findings.map(\.diagnosis).contains(.fragmentTrace))
        let skew = try #require(findings.first { $0.diagnosis == .childAfterParent })
        #expect(skew.summary == "inv-1's clock is ~150 ms ahead of chat-1 (adjusted)")
        #expect(findings.allSatisfy { $0.isDefect })
        // Ranked by time at stake.
        let times = findings.map(\.timeAtStakeNs)
        #expect(times == times.sorted(by: >))
    }

    @Test func theFragmentSeesItsParent() throws {
        let b = chat()
        let diagnosis = TraceDiagnosis(
            spans: Array(b.spans.suffix(2)), neighbours: [Array(b.spans.prefix(5))], options: AnalysisOptions())
        let fragment = try #require(diagnosis.fragmentOf)
        #expect(fragment.suspectedParent?.span.name == "rag.retrieve")
        #expect(diagnosis.fragments.isEmpty)
        let finding = try #require(diagnosis.findings.first { $0.diagnosis == .fragmentTrace })
        #expect(finding.summary.hasPrefix("this trace is a fragment: its internal root `vector-search` is no entry point"))
        #expect(finding.confidence == fragment.suspectedParent?.confidence)
    }

    @Test func unpropagatedCallsFromEitherSide() throws {
        var b = SpanBuilder()
        b.add(1, 1, "checkout", .server, api, 0, 100)
        b.add(1, 2, parent: 1, "POST /reserve", .client, api, 10, 60, peers: ["inventory"])
        b.add(2, 3, "POST /reserve", .server, inventory, 12, 50)
        let client = TraceDiagnosis(spans: Array(b.spans.prefix(2)), neighbours: [[b.spans[2]]], options: AnalysisOptions())
        #expect(client.unpropagatedCalls.count == 1)
        #expect(client.findings.contains { $0.diagnosis == .unpropagatedCall && $0.summary.contains("sent without context") })
        let callee = TraceDiagnosis(spans: [b.spans[2]], neighbours: [Array(b.spans.prefix(2))], options: AnalysisOptions())
        #expect(callee.unpropagatedCalls.count == 1)
        #expect(callee.findings.contains { $0.summary.contains("received without context") })
    }

    @Test func remoteParentsRankLastAndAreNoDefect() throws {
        var b = SpanBuilder()
        b.add(1, 1, parent: 99, "GET /", .server, api, 0, 100, flags: 0x300)
        b.add(1, 2, parent: 1, "work", .internal, api, 0, 20)
        let diagnosis = TraceDiagnosis(spans: b.spans, neighbours: [], options: AnalysisOptions())
        #expect(diagnosis.findings.last?.diagnosis == .remoteParentMissing)
        #expect(diagnosis.findings.last?.isDefect == false)
    }

    @Test func oneTraceFromTheDatabase() throws {
        // Two traces in a file database: the fragment is found from either side.
        let dir = NSTemporaryDirectory() + "tracedoctor-diagnosis-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let doc = #"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}},{"key":"host.name","value":{"stringValue":"h"}}]},"scopeSpans":[{"spans":[
            {"traceId":"11111111111111111111111111111111","spanId":"0000000000000001","name":"handler","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"},
            {"traceId":"22222222222222222222222222222222","spanId":"0000000000000002","name":"task","kind":1,"startTimeUnixNano":"1700000000010000000","endTimeUnixNano":"1700000000050000000"}
            ]}]}]}
            """#
        try doc.write(toFile: dir + "/t.json", atomically: true, encoding: .utf8)
        _ = try Ingestor.run(IngestRequest(paths: [dir + "/t.json"], databasePath: dir + "/t.db"))
        let parent = try Diagnoser.diagnoseTrace("1111", databasePath: dir + "/t.db")
        #expect(parent.fragments.map(\.root.name) == ["task"])
        let fragment = try Diagnoser.diagnoseTrace("2222", databasePath: dir + "/t.db")
        #expect(fragment.fragmentOf?.suspectedParent?.span.name == "handler")
        #expect(throws: TraceDoctorError.self) { try Diagnoser.diagnoseTrace("3333", databasePath: dir + "/t.db") }
    }
}
