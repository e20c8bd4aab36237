// OTLP export messages built with the generated protobuf types, for the protobuf reader's tests:
// every field the readers map, with awkward values (escapes, non-ASCII, doubles, bytes).

import Foundation
import SwiftProtobuf

@testable import TraceDoctorCore

typealias TraceRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
typealias LogsRequest = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest

enum OTLPMessages {
    static func value(_ v: OTLPAnyValue.OneOf_Value?) -> OTLPAnyValue {
        var any = OTLPAnyValue()
        any.value = v
        return any
    }

    static func pair(_ key: String, _ v: OTLPAnyValue.OneOf_Value?) -> OTLPKeyValue {
        var kv = OTLPKeyValue()
        kv.key = key
        if v != nil { kv.value = value(v) }
        return kv
    }

    /// Attributes of every AnyValue kind.
    static let attributes: [OTLPKeyValue] = {
        var array = Opentelemetry_Proto_Common_V1_ArrayValue()
        array.values = [value(.intValue(1)), value(.stringValue("x")), value(.doubleValue(0.1))]
        var list = Opentelemetry_Proto_Common_V1_KeyValueList()
        list.values = [pair("inner", .boolValue(false)), pair("deeper", .bytesValue(Data([0xFF, 0x00])))]
        return [
            pair("s", .stringValue("quote \" slash / tab \t é ✓ \u{1}")),
            pair("i", .intValue(-42)), pair("big", .intValue(Int64.max)),
            pair("d", .doubleValue(1.5)), pair("whole", .doubleValue(5)), pair("tiny", .doubleValue(1e-7)),
            pair("nan", .doubleValue(.nan)), pair("inf", .doubleValue(-.infinity)),
            pair("b", .boolValue(true)), pair("y", .bytesValue(Data([0, 0, 0x30, 0x39, 0xFB]))),
            pair("a", .arrayValue(array)), pair("k", .kvlistValue(list)), pair("none", nil),
        ]
    }()

    static func bytes(_ hex: String) -> Data {
        var data = Data()
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            data.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return data
    }

    static func resource(_ service: String) -> Opentelemetry_Proto_Resource_V1_Resource {
        var resource = Opentelemetry_Proto_Resource_V1_Resource()
        resource.attributes = [pair("service.name", .stringValue(service)), pair("host.name", .stringValue("h1"))]
        return resource
    }

    static func scope() -> Opentelemetry_Proto_Common_V1_InstrumentationScope {
        var scope = Opentelemetry_Proto_Common_V1_InstrumentationScope()
        scope.name = "lib"
        scope.version = "1.2"
        return scope
    }

    /// A span with every mapped field set; `index` varies its IDs.
    static func span(_ index: Int = 1, parent: Bool = true) -> OTLPSpan {
        var span = OTLPSpan()
        span.traceID = bytes("5b8efff798038103d269b633813fc60c")
        span.spanID = bytes("eee19b7ec3c1" + String(format: "%04x", index))
        if parent { span.parentSpanID = bytes("eee19b7ec3c1b173") }
        span.name = "GET /items/{id} é"
        span.kind = .server
        span.startTimeUnixNano = 1_700_000_000_000_000_000 + UInt64(index)
        span.endTimeUnixNano = 1_700_000_000_500_000_000
        span.attributes = attributes
        span.flags = 768
        span.traceState = "vendor=a,other=b"
        span.status.code = .error
        span.status.message = "boom \"quoted\""
        var event = OTLPSpan.Event()
        event.name = "exception"
        event.timeUnixNano = 1_700_000_000_100_000_000
        event.attributes = [pair("exception.type", .stringValue("E"))]
        var bare = OTLPSpan.Event()
        bare.name = ""
        var link = OTLPSpan.Link()
        link.traceID = bytes("00000000000000000000000000000001")
        link.spanID = bytes("0000000000000002")
        link.traceState = "k=v"
        link.flags = 256
        link.attributes = [pair("link.kind", .stringValue("follows"))]
        var emptyLink = OTLPSpan.Link()
        emptyLink.spanID = bytes("0000000000000003")
        span.events = [event, bare]
        span.links = [link, emptyLink]
        return span
    }

    static func traceRequest(spans: [OTLPSpan] = [span()], service: String = "svc") -> TraceRequest {
        var scopeSpans = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scopeSpans.scope = scope()
        scopeSpans.spans = spans
        var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resourceSpans.resource = resource(service)
        resourceSpans.scopeSpans = [scopeSpans]
        var request = TraceRequest()
        request.resourceSpans = [resourceSpans]
        return request
    }

    static func logRecord(_ index: Int = 1) -> OTLPLogRecord {
        var log = OTLPLogRecord()
        log.timeUnixNano = 1_700_000_000_000_000_000 + UInt64(index)
        log.observedTimeUnixNano = 1_700_000_000_000_000_009
        log.severityNumber = .warn2
        log.severityText = "WARN"
        log.body = value(.stringValue("line one\nline \"two\" ✓"))
        log.attributes = attributes
        log.traceID = bytes("5b8efff798038103d269b633813fc60c")
        log.spanID = bytes("eee19b7ec3c1b174")
        log.flags = 1
        log.eventName = "app.event"
        return log
    }

    static func logsRequest(_ records: [OTLPLogRecord] = [logRecord()]) -> LogsRequest {
        var scopeLogs = Opentelemetry_Proto_Logs_V1_ScopeLogs()
        scopeLogs.scope = scope()
        scopeLogs.logRecords = records
        var resourceLogs = Opentelemetry_Proto_Logs_V1_ResourceLogs()
        resourceLogs.resource = resource("svc")
        resourceLogs.scopeLogs = [scopeLogs]
        var request = LogsRequest()
        request.resourceLogs = [resourceLogs]
        return request
    }

    /// A varint, for hand-made framing.
    static func varint(_ value: Int) -> [UInt8] {
        var v = UInt64(value)
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    /// A length-delimited field: tag, length, bytes.
    static func field(_ number: Int, _ body: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(body.count) + body
    }
}

/// Reads `bytes` with the OTLP protobuf reader into a new collecting sink.
func collectProtobuf(_ bytes: [UInt8], keepGoing: Bool = false) throws -> (CollectingSink, ReadContext) {
    let sink = CollectingSink()
    let context = ReadContext(keepGoing: keepGoing)
    try OTLPProtobufReader().read(MemorySource(bytes), into: sink, context: context)
    return (sink, context)
}

extension SwiftProtobuf.Message {
    var wire: [UInt8] { (try? serializedBytes()) ?? [] }
}
