import Testing

@testable import TraceDoctorCore

/// The log-clock check: lines a constant zone offset away from the spans they name.
@Suite struct LogClockCheckTests {
    static let second: Int64 = 1_000_000_000
    static let hour: Int64 = 3_600 * second
    static let t0: Int64 = 1_795_313_428 * second

    /// `count` spans of 100 ms, 10 s apart, each with a line written 50 ms in, shifted by `shift`.
    func samples(_ count: Int, shift: Int64, spanLength: Int64 = second / 10) -> [LogClockCheck.Sample] {
        (0..<count).map { i in
            let start = Self.t0 + Int64(i) * 10 * Self.second
            return LogClockCheck.Sample(logNs: start + spanLength / 2 + shift, spanStartNs: start, spanEndNs: start + spanLength)
        }
    }

    @Test(arguments: [8 * hour, -5 * hour, 5 * hour + hour / 2, 5 * hour + 3 * hour / 4, -hour / 4, 14 * hour])
    func aConstantZoneOffsetIsFound(shift: Int64) throws {
        let found = try #require(LogClockCheck.offset(of: samples(10, shift: shift)))
        #expect(Int64(found.seconds) * Self.second == shift)
        #expect(found.lines == 10)
    }

    @Test func linesInsideTheirSpansAreNoFinding() {
        #expect(LogClockCheck.offset(of: samples(10, shift: 0)) == nil)
        // Written a second after the span ended: within the slack.
        #expect(LogClockCheck.offset(of: samples(10, shift: Self.second)) == nil)
    }

    @Test func anOffsetThatIsNoZoneIsNoFinding() {
        // 7 minutes is no quarter hour, 20 hours is no zone.
        #expect(LogClockCheck.offset(of: samples(10, shift: 7 * 60 * Self.second)) == nil)
        #expect(LogClockCheck.offset(of: samples(10, shift: 20 * Self.hour)) == nil)
    }

    @Test func tooFewLinesOrNoMajorityIsNoFinding() {
        #expect(LogClockCheck.offset(of: samples(2, shift: 8 * Self.hour)) == nil)
        let mixed = samples(5, shift: 8 * Self.hour) + samples(5, shift: 0)
        #expect(LogClockCheck.offset(of: mixed) == nil)
        let mostly = samples(9, shift: 8 * Self.hour) + samples(1, shift: 0)
        #expect(LogClockCheck.offset(of: mostly)?.seconds == 28_800)
    }

    @Test func aLongSpanStillGetsTheRightOffset() throws {
        // 40-minute spans, lines written near their end: the middle is 20 min away.
        let long = (0..<5).map { i in
            let start = Self.t0 + Int64(i) * Self.hour
            let end = start + 40 * 60 * Self.second
            return LogClockCheck.Sample(logNs: end - Self.second + 8 * Self.hour, spanStartNs: start, spanEndNs: end)
        }
        #expect(LogClockCheck.offset(of: long)?.seconds == 28_800)
    }

    @Test func theAdviceNamesTheOffsetAndTheFlag() {
        let offset = LogClockOffset(path: "worker.log", offsetSeconds: 28_800, lines: 12, examinedLines: 12, localTimeLines: 40)
        #expect(offset.zone == "+08:00")
        #expect(
            offset.advice
                == "12 of 12 log lines of worker.log sit 8 h after the spans they name: the log probably writes local time (+08:00) without an offset; ingest it with --log-timezone +08:00 (or the zone's IANA name)")
        let zoned = LogClockOffset(path: nil, offsetSeconds: -19_800, lines: 3, examinedLines: 4, localTimeLines: 0)
        #expect(zoned.advice == "3 of 4 log lines sit 5 h 30 min before the spans they name: their times carry a zone, so the log's clock itself is off by -05:30")
    }
}

extension LogClockCheckTests {
    @Test func aLineThatFitsOnlyAQuarterHourTipsTheBalance() {
        // Long spans fit 5 h, 5 h 15 min and 5 h 30 min; one short span fits only 5 h 30 min.
        var mixed = (0..<4).map { i in
            let start = Self.t0 + Int64(i) * Self.hour
            let end = start + 40 * 60 * Self.second
            return LogClockCheck.Sample(logNs: end - Self.second + 5 * Self.hour + Self.hour / 2, spanStartNs: start, spanEndNs: end)
        }
        mixed += samples(1, shift: 5 * Self.hour + Self.hour / 2)
        #expect(LogClockCheck.offset(of: mixed)?.seconds == 19_800)
    }
}
