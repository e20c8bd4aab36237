import Testing

@testable import TraceDoctorCore

/// Every timestamp spelling the log readers accept, and the ones they must refuse.
@Suite struct LogTimestampTests {
    /// 2026-11-22T02:10:28Z in Unix nanoseconds.
    static let base: Int64 = 1_795_313_428_000_000_000

    func parse(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { LogTimestamp.parse(UnsafeBufferPointer($0)) }
    }

    @Test(arguments: [
        ("2026-11-22T02:10:28Z", base),
        ("2026-11-22T02:10:28.123Z", base + 123_000_000),
        ("2026-11-22T02:10:28.123456789Z", base + 123_456_789),
        ("2026-11-22T02:10:28.1234567891234Z", base + 123_456_789),
        ("2026-11-22t02:10:28z", base),
        ("2026-11-22 02:10:28", base),
        ("2026-11-22 02:10:28,123", base + 123_000_000),
        ("2026/11/22 02:10:28.5", base + 500_000_000),
        ("2026-11-22T03:10:28+01:00", base),
        ("2026-11-22T03:10:28.250+0100", base + 250_000_000),
        ("2026-11-21T18:10:28-0800", base),
        ("2026-11-22T07:10:28+05", base),
        ("2026-11-22T07:40:28+05:30", base),
        ("  2026-11-22T02:10:28Z  ", base),
    ])
    func calendarTimestampsBecomeUTCNanoseconds(text: String, expected: Int64) {
        #expect(parse(text) == expected, "\(text)")
    }

    @Test func apmServerStringTimestampIsConvertedFromItsOffset() {
        // apm-server's approval test expects 2022-09-08T21:47:29.111Z for this value.
        #expect(parse("2022-09-08T13:47:29.111-0800") == 1_662_673_649_111_000_000)
    }

    @Test(arguments: [
        ("1795313428", base),
        ("1795313428.5", base + 500_000_000),
        ("1795313428123", base + 123_000_000),
        ("1795313428123.5", base + 123_500_000),
        ("1795313428123456", base + 123_456_000),
        ("1795313428123456789", base + 123_456_789),
        ("1662616049000000", 1_662_616_049_000_000_000),
        // Around the thresholds: below 10^11 seconds (whose nanoseconds end in 2262),
        // below 10^14 milliseconds, below 10^17 microseconds, else nanoseconds.
        ("9223372036", 9_223_372_036_000_000_000),
        ("99999999999", nil),
        ("100000000000", 100_000_000_000_000_000),
        ("100000000000000", 100_000_000_000_000_000),
        ("100000000000000000", 100_000_000_000_000_000),
    ] as [(String, Int64?)])
    func epochNumbersAreJudgedByMagnitude(text: String, expected: Int64?) {
        #expect(parse(text) == expected, "\(text)")
    }

    @Test(arguments: [
        "", "0", "-1795313428", "1.795e9", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T02:60:00Z", "2026-11-22", "2026-11-22T02:10Z", "2026-11-22T02:10:28+25:00", "2026-11-22T02:10:28 UTC",
        "yesterday", "12345678901234567890123", "2262-04-12T00:00:00Z",
    ])
    func nonTimestampsAreRefused(text: String) {
        #expect(parse(text) == nil, "\(text)")
    }

    @Test func leapDaysAndTheEpochItself() {
        #expect(parse("2024-02-29T23:59:59Z") == 1_709_251_199_000_000_000)
        #expect(parse("2023-02-29T00:00:00Z") == nil)
        #expect(parse("1970-01-01T00:00:00.000000001Z") == 1)
        #expect(parse("1999-12-31T23:00:00Z") == 946_681_200_000_000_000)
    }

    @Test func aLeadingTimestampEndsWhereItsZoneEnds() {
        var line = Array("2026-11-22 02:10:28,123+01:00 INFO x".utf8)
        let found = line.withUnsafeMutableBufferPointer { LogTimestamp.calendar(UnsafeBufferPointer($0), from: 0) }
        #expect(found?.ns == Self.base - 3_600_000_000_000 + 123_000_000)
        #expect(found?.end == 29)
    }

    @Test func syslogTimestampsAreRecognisedButHaveNoInstant() {
        for text in ["Nov 22 02:10:28 host app[1]: x", "Nov  2 02:10:28 host x"] {
            var line = Array(text.utf8)
            let end = line.withUnsafeMutableBufferPointer { LogTimestamp.syslogPrefix(UnsafeBufferPointer($0), from: 0) }
            #expect(end == 15, "\(text)")
        }
        var bad = Array("Now 22 02:10:28 host".utf8)
        #expect(bad.withUnsafeMutableBufferPointer { LogTimestamp.syslogPrefix(UnsafeBufferPointer($0), from: 0) } == nil)
    }
}
