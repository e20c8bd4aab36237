import Foundation
import Testing

@testable import TraceDoctorCore

/// Format detection between OTLP/JSON, Jaeger JSON and Zipkin v2 JSON, from the first bytes.
@Suite struct JaegerZipkinDetectionTests {
    func detect(_ text: String) -> Result<InputFormat, DetectionFailure> {
        FormatDetector.detect(Array(text.utf8.prefix(FormatDetector.prefixLength)))
    }

    func detectFile(_ path: String) throws -> InputFormat? {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturesDirectory + "/corpus/" + path))
        return try? FormatDetector.detect(Array(data.prefix(FormatDetector.prefixLength))).get()
    }

    @Test(arguments: [
        ("jaeger/ui_01.json", InputFormat.jaegerJSON),
        ("jaeger/trace_success.json", .jaegerJSON),
        ("jaeger/otlp2jaeger-out.json", .jaegerJSON),
        ("derived-from-tests/jaeger-adjuster/clockskew_cases.json", .jaegerJSON),
        ("derived-from-tests/jaeger-ui-critical-path/criticalpath-test1.trace.json", .jaegerJSON),
        ("zipkin/yelp.json", .zipkinJSON),
        ("zipkin/zipkin2-client.json", .zipkinJSON),
        ("jaeger/zipkin_01.json", .zipkinJSON),
        ("jaeger/GetTrace.json", .otlpJSON),
        ("jaeger/example_trace.json", .otlpJSON),
    ])
    func corpusFilesGoToTheirReader(path: String, format: InputFormat) throws {
        #expect(try detectFile(path) == format)
    }

    @Test func aJaegerResponseWhoseFirstTraceOutgrowsThePrefixIsStillJaeger() throws {
        let span = #"{"traceID":"1","spanID":"2","operationName":"op","references":[],"startTime":1,"duration":1,"processID":"p1"}"#
        let spans = Array(repeating: span, count: 2000).joined(separator: ",")
        let text = #"{"data":[{"traceID":"1","spans":["# + spans + #"],"processes":{"p1":{"serviceName":"s"}}}]}"#
        #expect(text.utf8.count > FormatDetector.prefixLength)
        #expect(try detect(text).get() == .jaegerJSON)
    }

    @Test func zipkinTraceListsAndEmptyResultsAreZipkin() throws {
        #expect(try detect(#"[[{"traceId":"a","id":"b"}],[]]"#).get() == .zipkinJSON)
        #expect(try detect("[]").get() == .zipkinJSON)
        #expect(try detect("[ [ ] ]").get() == .zipkinJSON)
    }

    @Test func zipkinV1IsRefusedWithTheReason() {
        let v1 = #"[{"traceId":"a","id":"b","name":"get","annotations":[],"binaryAnnotations":[]}]"#
        guard case let .failure(failure) = detect(v1) else {
            Issue.record("Zipkin v1 was accepted")
            return
        }
        #expect(failure.attempts.first { $0.format == "zipkin-json" }?.reason.contains("Zipkin v1 JSON") == true)
    }

    @Test func whenNoReaderAcceptsEveryFormatSaysWhy() {
        guard case let .failure(failure) = detect(#"[{"hello":"world"}]"#) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.attempts.map(\.format) == InputFormat.allCases.map(\.rawValue))
        #expect(failure.attempts.map(\.reason) == [
            "expected a JSON object ('{'), 1:1: found '['",
            "text, not binary protobuf (1:1: found '[')",
            #"a JSON array of objects without "spanID" (its keys: "hello")"#,
            #"no span with "traceId" and "id" (its keys: "hello")"#,
            "expected a JSON object per line ('{'), 1:1: found '['",
            "the first line is not key=value pairs",
            "starts with '[' at 1:1 but not with a log line: JSON, not a text log",
        ])
    }

    @Test func anObjectOfNeitherFormatIsRefusedByBoth() {
        guard case let .failure(failure) = detect(#"{"result":{"hello":1}}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.attempts.first { $0.format == "jaeger-json" }?.reason == #"a JSON object without "data", "spans" or "spanID" (its keys: "result")"#)
    }
}
