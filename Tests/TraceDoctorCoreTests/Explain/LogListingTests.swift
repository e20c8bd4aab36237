// The pieces of `explain` and `logs` that touch the store: base64 prefixes of trace IDs, the
// spans running when a line without trace ID was written, and the v2 index the neighbour query
// reads.

import Foundation
import GRDB
import Testing

@testable import TraceDoctorCore

@Suite struct LogListingTests {
    @Test func aBase64PrefixReadsAsTheHexDigitsItCovers() throws {
        #expect(TraceIDQuery.hexPrefix(base64: "v1dt97") == "bf576df7b")
        #expect(TraceIDQuery.hexPrefix(base64: "v1dt974mBqHYLTGMGIvb") == "bf576df7be2606a1d82d318c188bdb")
        #expect(TraceIDQuery.hexPrefix(base64: "abc") == nil)
        #expect(TraceIDQuery.hexPrefix(base64: "zz-top") == nil)
        // Hex stays hex: "abcd" is a hex prefix, not base64.
        #expect(try TraceIDQuery("abcd").readings == [.hexPrefix("abcd")])
        #expect(try TraceIDQuery("v1dt97").readings == [.hexPrefix("bf576df7b")])
    }

    @Test func theSpansRunningAtAnInstant() {
        func window(_ id: UInt64, _ start: Int64, _ end: Int64) -> TraceStore.SpanWindow {
            TraceStore.SpanWindow(
                traceID: TraceID(high: 0, low: id), spanID: SpanID(id), name: "s\(id)", startNs: start, endNs: end)
        }
        let index = LogListing.WindowIndex([window(1, 0, 100), window(2, 10, 20), window(3, 30, 40), window(4, 35, 90)])
        let (at15, n15) = index.running(at: 15, limit: 3)
        #expect(at15.map(\.name) == ["s1", "s2"] && n15 == 2)
        let (at38, n38) = index.running(at: 38, limit: 2)
        #expect(at38.map(\.name) == ["s1", "s3"] && n38 == 3)
        #expect(index.running(at: 101, limit: 3).1 == 0)
        #expect(index.running(at: -1, limit: 3).1 == 0)
    }

    @Test func theNeighbourQueryReadsOnlyTheTimeIndex() throws {
        let store = try TraceStore()
        let plan = try store.read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN SELECT trace_id FROM spans WHERE start_ns <= 5 AND start_ns >= 1 AND end_ns >= 3 LIMIT 9"
            ).map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.joined().contains("COVERING INDEX spans_by_time"), "\(plan)")
        #expect(
            Schema.knownMigrations == ["v1_sources_spans_logs", "v2_spans_by_time", "v3_log_identity_across_formats", "v4_log_intervals",
                "v5_log_interval_indexes",
            ])
        #expect(Schema.indexes["spans"]?.map(\.name).contains("spans_by_time") == true)
    }

    @Test func theLongestSpanBoundsTheNeighbourSearch() throws {
        // A 100 s batch span, and a request that starts 50 s into it; then a file with a 200 s span.
        func doc(_ spans: [(trace: String, span: String, start: Int64, end: Int64)]) -> String {
            let list = spans.map {
                #"{"traceId":"\#($0.trace)","spanId":"\#($0.span)","name":"s","kind":1,"#
                    + #""startTimeUnixNano":"\#($0.start)","endTimeUnixNano":"\#($0.end)"}"#
            }
            return #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"batch"}}]},"#
                + #""scopeSpans":[{"spans":["# + list.joined(separator: ",") + "]}]}]}"
        }
        let s: Int64 = 1_000_000_000
        let t0: Int64 = 1_700_000_000 * s
        let store = try TraceStore()
        func ingest(_ text: String, _ name: String) throws {
            _ = try store.ingest(
                SourceDescription(path: name, format: .otlpJSON, sizeBytes: Int64(text.utf8.count)),
                finished: { (name, Int64(text.utf8.count), 0) },
                body: { sink in try OTLPJSONReader().read(MemorySource(text), into: sink, context: ReadContext(keepGoing: false)) })
        }
        let batch = "0000000000000000000000000000000a"
        let request = "0000000000000000000000000000000b"
        try ingest(
            doc([(batch, "0000000000000001", t0, t0 + 100 * s), (request, "0000000000000002", t0 + 50 * s, t0 + 51 * s)]), "a.json")
        let bound = try store.read { db in try Int64.fetchOne(db, sql: "SELECT max_duration_ns FROM span_bounds") }
        #expect(bound == 100 * s)
        let found = try store.traceIDs(
            runningBetween: t0 + 50 * s, and: t0 + 51 * s, excluding: TraceID(hex: request)!, limit: 10)
        #expect(found == [TraceID(hex: batch)!])
        // A later file only raises the bound.
        try ingest(doc([("0000000000000000000000000000000c", "0000000000000003", t0, t0 + 200 * s)]), "b.json")
        #expect(try store.read { db in try Int64.fetchOne(db, sql: "SELECT max_duration_ns FROM span_bounds") } == 200 * s)
    }
}
