import Testing

@testable import TraceDoctorCore

/// Trace context written anywhere in a text line.
@Suite struct TraceContextFinderTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let span = "00f067aa0ba902b7"

    /// The IDs, flags and service a text line yields.
    func find(_ text: String) -> (trace: String?, span: String?, flags: UInt32, service: String) {
        let fields = LogFieldSet()
        fields.reset()
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { TraceContextFinder.scan(UnsafeBufferPointer($0), into: fields, keyValues: true) }
        let record = LogRecord()
        record.attributes.append(UInt8(ascii: "{"))
        fields.apply(to: record, keepDemoted: false)
        return (record.traceID?.hex, record.spanID?.hex, record.flags, String(decoding: record.service, as: UTF8.self))
    }

    @Test(arguments: [
        "[trace_id=\(trace) span_id=\(span) resource.service.name=checkout trace_sampled=True] - msg",
        "msg traceId=\(trace) spanId=\(span)",
        "msg traceID=\(trace), spanID=\(span);",
        "msg trace.id=\(trace) span.id=\(span)",
        "msg otelTraceID=\(trace) otelSpanID=\(span)",
        "msg trace_id: \(trace) span_id: \(span)",
        #"msg trace_id="\#(trace)" span_id="\#(span)""#,
        "msg dd.trace_id=11803532876627986230 dd.span_id=67667974448284343 (low 64 bits only)",
        "INFO [orders,\(trace),\(span)] 1 --- msg",
        "INFO [orders,\(trace),\(span),true] 1 --- msg",
        "INFO [\(trace)-\(span)] msg",
        "GET / traceparent=00-\(trace)-\(span)-01",
        "header 00-\(trace)-\(span)-00 seen",
    ])
    func everyTextSpelling(text: String) {
        let found = find(text)
        #expect(found.trace?.hasSuffix("a3ce929d0e0e4736") == true, "\(text)")
        #expect(found.span == Self.span, "\(text)")
    }

    @Test func theOpenTelemetryPythonBracketAlsoGivesServiceAndSampling() {
        let found = find("[trace_id=\(Self.trace) span_id=\(Self.span) resource.service.name=checkout trace_sampled=True]")
        #expect(found.service == "checkout")
        #expect(found.flags == 1)
    }

    @Test func theSleuthAppNameIsTheServiceEvenWithoutIDs() {
        #expect(find("INFO [orders,,] 1 --- x").service == "orders")
        #expect(find("INFO [orders,,] 1 --- x").trace == nil)
        // A thread's toString is not a Sleuth bracket.
        #expect(find("Thread[main,5,main] started").service == "")
    }

    @Test func aServiceKeyInFreeTextIsNotTheLinesService() {
        #expect(find("calling service=payments app=web").service == "")
    }

    @Test(arguments: [
        "traceparent=00-\(trace)-\(span)",
        "traceparent=00-\(trace.dropLast())-\(span)-01",
        "traceparent=ff-\(trace)-\(span)-01",
        "traceparent=00-00000000000000000000000000000000-\(span)-01",
        "traceparent=00-\(trace)-0000000000000000-01",
        "x=abc00-\(trace)-\(span)-01",
        "00-\(trace)-\(span)-01ab",
        "trace_id=0 span_id=0",
        "trace_id=not-an-id span_id=also-not",
        "[orders,\(trace.prefix(20)),\(span)]",
        "[app,\(trace),\(span),maybe]",
    ])
    func thingsThatAreNoTraceContext(text: String) {
        #expect(find(text).trace == nil, "\(text)")
    }

    @Test func explicitKeysBeatBracketsWhichBeatTraceparent() {
        let other = "11111111111111111111111111111111"
        let both = find("[orders,\(other),1111111111111111] trace_id=\(Self.trace) span_id=\(Self.span)")
        #expect(both.trace == Self.trace && both.span == Self.span)
        let bracketFirst = find("traceparent=00-\(other)-1111111111111111-01 [orders,\(Self.trace),\(Self.span)]")
        #expect(bracketFirst.trace == Self.trace && bracketFirst.span == Self.span)
        let keyFirst = find("traceparent=00-\(other)-1111111111111111-01 trace_id=\(Self.trace) span_id=\(Self.span)")
        #expect(keyFirst.trace == Self.trace && keyFirst.span == Self.span)
    }
}
