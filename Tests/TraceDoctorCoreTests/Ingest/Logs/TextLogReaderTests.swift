import Testing

@testable import TraceDoctorCore

/// Plain-text logs: records, stack traces, trace context, and the hand-made fixtures.
@Suite struct TextLogReaderTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    func read(_ text: String, keepGoing: Bool = false) throws -> (LogCapture, ReadContext) {
        try captureLogs(text, with: TextLogReader(), keepGoing: keepGoing)
    }

    func fixture(_ name: String) throws -> [CapturedLog] {
        let text = try String(contentsOfFile: fixturesDirectory + "/logs/" + name, encoding: .utf8)
        return try read(text).0.logs
    }

    @Test func linesWithoutTraceContextAreStoredToo() throws {
        let logs = try read("2026-11-22 02:10:28 INFO started\n2026-11-22 02:10:29 WARN slow\n").0.logs
        #expect(logs.map(\.body) == ["started", "slow"])
        #expect(logs.map(\.severity) == [9, 13])
        #expect(logs.allSatisfy { $0.traceID == nil && $0.attributes == "{}" })
        #expect(logs.map(\.line) == [1, 2])
    }

    @Test func openTelemetryPythonFormat() throws {
        let logs = try fixture("otel-python.log")
        #expect(logs.count == 5)
        #expect(logs.map(\.line) == [1, 2, 3, 4, 11])
        #expect(logs.map(\.traceID) == [Self.trace, Self.trace, nil, Self.trace, Self.trace])
        #expect(logs.map(\.spanID) == ["00f067aa0ba902b7", "53995c3f42cd8ad8", nil, "00f067aa0ba902b7", "00f067aa0ba902b7"])
        #expect(logs.allSatisfy { $0.service == "checkout" })
        #expect(logs.map(\.flags) == [1, 1, 0, 1, 1])
        #expect(logs.map(\.severity) == [9, 13, 9, 17, 9])
        #expect(logs[0].timeNs == 1_795_313_428_123_000_000)
        // The traceback belongs to the ERROR line, down to the exception line.
        #expect(logs[3].body.hasSuffix("payment call failed\nTraceback (most recent call last):\n  File \"/srv/app.py\", line 55, in place_order\n    client.charge(order)\n  File \"/srv/payments.py\", line 19, in charge\n    raise PaymentDeclined(order.id)\npayments.PaymentDeclined: ord-0001"))
    }

    @Test func springSleuthBrackets() throws {
        let logs = try fixture("spring-sleuth.log")
        #expect(logs.count == 4)
        #expect(logs.map(\.traceID) == [Self.trace, Self.trace, nil, "0000000000000000a3ce929d0e0e4736"])
        #expect(logs.map(\.spanID) == ["00f067aa0ba902b7", "53995c3f42cd8ad8", nil, "a3ce929d0e0e4736"])
        #expect(logs.allSatisfy { $0.service == "orders" })
        #expect(logs.map(\.severity) == [9, 5, 9, 9])
    }

    @Test func springBoot3CorrelationID() throws {
        let logs = try fixture("spring-boot-3.log")
        #expect(logs.map(\.traceID) == [Self.trace, nil])
        #expect(logs.map(\.spanID) == ["00f067aa0ba902b7", nil])
        #expect(logs.map(\.severity) == [9, 13])
    }

    @Test func javaStackTracesStayWithTheirRecord() throws {
        let logs = try fixture("java-stacktrace.log")
        #expect(logs.count == 3)
        #expect(logs.map(\.line) == [1, 10, 13])
        let lines = logs[0].body.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 9)
        #expect(lines[1] == "java.lang.IllegalStateException: payment declined for ord-0001")
        #expect(lines.last == "\t... 12 more")
        #expect(logs[0].traceID == Self.trace)
        // In a file whose records start with a timestamp, a line without one continues the
        // record before it, as in lnav: the uncaught exception of another thread included.
        #expect(logs[1].body.contains("Exception in thread \"worker-3\""))
        #expect(logs[2].traceID == nil && logs[2].service == "orders")
    }

    @Test func pythonChainedTracebacksWithBlankLines() throws {
        let logs = try fixture("python-traceback.log")
        #expect(logs.count == 2)
        #expect(logs[0].body.split(separator: "\n", omittingEmptySubsequences: false).count == 12)
        #expect(logs[0].body.hasSuffix("payments.PaymentError: gateway down"))
        #expect(logs.map(\.traceID) == [Self.trace, Self.trace])
        #expect(logs.map(\.line) == [1, 13])
    }

    @Test func traceparentAnywhereInTheLine() throws {
        let logs = try fixture("traceparent-anywhere.log")
        #expect(logs.map(\.traceID) == [Self.trace, Self.trace, nil, nil])
        #expect(logs.map(\.spanID) == ["00f067aa0ba902b7", "53995c3f42cd8ad8", nil, nil])
        #expect(logs.map(\.flags) == [1, 0, 0, 0])
    }

    @Test func withoutTimestampsLevelsStartRecordsAndExceptionsContinueThem() throws {
        let text = """
            ERROR request failed trace_id=\(Self.trace)
            java.lang.RuntimeException: boom
            \tat a.B.c(B.java:1)
            Caused by: java.io.IOException
            ...
            INFO next one
            ValueError: not after a traceback, and no level: still continues the INFO record
            a plain line with neither

            """
        let logs = try read(text).0.logs
        #expect(logs.map(\.line) == [1, 6, 8])
        #expect(logs[0].body == "request failed trace_id=\(Self.trace)\njava.lang.RuntimeException: boom\n\tat a.B.c(B.java:1)\nCaused by: java.io.IOException\n...")
        #expect(logs[1].body.hasSuffix("\nValueError: not after a traceback, and no level: still continues the INFO record"))
        #expect(logs[2].body == "a plain line with neither")
    }

    @Test func aTraceIDAfterAMultiLineMessageIsFound() throws {
        let logs = try read("2026-11-22 02:10:28 INFO first line\nsecond line [trace_id=\(Self.trace)]\n").0.logs
        #expect(logs.count == 1)
        #expect(logs[0].traceID == Self.trace)
    }

    @Test func leadingContinuationsAndBlankLines() throws {
        let logs = try read("\n\n\tat orphan.Frame(F.java:1)\n2026-11-22 02:10:28 INFO x\n\n\n").0.logs
        #expect(logs.map(\.body) == ["\tat orphan.Frame(F.java:1)", "x"])
        #expect(logs.map(\.line) == [3, 4])
    }

    @Test func aRunawayContinuationStartsNewRecords() throws {
        let frame = "\tat " + String(repeating: "x", count: 1000)
        let text = "2026-11-22 02:10:28 INFO x\n" + Array(repeating: frame, count: 1500).joined(separator: "\n") + "\n"
        let logs = try read(text).0.logs
        #expect(logs.count == 2)
        #expect(logs[0].body.utf8.count < LogRecordAssembler.maxContinuationBytes + 100)
        // Nothing is lost: every byte but the first line's head ("2026-11-22 02:10:28 INFO ",
        // 25 bytes), the line break between the two records and the final one.
        #expect(logs.map(\.body.utf8.count).reduce(0, +) == text.utf8.count - 25 - 1 - 1)
    }

    @Test func bytesThatAreNotUTF8BecomeReplacementCharacters() throws {
        var bytes = Array("2026-11-22 02:10:28 INFO caf".utf8)
        bytes += [0xE9, 0x0A]
        let sink = LogCapture()
        try TextLogReader().read(MemorySource(bytes), into: sink, context: ReadContext(keepGoing: false))
        #expect(sink.logs.first?.body == "caf\u{FFFD}")
    }

    @Test func crlfAndAByteOrderMark() throws {
        let sink = LogCapture()
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("2026-11-22 02:10:28 INFO a\r\n\tat x\r\n".utf8)
        try TextLogReader().read(MemorySource(bytes), into: sink, context: ReadContext(keepGoing: false))
        #expect(sink.logs.map(\.body) == ["a\n\tat x"])
        #expect(sink.logs.first?.timeNs == 1_795_313_428_000_000_000)
    }

    @Test func aLineOverTheLimitIsAnErrorOrSkipped() throws {
        let text = "2026-11-22 02:10:28 INFO a\n" + String(repeating: "x", count: LineScanner.defaultMaxLineBytes + 1)
            + "\n2026-11-22 02:10:29 INFO b\n"
        #expect(throws: InputError.self) { try read(text) }
        let (sink, context) = try read(text, keepGoing: true)
        #expect(sink.logs.map(\.body) == ["a", "b"])
        #expect(context.skipped.first?.position?.line == 2)
    }

    @Test func blankInputIsAnError() {
        #expect(throws: InputError.self) { try read("\n \n\t\n") }
    }
}
