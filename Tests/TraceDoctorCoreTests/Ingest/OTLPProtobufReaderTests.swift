// OTLP protobuf: the same records as OTLP/JSON, framings, and bad input located by byte.

import Foundation
import SwiftProtobuf
import Testing

@testable import TraceDoctorCore

@Suite struct OTLPProtobufReaderTests {
    /// protobuf's JSON mapping of a message (base64 IDs, enum names, int64s as strings), or with
    /// proto field names and enum numbers: what the OTLP/JSON reader must read as the same data.
    func json(_ message: some SwiftProtobuf.Message, protoNames: Bool = false) throws -> String {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = protoNames
        options.alwaysPrintEnumsAsInts = protoNames
        return try message.jsonString(options: options)
    }

    @Test(arguments: [false, true])
    func aSpanReadsTheSameAsItsJSON(protoNames: Bool) throws {
        let request = OTLPMessages.traceRequest(spans: [OTLPMessages.span(1), OTLPMessages.span(2, parent: false)])
        let (binary, _) = try collectProtobuf(request.wire)
        let (text, _) = try collect(try json(request, protoNames: protoNames))
        #expect(binary.spans.count == 2)
        // Everything but where each span starts (a line in JSON, a byte offset in protobuf).
        #expect(binary.spans.map(\.withoutLine) == text.spans.map(\.withoutLine))
        #expect(binary.resources.last == text.resources.last)
        let span = try #require(binary.spans.first)
        #expect(span.traceID == "5b8efff798038103d269b633813fc60c")
        #expect(span.spanID == "eee19b7ec3c10001")
        #expect(span.parentSpanID == "eee19b7ec3c1b173")
        #expect(binary.spans.last?.parentSpanID == nil)
        #expect(span.kind == .server && span.statusCode == .error && span.flags == 768)
        #expect(span.service == "svc" && span.scopeName == "lib")
        #expect(
            span.attributes
                == #"{"s":"quote \" slash / tab \t é ✓ \u0001","i":-42,"big":9223372036854775807,"d":1.5,"whole":5.0,"tiny":1e-07,"nan":"NaN","inf":"-Infinity","b":true,"y":"AAAwOfs=","a":[1,"x",0.1],"k":{"inner":false,"deeper":"/wA="},"none":null}"#
        )
        #expect(
            span.events
                == #"[{"name":"exception","attributes":{"exception.type":"E"},"time_ns":1700000000100000000},{"name":"","time_ns":null}]"#
        )
        #expect(
            span.links
                == #"[{"trace_id":"00000000000000000000000000000001","span_id":"0000000000000002","trace_state":"k=v","attributes":{"link.kind":"follows"},"flags":256},{"span_id":"0000000000000003"}]"#
        )
    }

    @Test func aLogRecordReadsTheSameAsItsJSON() throws {
        var structured = OTLPMessages.logRecord(2)
        structured.body = OTLPMessages.value(.kvlistValue(.with { $0.values = [OTLPMessages.pair("n", .intValue(3))] }))
        var bare = OTLPLogRecord()
        bare.observedTimeUnixNano = 5
        let request = OTLPMessages.logsRequest([OTLPMessages.logRecord(1), structured, bare])
        let (binary, _) = try collectProtobuf(request.wire)
        let (text, _) = try collect(try json(request))
        #expect(binary.logs == text.logs)
        #expect(binary.logs.count == 3)
        let log = try #require(binary.logs.first)
        #expect(log.body == "line one\nline \"two\" ✓")
        #expect(log.severityNumber == 14 && log.severityText == "WARN" && log.flags == 1)
        #expect(log.traceID == "5b8efff798038103d269b633813fc60c" && log.spanID == "eee19b7ec3c1b174")
        #expect(log.scopeName == "lib" && log.service == "svc")
        #expect(log.attributes.hasSuffix(#","none":null,"event.name":"app.event"}"#))
        #expect(binary.logs[1].body == #"{"n":3}"#)
        #expect(binary.logs[2].timeNs == 5 && binary.logs[2].body == "" && binary.logs[2].traceID == nil)
        #expect(binary.spans.isEmpty)
    }

    @Test func tracesDataAndLogsDataAreReadLikeTheRequests() throws {
        let traces = Opentelemetry_Proto_Trace_V1_TracesData.with { $0.resourceSpans = OTLPMessages.traceRequest().resourceSpans }
        let logs = Opentelemetry_Proto_Logs_V1_LogsData.with { $0.resourceLogs = OTLPMessages.logsRequest().resourceLogs }
        #expect(try collectProtobuf(traces.wire).0.spans == collectProtobuf(OTLPMessages.traceRequest().wire).0.spans)
        #expect(try collectProtobuf(traces.wire).0.spans.count == 1)
        #expect(try collectProtobuf(logs.wire).0.logs.count == 1)
    }

    @Test func aSequenceOfLengthPrefixedExportsIsReadWhole() throws {
        let first = OTLPMessages.traceRequest(spans: [OTLPMessages.span(1)], service: "a").wire
        let second = OTLPMessages.traceRequest(spans: [OTLPMessages.span(2), OTLPMessages.span(3)], service: "b").wire
        let stream = OTLPMessages.varint(first.count) + first + OTLPMessages.varint(second.count) + second
        let (sink, _) = try collectProtobuf(stream)
        #expect(sink.spans.map(\.service) == ["a", "b", "b"])
        #expect(sink.spans.map(\.spanID) == ["eee19b7ec3c10001", "eee19b7ec3c10002", "eee19b7ec3c10003"])
    }

    @Test func aResourceAndScopeWrittenAfterTheirRecordsStillApply() throws {
        let span = OTLPMessages.span(1)
        let scopeSpans = OTLPMessages.field(2, span.wire) + OTLPMessages.field(1, OTLPMessages.scope().wire)
        let resourceSpans = OTLPMessages.field(2, scopeSpans) + OTLPMessages.field(1, OTLPMessages.resource("late").wire)
        let (sink, _) = try collectProtobuf(OTLPMessages.field(1, resourceSpans))
        #expect(sink.spans.first?.service == "late")
        #expect(sink.spans.first?.scopeName == "lib")
    }

    @Test func aCutShortExportIsAnErrorAtItsByteOffset() throws {
        let bytes = OTLPMessages.traceRequest(spans: (1...3).map { OTLPMessages.span($0) }).wire
        for cut in [1, 2, bytes.count / 2, bytes.count - 1] {
            #expect {
                try collectProtobuf(Array(bytes[..<cut]))
            } throws: { error in
                let error = error as? InputError
                return error?.position?.isByteOffset == true && (error?.message.contains("cut short") ?? false)
            }
        }
    }

    @Test func corruptBytesAreAnErrorAtTheirOffset() throws {
        var bytes = OTLPMessages.traceRequest().wire
        // The ResourceSpans' first tag (resource, field 1, length-delimited) as a varint field.
        var at = 1
        while bytes[at] >= 0x80 { at += 1 }
        at += 1
        #expect(bytes[at] == 0x0A)
        bytes[at] = 0x08
        #expect {
            try collectProtobuf(bytes)
        } throws: { error in
            let error = error as? InputError
            return error?.position == .byteOffset(Int64(at)) && (error?.message.contains("wire type 0, not 2") ?? false)
        }
    }

    @Test func badRecordsAreRefusedOrSkippedUnderKeepGoing() throws {
        var short = OTLPMessages.span(2)
        short.traceID = Data([1, 2, 3])
        var unknownKind = OTLPMessages.span(3)
        unknownKind.kind = .UNRECOGNIZED(9)
        let bytes = OTLPMessages.traceRequest(spans: [OTLPMessages.span(1), short, unknownKind, OTLPMessages.span(4)]).wire
        #expect {
            try collectProtobuf(bytes)
        } throws: { error in
            (error as? InputError)?.message == "trace_id is 3 bytes, not 16 (is this an OTLP traces or logs export?)"
        }
        let (sink, context) = try collectProtobuf(bytes, keepGoing: true)
        #expect(sink.spans.map(\.spanID) == ["eee19b7ec3c10001", "eee19b7ec3c10004"])
        #expect(context.skippedCount == 2)
        #expect(context.skipped.allSatisfy { $0.position?.isByteOffset == true })
    }

    @Test func aRecordThatDoesNotDecodeIsSkippedUnderKeepGoing() throws {
        var name = OTLPMessages.span(2).wire
        // The span's name (field 5) as bytes that are not UTF-8.
        let good = OTLPMessages.span(2)
        let nameField: [UInt8] = [0x2A] + OTLPMessages.varint(good.name.utf8.count) + Array(good.name.utf8)
        let at = try #require(name.indices.first { Array(name[$0..<min($0 + nameField.count, name.count)]) == nameField })
        name[at + 2] = 0xFF
        let scopeSpans = [OTLPMessages.span(1).wire, name, OTLPMessages.span(3).wire].flatMap { OTLPMessages.field(2, $0) }
        let bytes = OTLPMessages.field(1, OTLPMessages.field(2, scopeSpans))
        #expect {
            try collectProtobuf(bytes)
        } throws: { error in
            (error as? InputError)?.message.hasPrefix("a Span of \(name.count) bytes has a string that is not valid UTF-8") ?? false
        }
        let (sink, context) = try collectProtobuf(bytes, keepGoing: true)
        #expect(sink.spans.map(\.spanID) == ["eee19b7ec3c10001", "eee19b7ec3c10003"])
        #expect(context.skippedCount == 1)
    }

    @Test func aLogRecordAmongSpansIsAnError() throws {
        let scopeSpans = OTLPMessages.field(2, OTLPMessages.span(1).wire) + OTLPMessages.field(2, OTLPMessages.logRecord().wire)
        let bytes = OTLPMessages.field(1, OTLPMessages.field(2, scopeSpans))
        #expect {
            try collectProtobuf(bytes)
        } throws: { error in
            (error as? InputError)?.message == "a LogRecord among spans: an export holds one kind of record"
        }
    }

    /// The point of walking the levels: memory holds one record, not the export (here 40 times
    /// the stream's buffer, which never grows).
    @Test func memoryHoldsOneRecordNotTheExport() throws {
        let span = OTLPMessages.span(1).wire
        let scopeSpans = OTLPMessages.field(1, OTLPMessages.scope().wire)
            + Array((0..<1_600).map { _ in OTLPMessages.field(2, span) }.joined())
        let bytes = OTLPMessages.field(1, OTLPMessages.field(1, OTLPMessages.resource("svc").wire) + OTLPMessages.field(2, scopeSpans))
        #expect(bytes.count > 40 * (16 << 10))
        let sink = CountingSink()
        let stream = ProtobufStream(source: MemorySource(bytes), chunkSize: 16 << 10)
        let walker = OTLPProtobufWalker(stream: stream, sink: sink, context: ReadContext(keepGoing: false))
        try walker.run()
        #expect(sink.spans == 1_600)
        #expect(walker.largestMessage == span.count)
        #expect(stream.bufferCapacity == 16 << 10)
    }

    @Test func aHugeRecordGrowsTheBufferOnlyWhileItIsRead() throws {
        var huge = OTLPMessages.span(2)
        huge.attributes = [OTLPMessages.pair("blob", .stringValue(String(repeating: "x", count: 1 << 20)))]
        let bytes = OTLPMessages.traceRequest(spans: [OTLPMessages.span(1), huge, OTLPMessages.span(3)]).wire
        let sink = CountingSink()
        let stream = ProtobufStream(source: MemorySource(bytes), chunkSize: 16 << 10)
        let walker = OTLPProtobufWalker(stream: stream, sink: sink, context: ReadContext(keepGoing: false))
        try walker.run()
        #expect(sink.spans == 3)
        #expect(walker.largestMessage > 1 << 20)
        // Back to its usual size once the huge span is read.
        #expect(stream.bufferCapacity == 16 << 10)
    }
}
