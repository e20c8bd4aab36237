// The small parts: the interval index against brute force, peer names from attributes JSON,
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
