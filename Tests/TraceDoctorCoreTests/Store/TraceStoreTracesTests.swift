// The read side of the store: spans grouped by trace with their processes, peer names and
// FOLLOWS_FROM parents; one trace; trace IDs from what a user types.

import Foundation
import GRDB
import Testing

@testable import TraceDoctorCore

@Suite struct TraceStoreTracesTests {
    /// Two traces: one with a 64-bit ID, one with a client call and a FOLLOWS_FROM child.
    let doc = #"""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}},{"key":"host.name","value":{"stringValue":"api-1"}},{"key":"service.instance.id","value":{"stringValue":"i-7"}},{"key":"process.pid","value":{"intValue":"42"}}]},"scopeSpans":[{"spans":[
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000001","name":"GET /","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"9000"},
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"call","kind":3,"startTimeUnixNano":"2000","endTimeUnixNano":"3000","attributes":[{"key":"url.full","value":{"stringValue":"http://Billing:8080/x"}},{"key":"peer.service","value":{"stringValue":"billing"}}]},
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000003","parentSpanId":"0000000000000001","name":"later","kind":1,"startTimeUnixNano":"4000","endTimeUnixNano":"12000","links":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000001","attributes":[{"key":"opentracing.ref_type","value":{"stringValue":"follows_from"}}]}]},
        {"traceId":"0000000000000000a3ce929d0e0e4736","spanId":"0000000000000009","name":"job","kind":1,"startTimeUnixNano":"5000","endTimeUnixNano":"6000"}
        ]}]}]}
        """#

    func store(_ doc: String? = nil) throws -> TraceStore {
        let doc = doc ?? self.doc
        let store = try TraceStore()
        _ = try store.ingest(
            SourceDescription(path: "t.json", format: .otlpJSON, sizeBytes: Int64(doc.utf8.count)),
            finished: { ("h", Int64(doc.utf8.count), 0) },
            body: { sink in try OTLPJSONReader().read(MemorySource(doc), into: sink, context: ReadContext(keepGoing: false)) })
        return store
    }

    @Test func tracesComeGroupedWithProcessesAndPeers() throws {
        let store = try store()
        var traces: [[AnalysisSpan]] = []
        try store.forEachTrace { traces.append($0) }
        #expect(traces.map(\.count) == [1, 3])
        #expect(traces[0][0].traceID.hex == "0000000000000000a3ce929d0e0e4736")
        let spans = traces[1]
        #expect(spans.map(\.name) == ["GET /", "call", "later"])
        let process = spans[0].process
        #expect(process.service == "api" && process.host == "api-1" && process.instanceID == "i-7" && process.pid == "42")
        #expect(spans.allSatisfy { $0.process === process })
        #expect(spans[1].peerNames == ["billing"])
        #expect(spans[0].peerNames.isEmpty)
        #expect(spans[2].parentRelation == .followsFrom)
        #expect(spans[1].parentRelation == .childOf)
        #expect(spans[1].startNs == 2000 && spans[1].endNs == 3000)
        #expect(spans.map(\.rowID) == spans.map(\.rowID).sorted())
    }

    @Test func oneTrace() throws {
        let store = try store()
        let spans = try store.spans(ofTrace: TraceID(hex: "5b8efff798038103d269b633813fc60c")!)
        #expect(spans.map(\.spanID) == [SpanID(1), SpanID(2), SpanID(3)])
    }

    @Test func resolvesPrefixesSpellingsAnd64BitIDs() throws {
        let store = try store()
        let full = TraceID(hex: "5b8efff798038103d269b633813fc60c")!
        let short = TraceID(hex: "0000000000000000a3ce929d0e0e4736")!
        #expect(try store.resolveTraceID("5b8e") == full)
        #expect(try store.resolveTraceID("  0x5B8EFFF798038103D269B633813FC60C ") == full)
        // base64 of the 16 bytes
        #expect(try store.resolveTraceID("W47/95gDgQPSabYzgT/GDA==") == full)
        // 64-bit IDs: 16 hex digits, or Datadog's decimal low 64 bits.
        #expect(try store.resolveTraceID("a3ce929d0e0e4736") == short)
        #expect(try store.resolveTraceID(String(UInt64(0xa3ce929d0e0e4736))) == short)
        // …and a 64-bit ID finds a 128-bit trace by its low half.
        #expect(try store.resolveTraceID("d269b633813fc60c") == full)
        #expect(throws: TraceDoctorError.self) { try store.resolveTraceID("ffff") }
        #expect(throws: TraceDoctorError.usage("'zz-top' is not a trace ID: give hex digits (any unique prefix), base64 (24 characters) or a decimal Datadog trace ID")) {
            try store.resolveTraceID("zz-top")
        }
    }

    @Test func ambiguousAndUnknownIDsSayWhatExists() throws {
        let twins = #"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":["#
            + #"{"traceId":"abc10000000000000000000000000001","spanId":"0000000000000001","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2"},"#
            + #"{"traceId":"abc20000000000000000000000000001","spanId":"0000000000000001","name":"b","startTimeUnixNano":"1","endTimeUnixNano":"2"}"#
            + "]}]}]}"
        let store = try store(twins)
        #expect(try store.resolveTraceID("abc2") == TraceID(hex: "abc20000000000000000000000000001"))
        #expect(
            throws: TraceDoctorError.ambiguousTraceID(
                query: "abc", matches: ["abc10000000000000000000000000001", "abc20000000000000000000000000001"])
        ) { try store.resolveTraceID("abc") }
        #expect(
            throws: TraceDoctorError.traceNotFound(
                query: "abc15", closest: ["abc10000000000000000000000000001", "abc20000000000000000000000000001"])
        ) { try store.resolveTraceID("abc15") }
    }

    @Test func diagnosesTheDatabase() throws {
        let store = try store()
        let report = try Diagnoser.diagnose(store, options: AnalysisOptions())
        #expect(report.traceCount == 2 && report.spanCount == 4)
        // 'job' is an INTERNAL root that started while 'later' ran in the same process.
        #expect(report.fragments.map(\.root.name) == ["job"])
        #expect(report.fragments.first?.suspectedParent?.span.name == "later")
        // 'later' FOLLOWS_FROM its parent: ending after it is not a violation.
        #expect(report.timingViolations.isEmpty)
    }
}

/// The two-connection read of a large table gives the same traces as the one-connection read.
@Suite struct TraceStoreParallelReadTests {
    @Test func bothHalvesMergeIntoTheSameTraces() throws {
        let dir = NSTemporaryDirectory() + "tracedoctor-parallel-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two resources, traces spread over both halves of the rows, names and peers repeated.
        var lines: [String] = []
        for r in 0..<2 {
            var spans: [String] = []
            for t in 0..<6 {
                for k in 0..<5 {
                    let trace = String(format: "%032x", t + 1)
                    let span = String(format: "%016x", r * 1000 + t * 10 + k + 1)
                    let parent = k == 0 ? "" : String(format: "%016x", r * 1000 + t * 10 + 1)
                    let kind = k == 2 ? 3 : 1
                    let attributes = k == 2 ? #","attributes":[{"key":"peer.service","value":{"stringValue":"svc\#(k)"}}]"# : ""
                    spans.append(
                        #"{"traceId":"\#(trace)","spanId":"\#(span)","parentSpanId":"\#(parent)","name":"op\#(k % 3)","kind":\#(kind),"startTimeUnixNano":"\#(1000 + k)","endTimeUnixNano":"\#(2000 - k)"\#(attributes)}"#)
                }
            }
            lines.append(
                #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s\#(r)"}},{"key":"host.name","value":{"stringValue":"h\#(r)"}}]},"scopeSpans":[{"spans":["#
                    + spans.joined(separator: ",") + "]}]}]}")
        }
        try lines.joined(separator: "\n").write(toFile: dir + "/t.jsonl", atomically: true, encoding: .utf8)
        _ = try Ingestor.run(IngestRequest(paths: [dir + "/t.jsonl"], databasePath: dir + "/t.db"))
        let store = try TraceStore(path: dir + "/t.db", readOnly: true)
        defer { store.close() }
        func traces(_ table: SpanTable) throws -> [[AnalysisSpan]] {
            var all: [[AnalysisSpan]] = []
            try table.forEachTrace { all.append($0) }
            return all
        }
        let serial = try traces(store.loadSpans())
        let parallel = try traces(store.loadSpans(parallelFrom: 1))
        #expect(serial.count == 6)
        #expect(serial.map { $0.count } == Array(repeating: 10, count: 6))
        #expect(parallel == serial)
        #expect(parallel[0].contains { $0.peerNames == ["svc2"] && $0.service == "s1" })
    }
}
