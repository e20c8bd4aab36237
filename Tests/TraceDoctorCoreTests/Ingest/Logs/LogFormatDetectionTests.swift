import Foundation
import Testing

@testable import TraceDoctorCore

/// Which reader gets which input, and above all what must never be taken for a log: a broken
/// JSON document has to reach the JSON reader that says where it breaks.
@Suite struct LogFormatDetectionTests {
    func detect(_ text: String) -> InputFormat? {
        try? FormatDetector.detect(Array(text.utf8)).get()
    }

    func detectFile(_ path: String) throws -> Result<InputFormat, DetectionFailure> {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/" + path))
        return FormatDetector.detect(Array(data.prefix(FormatDetector.prefixLength)))
    }

    @Test(arguments: [
        ("logs/json-logs-spellings.jsonl", InputFormat.jsonLogs), ("logs/datadog-decimal.jsonl", .jsonLogs),
        ("corpus/apm-server/logs.ndjson", .jsonLogs), ("logs/truncated-json-log.jsonl", .jsonLogs),
        ("logs/logfmt-slog.log", .logfmt), ("logs/otel-python.log", .textLogs), ("logs/spring-sleuth.log", .textLogs),
        ("logs/spring-boot-3.log", .textLogs), ("logs/java-stacktrace.log", .textLogs),
        ("logs/python-traceback.log", .textLogs), ("logs/traceparent-anywhere.log", .textLogs),
        ("otlp/not-json.txt", .textLogs),
        // Broken OTLP documents stay OTLP: their reader reports the line and column.
        ("otlp/truncated-mid-span.json", .otlpJSON), ("otlp/invalid-hex-trace-id.json", .otlpJSON),
        ("otlp/two-bad-lines.jsonl", .otlpJSON), ("corpus/otel-desktop-viewer/traces.json", .otlpJSON),
    ])
    func fixturesGoToTheirReader(path: String, format: InputFormat) throws {
        #expect(try detectFile(path).get() == format, "\(path)")
    }

    /// Fuzzing found detection stuck for good on a control byte in a logfmt line (here the ESC
    /// of an ANSI colour code): the scan stood still on it. Now it is read like any logfmt.
    @Test(.timeLimit(.minutes(1)))
    func ansiColourCodesInLogfmtDoNotStopDetection() throws {
        #expect(try detectFile("logs/logfmt-ansi-colours.log").get() == .logfmt)
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/logs/logfmt-ansi-colours.log"))
        let (sink, _) = try captureLogs(String(decoding: data, as: UTF8.self), with: LogfmtReader())
        #expect(sink.logs.map(\.body) == ["order received", "payment failed"])
        #expect(sink.logs.map(\.level) == ["\u{1B}[32minfo\u{1B}[0m", "\u{1B}[31merror\u{1B}[0m"])
        let shape = [UInt8]("a=\u{3}".utf8).withUnsafeBufferPointer { LogfmtSniffer.shape($0) }
        #expect(shape.isPairs == false && shape.hasLogKey == false)
    }

    @Test(arguments: ["logs/prose-not-a-log.txt", "logs/binary-not-a-log.bin"])
    func nonLogsAreRefusedWithAReasonPerFormat(path: String) throws {
        guard case let .failure(failure) = try detectFile(path) else {
            Issue.record("\(path) was accepted")
            return
        }
        let formats = failure.attempts.map(\.format)
        #expect(formats.contains("text-logs") && formats.contains("logfmt") && formats.contains("json-logs"))
    }

    @Test func binaryDataIsNeverText() {
        let reasons = FormatDetector.detect([0x1F, 0x8B, 0x08, 0x00] + Array("2026-11-22 02:10:28 INFO x\n".utf8))
        #expect((try? reasons.get()) == nil)
        let latin1 = Array("2026-11-22 02:10:28 INFO caf".utf8) + [0xE9] + Array(" au lait\n".utf8)
        #expect(TextLogSniffer.sniff(InputPrefix(latin1)) == .reject("not UTF-8 text"))
    }

    @Test func aCutMultiByteCharacterAtTheEndOfThePrefixIsStillText() {
        var bytes = Array("2026-11-22 02:10:28 INFO caf".utf8) + [0xC3, 0xA9, 0x0A]
        while bytes.count < FormatDetector.prefixLength - 1 { bytes += Array("2026-11-22 02:10:28 INFO cafe\n".utf8) }
        bytes = Array(bytes.prefix(FormatDetector.prefixLength - 1)) + [0xC3]
        #expect(TextLogSniffer.sniff(InputPrefix(bytes, isComplete: false)) == .accept(confidence: TextLogSniffer.confidence))
    }

    @Test(arguments: [
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"4bf9", "  {\n  \"resourceLogs\": [", "{ broken",
        "{\"msg\":\"x\"", "[{\"traceId\":\"1\",\"id\":\"2\"", "[\n  {\"a\": 1},", "[1, 2, 3]",
    ])
    func whatStartsLikeJSONIsNeverTextOrLogfmt(text: String) {
        let prefix = InputPrefix(Array(text.utf8))
        #expect(TextLogSniffer.sniff(prefix) != .accept(confidence: TextLogSniffer.confidence), "\(text)")
        #expect(LogfmtSniffer.sniff(prefix) != .accept(confidence: LogfmtSniffer.confidence), "\(text)")
    }

    @Test func aBracketedTimestampIsTextNotJSON() {
        #expect(detect("[2026-11-22 02:10:28] production.ERROR: failed\n[2026-11-22 02:10:29] production.INFO: ok\n") == .textLogs)
        #expect(detect("[INFO] build started\n[WARN] deprecated\n") == .textLogs)
    }

    @Test(arguments: [
        #"{"resourceSpans":[]}"#, #"{"resourceLogs":[]}"#,
        #"{"traceID":"1","spans":[],"processes":{}}"#, #"{"traceId":"1","id":"2","name":"get","timestamp":1,"duration":2}"#,
        #"{"data":[{"traceID":"1","spans":[]}]}"#,
    ])
    func spanFormatsAreNotJSONLogs(text: String) {
        #expect(JSONLogSniffer.sniff(InputPrefix(Array((text + "\n").utf8))) != .accept(confidence: JSONLogSniffer.confidence))
    }

    @Test func jsonLogsNeedAMessageOrLevelKey() {
        #expect(detect(#"{"time":"2026-11-22T02:10:28Z","trace_id":"1"}"# + "\n") == nil)
        #expect(detect(#"{"log":{"level":"info"},"x":1}"# + "\n") == .jsonLogs)
        #expect(detect(#"{"metadata":{"service":{"name":"s"}}}"# + "\n" + #"{"transaction":{}}"# + "\n") == nil)
    }

    @Test func logfmtNeedsPairsOnMostLines() {
        #expect(detect("time=1 level=info msg=a\ntime=2 level=info msg=b\n") == .logfmt)
        #expect(detect("a=1 b=2\nc=3 d=4\n") == nil)
        #expect(detect("2026-11-22 02:10:28 INFO a=1 b=2 msg=x\n") == .logfmt)
        #expect(detect("2026-11-22 02:10:28 INFO starting with x=1 y=2\n") == .textLogs)
    }

    @Test func proseIsNotALogButOneLogLineAmongFewIs() {
        #expect(detect("notes about the capture\n") == nil)
        #expect(detect("2026-11-22 02:10:28 INFO checkout started\nthis is a log file, not a trace dump\n") == .textLogs)
        #expect(detect("a\nb\nc\n2026-11-22 02:10:28 INFO x\n") == nil)
    }
}
