import Testing

@testable import TraceDoctorCore

/// JSON Lines from application loggers: every key spelling, value form and failure mode.
@Suite struct JSONLogReaderTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let span = "00f067aa0ba902b7"

    func read(_ text: String, keepGoing: Bool = false) throws -> (LogCapture, ReadContext) {
        try captureLogs(text, with: JSONLogReader(), keepGoing: keepGoing)
    }

    func one(_ line: String) throws -> CapturedLog {
        let (sink, _) = try read(line + "\n")
        try #require(sink.logs.count == 1)
        return sink.logs[0]
    }

    @Test(arguments: [
        #"{"msg":"x","trace_id":"\#(trace)","span_id":"\#(span)"}"#,
        #"{"msg":"x","traceId":"\#(trace)","spanId":"\#(span)"}"#,
        #"{"msg":"x","traceID":"\#(trace)","spanID":"\#(span)"}"#,
        #"{"msg":"x","otelTraceID":"\#(trace)","otelSpanID":"\#(span)"}"#,
        #"{"msg":"x","trace.id":"\#(trace)","span.id":"\#(span)"}"#,
        #"{"msg":"x","TraceId":"\#(trace)","SpanId":"\#(span)"}"#,
        #"{"@m":"x","@tr":"\#(trace)","@sp":"\#(span)"}"#,
        #"{"msg":"x","trace":{"id":"\#(trace)"},"span":{"id":"\#(span)"}}"#,
        #"{"msg":"x","traceparent":"00-\#(trace)-\#(span)-01"}"#,
        #"{"msg":"x","trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736","span_id":"00F067AA0BA902B7"}"#,
        #"{"msg":"x","trace_id":"S/kvNXezTaajzpKdDg5HNg==","span_id":"APBnqgupArc="}"#,
        #"{"msg":"x","dd.trace_id":"\#(trace)","dd.span_id":"67667974448284343"}"#,
    ])
    func everyTraceAndSpanIDSpellingIsRead(line: String) throws {
        let log = try one(line)
        #expect(log.traceID == Self.trace, "\(line)")
        #expect(log.spanID == Self.span, "\(line)")
        #expect(log.attributes == "{}", "\(line)")
    }

    @Test func datadogDecimalIDsAreTheLow64Bits() throws {
        for line in [
            #"{"msg":"x","dd.trace_id":"1234567890123456789","dd.span_id":"987654321987654321"}"#,
            #"{"msg":"x","dd.trace_id":1234567890123456789,"dd.span_id":987654321987654321}"#,
            #"{"msg":"x","dd":{"trace_id":"1234567890123456789","span_id":"987654321987654321"}}"#,
        ] {
            let log = try one(line)
            #expect(log.traceID == "0000000000000000112210f47de98115", "\(line)")
            #expect(log.spanID == "0db4da5f7ef412b1", "\(line)")
        }
        // Hex digits are not decimal: the value is kept, not misread.
        let hex = try one(#"{"msg":"x","dd.trace_id":"112210f47de98115"}"#)
        #expect(hex.traceID == nil)
        #expect(hex.attributes == #"{"dd.trace_id":"112210f47de98115"}"#)
    }

    @Test func shortHexIDsAreLeftPaddedAndNumbersAreDecimal() throws {
        let short = try one(#"{"msg":"x","trace_id":"a3ce929d0e0e4736","span_id":"2b7"}"#)
        #expect(short.traceID == "0000000000000000a3ce929d0e0e4736")
        #expect(short.spanID == "00000000000002b7")
        let number = try one(#"{"msg":"x","trace_id":255,"span_id":16}"#)
        #expect(number.traceID == "000000000000000000000000000000ff")
        #expect(number.spanID == "0000000000000010")
    }

    @Test(arguments: [
        #"{"msg":"x","otelTraceID":"0","otelSpanID":"0","otelTraceSampled":false}"#,
        #"{"msg":"x","trace_id":"00000000000000000000000000000000","span_id":"0000000000000000"}"#,
        #"{"msg":"x","trace_id":"","span_id":""}"#,
        #"{"msg":"x","trace_id":null,"span_id":null}"#,
        #"{"msg":"x","dd.trace_id":"0","dd.span_id":0}"#,
    ])
    func zeroEmptyAndNullMeanNoID(line: String) throws {
        let log = try one(line)
        #expect(log.traceID == nil && log.spanID == nil, "\(line)")
        #expect(log.attributes == "{}", "\(line)")
    }

    @Test func valuesThatAreNotIDsStayAttributes() throws {
        let flat = try one(#"{"message":"m","trace.id":"trace-id","transaction.id":"txn-id"}"#)
        #expect(flat.traceID == nil)
        #expect(flat.attributes == #"{"trace.id":"trace-id","transaction.id":"txn-id"}"#)
        let nested = try one(#"{"message":"m","trace":{"id":"not hex","other":1},"span_id":true}"#)
        #expect(nested.traceID == nil && nested.spanID == nil)
        #expect(nested.attributes == #"{"trace":{"id":"not hex","other":1},"span_id":true}"#)
        let tooLong = try one(#"{"msg":"m","trace_id":"4bf92f3577b34da6a3ce929d0e0e47360"}"#)
        #expect(tooLong.traceID == nil)
    }

    @Test func aRealIDBeatsAZeroOneAndNestedBeatsFlat() throws {
        let zeroFirst = try one(#"{"msg":"x","trace_id":"0","traceId":"\#(Self.trace)"}"#)
        #expect(zeroFirst.traceID == Self.trace)
        #expect(zeroFirst.attributes == "{}")
        let flatFirst = try one(#"{"msg":"x","service.name":"flat","service":{"name":"nested","version":"1"}}"#)
        #expect(flatFirst.service == "nested")
        #expect(flatFirst.attributes == #"{"service":{"version":"1"},"service.name":"flat"}"#)
        let nestedFirst = try one(#"{"msg":"x","service":{"name":"nested"},"service.name":"flat"}"#)
        #expect(nestedFirst.service == "nested")
        #expect(nestedFirst.attributes == #"{"service.name":"flat"}"#)
        let twoMessages = try one(#"{"msg":"first","message":"second"}"#)
        #expect(twoMessages.body == "first")
        #expect(twoMessages.attributes == #"{"message":"second"}"#)
    }

    @Test(arguments: [
        #"{"msg":"x","time":"2026-11-22T02:10:28.5Z"}"#,
        #"{"msg":"x","timestamp":"2026-11-22T03:10:28.5+01:00"}"#,
        #"{"msg":"x","ts":1795313428.5}"#,
        #"{"msg":"x","@timestamp":"2026-11-22T02:10:28.500Z"}"#,
        #"{"msg":"x","asctime":"2026-11-22 02:10:28,500"}"#,
        #"{"msg":"x","date":"2026-11-22 02:10:28.5"}"#,
        #"{"msg":"x","@t":"2026-11-22T02:10:28.5000000Z"}"#,
        #"{"msg":"x","time":1795313428500}"#,
        #"{"msg":"x","time":"1795313428500"}"#,
        #"{"msg":"x","time":1795313428500000}"#,
        #"{"msg":"x","time":1795313428500000000}"#,
        #"{"msg":"x","Timestamp":"2026-11-21T18:10:28.5-08:00"}"#,
    ])
    func everyTimestampKeyAndForm(line: String) throws {
        #expect(try one(line).timeNs == 1_795_313_428_500_000_000, "\(line)")
    }

    @Test func anUnreadableTimeIsKept() throws {
        let log = try one(#"{"msg":"x","time":"yesterday"}"#)
        #expect(log.timeNs == nil)
        #expect(log.attributes == #"{"time":"yesterday"}"#)
    }

    @Test(arguments: [
        (#"{"msg":"m","level":"info"}"#, 9, "info"),
        (#"{"msg":"m","lvl":"WARN"}"#, 13, "WARN"),
        (#"{"msg":"m","severity":"ERROR"}"#, 17, "ERROR"),
        (#"{"msg":"m","log.level":"debug"}"#, 5, "debug"),
        (#"{"msg":"m","log":{"level":"fatal","logger":"x"}}"#, 21, "fatal"),
        (#"{"msg":"m","levelname":"CRITICAL"}"#, 21, "CRITICAL"),
        (#"{"@m":"m","@l":"Warning"}"#, 13, "Warning"),
        (#"{"msg":"m","level":30}"#, 9, "30"),
        (#"{"msg":"m","level":50}"#, 17, "50"),
        (#"{"msg":"m","level":"40"}"#, 13, "40"),
        (#"{"msg":"m","level":"custom"}"#, 0, "custom"),
    ])
    func levelsMapToSeverityNumbers(line: String, severity: Int, text: String) throws {
        let log = try one(line)
        #expect(log.severity == severity, "\(line)")
        #expect(log.level == text, "\(line)")
    }

    @Test(arguments: [
        (#"{"msg":"a"}"#, "a"), (#"{"message":"a"}"#, "a"), (#"{"body":"a"}"#, "a"), (#"{"event":"a"}"#, "a"),
        (#"{"@m":"a"}"#, "a"), (#"{"msg":"tab\there \"q\" \u00e9"}"#, "tab\there \"q\" é"), (#"{"msg":42}"#, "42"),
    ])
    func messageKeys(line: String, body: String) throws {
        #expect(try one(line).body == body, "\(line)")
    }

    @Test(arguments: [
        #"{"msg":"m","service":"svc-a"}"#, #"{"msg":"m","service.name":"svc-a"}"#, #"{"msg":"m","svc":"svc-a"}"#,
        #"{"msg":"m","app":"svc-a"}"#, #"{"msg":"m","otelServiceName":"svc-a"}"#,
        #"{"msg":"m","service":{"name":"svc-a"}}"#, #"{"msg":"m","dd.service":"svc-a"}"#,
    ])
    func serviceKeys(line: String) throws {
        let log = try one(line)
        #expect(log.service == "svc-a", "\(line)")
        #expect(log.attributes == "{}", "\(line)")
    }

    @Test func unknownFieldsAreCopiedAsTheyAre() throws {
        let log = try one(
            #"{"msg":"m","user":{"id":7,"roles":["a","b"]},"latency_ms":12.50,"ok":true,"note":null,"q":"say \"hi\"\n"}"#)
        #expect(log.attributes == #"{"user":{"id":7,"roles":["a","b"]},"latency_ms":12.50,"ok":true,"note":null,"q":"say \"hi\"\n"}"#)
        // An object under an interpreted key is not a value for it: kept as well.
        let odd = try one(#"{"msg":{"text":"structured"},"event":"e"}"#)
        #expect(odd.body == "e")
        #expect(odd.attributes == #"{"msg":{"text":"structured"}}"#)
    }

    @Test func whatTheRealOpenTelemetrySDKWrites() throws {
        let line = """
            {"time":"2026-11-22T02:48:59.345Z","level":"INFO","logger":"shop.frontend","thread":"MainThread","msg":"checkout page requested (cart 0)","otelTraceID":"8ad3f7c696bebf870b44c524e42916ad","otelSpanID":"d5edae4f432f737f","otelTraceSampled":true,"otelServiceName":"frontend"}
            """
        let log = try one(line)
        #expect(
            log
                == CapturedLog(
                    line: 1, timeNs: 1_795_315_739_345_000_000, severity: 9, level: "INFO",
                    body: "checkout page requested (cart 0)", traceID: "8ad3f7c696bebf870b44c524e42916ad",
                    spanID: "d5edae4f432f737f", flags: 1, service: "frontend",
                    attributes: #"{"logger":"shop.frontend","thread":"MainThread"}"#))
    }

    @Test func recordsKnowTheirLineNumbers() throws {
        let (sink, _) = try read("\n{\"msg\":\"a\"}\n\n  {\"msg\":\"b\"}\r\n{}\n")
        #expect(sink.logs.map(\.line) == [2, 4, 5])
        #expect(sink.logs.map(\.body) == ["a", "b", ""])
    }

    @Test func aLineThatIsNotAnObjectIsAnErrorWithItsPosition() throws {
        #expect(throws: InputError("expected a JSON object (a JSON log file has one object per line), found 'h'", at: SourcePosition(line: 2, column: 1, offset: 12))) {
            try read("{\"msg\":\"a\"}\nhello\n")
        }
        #expect(throws: InputError("the line ends inside a string (is the record cut short?)", at: SourcePosition(line: 2, column: 12, offset: 23))) {
            try read("{\"msg\":\"a\"}\n{\"msg\":\"cut\n{\"msg\":\"c\"}\n")
        }
        #expect(throws: InputError("expected the end of the line after the JSON object, found 'x'", at: SourcePosition(line: 1, column: 13, offset: 12))) {
            try read("{\"msg\":\"a\"} x\n")
        }
    }

    @Test func keepGoingSkipsBadLinesAndReadsTheRest() throws {
        let text = "{\"msg\":\"a\"}\nnot json\n{\"msg\":\"cut\n[1,2]\n{\"msg\":\"d\"}\n"
        let (sink, context) = try read(text, keepGoing: true)
        #expect(sink.logs.map(\.body) == ["a", "d"])
        #expect(sink.logs.map(\.line) == [1, 5])
        #expect(context.skippedCount == 3)
        #expect(context.skipped.map { $0.position?.line } == [2, 3, 4])
    }

    @Test func onlyWhitespaceIsAnError() {
        #expect(throws: InputError.self) { try read("\n  \n") }
    }

    @Test func bufferBoundariesChangeNothing() throws {
        let text = """
            {"time":"2026-11-22T02:10:28Z","msg":"a \\"quoted\\" message","trace":{"id":"\(Self.trace)","x":[1,{"y":2}]},"span_id":"\(Self.span)"}
            {"msg":"b","level":"warn","service":{"name":"s","v":"1"},"extra":"\(String(repeating: "z", count: 300))"}

            """
        let whole = try read(text).0.logs
        for step in [1, 3, 7, 64] {
            let sink = LogCapture()
            try JSONLogReader().read(TrickleSource(text, step: step), into: sink, context: ReadContext(keepGoing: false))
            #expect(sink.logs == whole, "step \(step)")
        }
        #expect(whole.count == 2)
        #expect(whole[0].attributes == #"{"trace":{"x":[1,{"y":2}]}}"#)
    }
}
