// `UnpropagatedCall.pairableTraces`: the traces a source that fetches little must read so that
// `unpropagated_call` pairs as over the whole capture.

import Testing

@testable import TraceDoctorCore

@Suite struct PairableTracesTests {
    let checkout = SpanProcess(service: "checkout", host: "checkout-1")
    let inventory = SpanProcess(service: "inventory", host: "inventory-7")
    let billing = SpanProcess(service: "billing")

    func span(
        _ trace: UInt64, _ id: UInt64, _ kind: SpanKind, _ process: SpanProcess, _ start: Int64, _ end: Int64, peers: [String] = []
    ) -> AnalysisSpan {
        AnalysisSpan(
            traceID: TraceID(high: 0, low: trace), spanID: SpanID(id), name: "op", kind: kind, process: process, startNs: start,
            endNs: end, peerNames: peers, rowID: Int64(id))
    }

    @Test func bothSidesOfEveryPossiblePairAndNothingElse() {
        let calls = [
            span(1, 11, .client, checkout, 100, 200, peers: ["inventory.svc.cluster.local"]),  // names inventory by its first label
            span(2, 21, .client, checkout, 100, 200),  // names no peer: any other service starting inside it
            span(3, 31, .client, checkout, 500, 600, peers: ["inventory"]),  // nothing starts inside it
            span(4, 41, .producer, checkout, 100, 200, peers: ["inventory"]),  // a PRODUCER meets CONSUMER roots only
        ]
        let entries = [
            span(5, 51, .server, inventory, 150, 180),  // inside calls 1 and 2
            span(6, 61, .server, billing, 120, 130),  // inside call 2 only (no name)
            span(7, 71, .server, checkout, 150, 160),  // its own service: call 2 does not count
            span(8, 81, .server, inventory, 700, 800),  // after every call
        ]
        let traces = UnpropagatedCall.pairableTraces(calls: calls, entries: entries)
        #expect(traces == Set([1, 2, 5, 6].map { TraceID(high: 0, low: $0) }))
        // The pairs match() makes come from these traces only.
        let all = UnpropagatedCall.pairableTraces(calls: calls, entries: entries + [span(9, 91, .consumer, inventory, 150, 190)])
        #expect(all.contains(TraceID(high: 0, low: 4)))
        #expect(all.contains(TraceID(high: 0, low: 9)))
    }

    @Test func aCallNeverPairsWithItsOwnTrace() {
        let calls = [span(1, 11, .client, checkout, 100, 200, peers: ["inventory"])]
        let entries = [span(1, 12, .server, inventory, 150, 180)]
        #expect(UnpropagatedCall.pairableTraces(calls: calls, entries: entries).isEmpty)
    }
}
