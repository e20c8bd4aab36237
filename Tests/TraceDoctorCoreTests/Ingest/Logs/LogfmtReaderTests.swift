import Testing

@testable import TraceDoctorCore

/// logfmt: pairs, quoting, interpreted keys, panics and broken lines.
@Suite struct LogfmtReaderTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    func read(_ text: String, keepGoing: Bool = false) throws -> (LogCapture, ReadContext) {
        try captureLogs(text, with: LogfmtReader(), keepGoing: keepGoing)
    }

    @Test func theSlogFixture() throws {
        let text = try String(contentsOfFile: fixturesDirectory + "/logs/logfmt-slog.log", encoding: .utf8)
        let logs = try read(text).0.logs
        #expect(logs.count == 5)
        #expect(logs.map(\.line) == [1, 2, 3, 4, 10])
        #expect(logs.map(\.traceID) == [Self.trace, Self.trace, nil, Self.trace, nil])
        #expect(logs.map(\.spanID) == ["00f067aa0ba902b7", "53995c3f42cd8ad8", nil, "00f067aa0ba902b7", nil])
        #expect(logs.map(\.severity) == [9, 13, 9, 17, 9])
        #expect(logs.allSatisfy { $0.service == "orders" })
        #expect(logs[0].timeNs == 1_795_313_428_123_000_000)
        #expect(logs[0].body == "order received")
        #expect(logs[0].attributes == #"{"order":"ord-0001"}"#)
        #expect(logs[1].attributes == #"{"duration":"212ms","query":"select * from \"orders\""}"#)
        #expect(logs[2].attributes == #"{"entries":"512","cold":true}"#)
        // The panic and its goroutine dump belong to the record that logged before it.
        #expect(logs[3].body == "handler panicked\npanic: runtime error: index out of range [3] with length 3\n\ngoroutine 42 [running]:\nmain.(*Handler).ServeHTTP(0xc000010000)\n\t/srv/orders/handler.go:57 +0x1d")
        #expect(logs[4].body == "recovered")
    }

    @Test func interpretedKeysAreTheJSONOnes() throws {
        let line = #"ts=1795313428.5 lvl=warn message="m" svc=api traceId=\#(Self.trace) spanId=00f067aa0ba902b7 trace_flags=01 extra="a b""#
        let log = try #require(try read(line + "\n").0.logs.first)
        #expect(log.timeNs == 1_795_313_428_500_000_000)
        #expect(log.severity == 13 && log.level == "warn")
        #expect(log.body == "m" && log.service == "api")
        #expect(log.traceID == Self.trace && log.spanID == "00f067aa0ba902b7" && log.flags == 1)
        #expect(log.attributes == #"{"extra":"a b"}"#)
    }

    @Test func escapesInQuotedValues() throws {
        let log = try #require(try read(#"msg="tab\there \"q\" back\\slash \x unknown" level=info"# + "\n").0.logs.first)
        #expect(log.body == "tab\there \"q\" back\\slash \\x unknown")
    }

    @Test func aLeadingTimestampAndLevelBeforeThePairs() throws {
        let log = try #require(try read("2026-11-22T02:10:28Z ERROR msg=boom trace_id=\(Self.trace)\n").0.logs.first)
        #expect(log.timeNs == 1_795_313_428_000_000_000)
        #expect(log.severity == 17)
        #expect(log.body == "boom")
        #expect(log.traceID == Self.trace)
    }

    @Test func patternsInTheMessageCountWhenNoKeyNamesATrace() throws {
        let log = try #require(
            try read("level=info msg=\"proxying traceparent 00-\(Self.trace)-00f067aa0ba902b7-01\"\n").0.logs.first)
        #expect(log.traceID == Self.trace)
        #expect(log.spanID == "00f067aa0ba902b7")
    }

    @Test func invalidIDsAndTimesStayAttributes() throws {
        let log = try #require(try read("msg=x trace_id=trace-id time=later\n").0.logs.first)
        #expect(log.traceID == nil && log.timeNs == nil)
        #expect(log.attributes == #"{"trace_id":"trace-id","time":"later"}"#)
    }

    @Test func brokenLinesAreErrorsWithTheirColumn() throws {
        let text = "msg=a level=info\nmsg=\"unterminated level=info\nmsg=c =oops\nmsg=d\n"
        #expect(throws: InputError("the quoted value of 'msg' does not end on its line", at: SourcePosition(line: 2, column: 5, offset: 21))) {
            try read(text)
        }
        let (sink, context) = try read(text, keepGoing: true)
        #expect(sink.logs.map(\.body) == ["a", "d"])
        #expect(context.skipped.map { $0.position?.line } == [2, 3])
        #expect(context.skipped.last?.position?.column == 7)
    }

    /// Fuzzing found columns counted in the repaired line: each bad byte became U+FFFD (three
    /// bytes) and the error pointed past the end of the input. Columns count the file's bytes.
    @Test func columnsCountTheBytesOfTheFileNotOfTheRepairedLine() throws {
        let bytes: [UInt8] = Array("msg=caf".utf8) + [0xE9, 0xFF] + Array(" =oops".utf8)
        #expect(throws: InputError("expected a logfmt key, found '=' (a value without a key)", at: SourcePosition(line: 1, column: 11, offset: 10))) {
            try LogfmtReader().read(MemorySource(bytes), into: LogCapture(), context: ReadContext(keepGoing: false))
        }
        #expect(throws: InputError("expected a logfmt key, found byte 0x8 (a value without a key)", at: SourcePosition(line: 1, column: 3, offset: 2))) {
            try LogfmtReader().read(MemorySource([0x3A, 0xEC, 0x08]), into: LogCapture(), context: ReadContext(keepGoing: false))
        }
    }
}
