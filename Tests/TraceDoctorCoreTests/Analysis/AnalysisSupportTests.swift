// The small parts: the interval index against brute force (and the log listing's use of it), peer names from attributes JSON,
// durations and shares as typed, trace ID readings.

import Testing

@testable import TraceDoctorCore

@Suite struct AnalysisSupportTests {
    @Test func intervalIndexFindsExactlyTheRunningIntervals() {
        var generator = SystemRandomNumberGenerator()
        var entries: [(start: Int64, end: Int64, payload: Int32)] = []
        for i in 0..<500 {
            let start = Int64.random(in: 0...1000, using: &generator)
            entries.append((start, start + Int64.random(in: 0...200, using: &generator), Int32(i)))
        }
        let index = IntervalIndex(entries)
        for t in stride(from: Int64(-5), through: 1210, by: 7) {
            var found: [Int32] = []
            index.stab(t) { payload, _, _ in found.append(payload) }
            let expected = entries.filter { $0.start <= t && t <= $0.end }.map(\.payload)
            #expect(found.sorted() == expected.sorted(), "t = \(t)")
        }
        IntervalIndex([]).stab(3) { _, _, _ in Issue.record("empty index found something") }
    }

    @Test func theLogListingFindsTheSpansRunningAtALineUnderOneLongSpan() {
        // One span running the whole time, then short ones: every instant meets the long span,
        // and the count covers all running spans while the list keeps the earliest `limit`.
        func window(_ n: UInt64, _ start: Int64, _ end: Int64) -> TraceStore.SpanWindow {
            TraceStore.SpanWindow(traceID: TraceID(high: 0, low: n), spanID: SpanID(n), name: "s\(n)", startNs: start, endNs: end)
        }
        var windows = [window(1, 0, 10_000)]
        for n in 0..<1000 { windows.append(window(UInt64(n + 2), Int64(n * 10), Int64(n * 10 + 15))) }
        let index = LogListing.WindowIndex(windows.shuffled())
        for t in [Int64(0), 5, 12, 4_999, 9_999, 10_000] {
            let (found, count) = index.running(at: t, limit: 3)
            let expected = windows.filter { $0.startNs <= t && t <= $0.endNs }
                .sorted { ($0.startNs, $0.spanID.value) < ($1.startNs, $1.spanID.value) }
            #expect(count == expected.count, "t = \(t)")
            #expect(found == Array(expected.prefix(3)), "t = \(t)")
            #expect(found.first?.spanID == SpanID(1), "t = \(t): the long span starts first")
        }
        #expect(index.running(at: 10_006, limit: 3).1 == 0)
        #expect(index.running(at: -1, limit: 3).1 == 0)
    }

    @Test func peerNamesFromAttributes() {
        func names(_ json: String) -> [String] {
            var bytes = Array(json.utf8)
            return bytes.withUnsafeMutableBytes { PeerNames.extract(UnsafeRawBufferPointer($0)) }
        }
        #expect(names(#"{"peer.service":"Billing","server.address":"billing","url.full":"http://billing.svc:80/x"}"#) == ["billing", "billing.svc"])
        #expect(names(#"{"http.url": "https://user@[::1]:8443/a?b"}"#) == ["::1"])
        #expect(names(#"{"net.peer.name":"db-1","server.port":5432}"#) == ["db-1"])
        #expect(names(#"{"db.system":"postgresql"}"#).isEmpty)
        #expect(PeerNames.host(ofURL: "grpc://checkout:50051") == "checkout")
        #expect(PeerNames.host(ofURL: "/relative") == nil)
    }

    @Test func durationsAndSharesAsTyped() {
        #expect(Units.parseDuration("10ms") == 10_000_000)
        #expect(Units.parseDuration("1.5 s") == 1_500_000_000)
        #expect(Units.parseDuration("500us") == 500_000)
        #expect(Units.parseDuration("500µs") == 500_000)
        #expect(Units.parseDuration("2m") == 120_000_000_000)
        #expect(Units.parseDuration("0") == 0)
        #expect(Units.parseDuration("ten") == nil)
        #expect(Units.parseDuration("10") == nil)
        #expect(Units.parseShare("10%") == 0.1)
        #expect(Units.parseShare("0.25") == 0.25)
        #expect(Units.parseShare("50") == 0.5)
        #expect(Units.parseShare("150%") == nil)
    }

    @Test func traceIDReadings() throws {
        #expect(try TraceIDQuery("ABC").readings == [.hexPrefix("abc")])
        #expect(try TraceIDQuery("a3ce929d0e0e4736").readings == [.hexPrefix("a3ce929d0e0e4736"), .low64(0xa3ce929d0e0e4736)])
        #expect(try TraceIDQuery("1234").readings == [.hexPrefix("1234"), .low64(1234)])
        #expect(try TraceIDQuery("11804756478563522358").readings.contains(.low64(11_804_756_478_563_522_358)))
        #expect(
            try TraceIDQuery("W47/95gDgQPSabYzgT/GDA==").readings
                == [.exact(TraceID(hex: "5b8efff798038103d269b633813fc60c")!)])
        #expect(throws: TraceDoctorError.self) { try TraceIDQuery("not-an-id!") }
    }
}
