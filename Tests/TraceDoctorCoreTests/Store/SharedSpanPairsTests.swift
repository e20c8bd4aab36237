import Foundation
import GRDB
import Testing

@testable import TraceDoctorCore

/// Zipkin's shared client/server span IDs, separated by the store after a file is read.
@Suite struct SharedSpanPairsTests {
    struct Row: Equatable {
        var name: String
        var spanID: String
        var parent: String?
        var original: String?
    }

    func ingest(_ text: String, format: InputFormat = .zipkinJSON, into store: TraceStore? = nil) throws -> (TraceStore, IngestCounts) {
        let store = try store ?? TraceStore()
        let outcome = try store.ingest(
            SourceDescription(path: "t.json", format: format, sizeBytes: Int64(text.utf8.count)),
            finished: { ("hash-\(text.hashValue)", Int64(text.utf8.count), 0) },
            body: { sink in try format.reader.read(MemorySource(text), into: sink, context: ReadContext(keepGoing: false)) })
        guard case let .ingested(counts) = outcome else { throw CancellationError() }
        return (store, counts)
    }

    func rows(_ store: TraceStore) throws -> [String: Row] {
        try store.read { db in
            var result: [String: Row] = [:]
            for r in try GRDB.Row.fetchAll(db, sql: "SELECT name, span_id, parent_span_id, original_span_id, kind FROM spans") {
                let key: String = r[0] + (r[4] == SpanKind.server.rawValue ? "/server" : "")
                result[key] = Row(name: r[0], spanID: r[1], parent: r[2], original: r[3])
            }
            return result
        }
    }

    func serverID(_ trace: String, _ shared: String, _ store: TraceStore, service: String) throws -> String {
        let fingerprint = try store.read { db in
            try Int64.fetchOne(db, sql: "SELECT fingerprint FROM resources WHERE service = ?", arguments: [service])
        }
        return SharedSpanPairs.serverSpanID(
            trace: TraceID(hex: trace)!, shared: SpanID(hex: shared)!, resourceFingerprint: fingerprint ?? 0
        ).hex
    }

    let trace = "000000000000000000000000000000aa"

    /// py-zipkin's order: the server's child, then the server half, then the client half.
    var pair: String {
        """
        [{"traceId":"aa","id":"3","parentId":"1","name":"work","localEndpoint":{"serviceName":"back"}},
         {"traceId":"aa","id":"1","parentId":"9","name":"call","kind":"SERVER","shared":true,"localEndpoint":{"serviceName":"back"}},
         {"traceId":"aa","id":"1","parentId":"9","name":"call","kind":"CLIENT","localEndpoint":{"serviceName":"front"}},
         {"traceId":"aa","id":"9","name":"root","kind":"SERVER","localEndpoint":{"serviceName":"front"}}]
        """
    }

    @Test func theServerHalfGetsItsOwnIDUnderTheClientAndTakesTheChildren() throws {
        let (store, counts) = try ingest(pair)
        #expect(counts.separatedSharedSpans == 1)
        let server = try serverID(trace, "0000000000000001", store, service: "back")
        let rows = try rows(store)
        #expect(rows["call/server"] == Row(name: "call", spanID: server, parent: "0000000000000001", original: "0000000000000001"))
        #expect(rows["call"] == Row(name: "call", spanID: "0000000000000001", parent: "0000000000000009", original: nil))
        #expect(rows["work"]?.parent == server)
        #expect(rows["root/server"]?.parent == nil)
    }

    @Test func theNewIDIsTheSameInEveryDatabase() throws {
        let a = try rows(try ingest(pair).0)
        let b = try rows(try ingest(pair).0)
        #expect(a == b)
    }

    @Test func withoutTheClientHalfNothingChanges() throws {
        // Envoy marks a root SERVER span shared by mistake; it stays the root.
        let text = #"[{"traceId":"aa","id":"1","name":"call","kind":"SERVER","shared":true},{"traceId":"aa","id":"3","parentId":"1","name":"work"}]"#
        let (store, counts) = try ingest(text)
        #expect(counts.separatedSharedSpans == 0)
        let rows = try rows(store)
        #expect(rows["call/server"] == Row(name: "call", spanID: "0000000000000001", parent: nil, original: nil))
        #expect(rows["work"]?.parent == "0000000000000001")
    }

    @Test func twoServersOnOneClientIDKeepTheirOwnChildren() throws {
        let text = """
            [{"traceId":"aa","id":"1","name":"send","kind":"CLIENT","localEndpoint":{"serviceName":"bouncer"}},
             {"traceId":"aa","id":"1","name":"recv-a","kind":"SERVER","shared":true,"localEndpoint":{"serviceName":"pusher","ipv4":"10.0.0.1"}},
             {"traceId":"aa","id":"1","name":"recv-b","kind":"SERVER","shared":true,"localEndpoint":{"serviceName":"pusher","ipv4":"10.0.0.2"}},
             {"traceId":"aa","id":"4","parentId":"1","name":"on-b","localEndpoint":{"serviceName":"pusher","ipv4":"10.0.0.2"}},
             {"traceId":"aa","id":"5","parentId":"1","name":"elsewhere","localEndpoint":{"serviceName":"other"}}]
            """
        let (store, counts) = try ingest(text)
        #expect(counts.separatedSharedSpans == 2)
        let rows = try rows(store)
        let a = try #require(rows["recv-a/server"])
        let b = try #require(rows["recv-b/server"])
        #expect(a.spanID != b.spanID)
        #expect(a.parent == "0000000000000001" && b.parent == "0000000000000001")
        #expect(rows["on-b"]?.parent == b.spanID)
        #expect(rows["elsewhere"]?.parent == a.spanID)  // no server on its resource: the first one
    }

    @Test func otlpSpansSharingAnIDAreLeftAsADefect() throws {
        let span = { (kind: Int) in
            #"{"traceId":"000000000000000000000000000000aa","spanId":"0000000000000001","name":"k\#(kind)","kind":\#(kind)}"#
        }
        let text = #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + span(2) + "," + span(3) + "]}]}]}"
        let (store, counts) = try ingest(text, format: .otlpJSON)
        #expect(counts.separatedSharedSpans == 0)
        #expect(try rows(store).values.allSatisfy { $0.spanID == "0000000000000001" && $0.original == nil })
    }

    /// jaeger `model/adjuster/span_id_deduper_test.go`, as transcribed in the corpus: the server
    /// gets a new ID under the client, and span 11 (CHILD_OF 1) moves under the server.
    @Test func jaegersSpanIDDeduperCase() throws {
        let text = try String(
            contentsOfFile: fixturesDirectory + "/corpus/derived-from-tests/jaeger-adjuster/spaniddedupe_shared_client_server.json",
            encoding: .utf8)
        let (store, counts) = try ingest(text, format: .jaegerJSON)
        #expect(counts.separatedSharedSpans == 1)
        let rows = try rows(store)
        let server = try #require(rows["server/server"])
        #expect(server.spanID != "0000000000000001")
        #expect(server.parent == "0000000000000001" && server.original == "0000000000000001")
        #expect(rows["client"] == Row(name: "client", spanID: "0000000000000001", parent: nil, original: nil))
        #expect(rows["child-of-server"]?.parent == server.spanID)
    }

    @Test func spansOfAnEarlierFileAreNotTouched() throws {
        let earlier = #"[{"traceId":"aa","id":"7","parentId":"1","name":"earlier-child"}]"#
        let (store, _) = try ingest(earlier)
        _ = try ingest(pair, into: store)
        #expect(try rows(store)["earlier-child"]?.parent == "0000000000000001")
    }
}
