import Testing

@testable import TraceDoctorCore

/// `--log-timezone`: the zone spellings it takes, wall-clock times turned into UTC, and which
/// timestamps count as wall-clock (no zone named).
@Suite struct LogTimeZoneTests {
    /// 2026-11-22T02:10:28Z in Unix nanoseconds.
    static let base: Int64 = 1_795_313_428_000_000_000

    func noting(_ text: String) -> (ns: Int64, zoned: Bool)? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { LogTimestamp.parseNoting(UnsafeBufferPointer($0)) }
    }

    @Test(arguments: [
        ("2026-11-22 02:10:28,123", false), ("2026-11-22T02:10:28", false), ("2026-11-22T02:10:28Z", true),
        ("2026-11-22T10:10:28+08:00", true), ("2026-11-22T10:10:28+0800", true), ("1795313428", true),
    ])
    func aTimestampSaysWhetherItNamedItsZone(text: String, zoned: Bool) throws {
        let parsed = try #require(noting(text))
        #expect(parsed.zoned == zoned, "\(text)")
    }

    @Test(arguments: [
        ("+08:00", 28_800), ("+0800", 28_800), ("+08", 28_800), ("-05:30", -19_800), ("+05:45", 20_700), ("UTC", 0),
        ("Z", 0), ("-00:00", 0),
    ])
    func offsetsAreFixedZones(text: String, seconds: Int) throws {
        let zone = try #require(LogTimeZone(text))
        #expect(zone.rule == .fixed(seconds: seconds))
        #expect(zone.offsetSeconds(atLocal: 0) == seconds)
    }

    @Test(arguments: ["Shanghai", "+8", "+08:60", "+19:00", "08:00", "Mars/Olympus_Mons", "", "+08:00:00"])
    func otherSpellingsAreRefused(text: String) {
        #expect(LogTimeZone(text) == nil, "\(text)")
    }

    @Test func anIANAZoneFollowsDaylightSavingTime() throws {
        let berlin = try #require(LogTimeZone("Europe/Berlin"))
        // 2026-01-15 12:00 local is +01:00; 2026-07-15 12:00 local is +02:00.
        #expect(berlin.offsetSeconds(atLocal: 1_768_478_400) == 3_600)
        #expect(berlin.offsetSeconds(atLocal: 1_784_116_800) == 7_200)
        let shanghai = try #require(LogTimeZone("Asia/Shanghai"))
        #expect(shanghai.offsetSeconds(atLocal: Self.base / 1_000_000_000) == 28_800)
    }

    @Test func theSpelledOffsetIsWhatTheFlagTakes() {
        #expect(LogTimeZone.spell(offsetSeconds: 28_800) == "+08:00")
        #expect(LogTimeZone.spell(offsetSeconds: -19_800) == "-05:30")
        #expect(LogTimeZone.spell(offsetSeconds: 0) == "+00:00")
        #expect(LogTimeZone(offsetSeconds: 20_700).name == "+05:45")
    }

    @Test func theSinkConvertsOnlyWallClockTimes() throws {
        let counting = CountingSink()
        let sink = LogClockSink(counting, zone: LogTimeZone("Asia/Shanghai"))
        let record = LogRecord()
        record.timeNs = Self.base + 8 * 3_600_000_000_000
        record.timeIsLocal = true
        try sink.log(record)
        #expect(record.timeNs == Self.base)
        record.timeNs = Self.base
        record.timeIsLocal = false
        try sink.log(record)
        #expect(record.timeNs == Self.base)
        #expect(sink.localTimeLines == 1)
        #expect(counting.logs == 2)
    }
}
