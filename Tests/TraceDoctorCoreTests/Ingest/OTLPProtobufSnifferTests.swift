// Detection of OTLP protobuf: real exports are claimed, text and JSON never are.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct OTLPProtobufSnifferTests {
    func sniff(_ bytes: [UInt8]) -> SniffResult { OTLPProtobufSniffer.sniff(InputPrefix(bytes)) }

    func detect(_ bytes: [UInt8]) -> InputFormat? { try? FormatDetector.detect(bytes).get() }

    @Test func exportsOfTracesAndLogsAreClaimed() throws {
        let traces = OTLPMessages.traceRequest().wire
        let logs = OTLPMessages.logsRequest().wire
        #expect(sniff(traces) == .accept(confidence: 100))
        #expect(sniff(logs) == .accept(confidence: 100))
        // Spans and logs in one input: claimed only weakly, for the reader to say where it mixes.
        let mixed = OTLPMessages.varint(traces.count) + traces + OTLPMessages.varint(logs.count) + logs
        #expect(sniff(mixed) == .accept(confidence: 30))
        #expect {
            try collectProtobuf(mixed)
        } throws: { error in
            (error as? InputError)?.message == "a LogRecord among spans: an export holds one kind of record"
        }
        #expect(sniff(OTLPMessages.varint(traces.count) + traces) == .accept(confidence: 100))
        #expect(detect(traces) == .otlpProtobuf)
        #expect(detect(logs) == .otlpProtobuf)
    }

    @Test func theLayoutTellsFramingAndSignal() throws {
        let traces = OTLPMessages.traceRequest().wire
        let logs = OTLPMessages.logsRequest().wire
        func layout(_ bytes: [UInt8]) -> OTLPProtobufLayout? {
            bytes.withUnsafeBytes { try? OTLPProtobufLayout.inspect($0, isComplete: true, strict: true).get() }
        }
        #expect(layout(traces) == OTLPProtobufLayout(framing: .single, signal: .spans, wholeRecords: 1))
        #expect(layout(logs) == OTLPProtobufLayout(framing: .single, signal: .logs, wholeRecords: 1))
        #expect(layout(OTLPMessages.varint(logs.count) + logs)?.framing == .lengthDelimited)
    }

    @Test func aPrefixThatEndsInsideARecordIsStillClaimed() throws {
        let bytes = OTLPMessages.traceRequest(spans: (1...2000).map { OTLPMessages.span($0) }).wire
        #expect(bytes.count > FormatDetector.prefixLength)
        #expect(sniff(Array(bytes[..<FormatDetector.prefixLength])) == .accept(confidence: 100))
        // The same bytes as a whole input are cut short: still claimed, for the reader to say
        // where (rather than "not a dump", which a directory walk would pass over silently).
        let whole = Array(bytes[..<1000])
        #expect(OTLPProtobufSniffer.sniff(InputPrefix(whole, isComplete: true)) == .accept(confidence: 60))
    }

    @Test(arguments: [
        #"{"resourceSpans":[]}"#,
        "\n{\n  \"resourceSpans\": []\n}\n",
        "\n\n2024-01-01 INFO hello\n",
        "\ntrace_id=5b8efff798038103d269b633813fc60c msg=hi\n",
        "[{\"traceId\":\"a\"}]",
        "plain text with a form feed \u{0C} and é\n",
    ])
    func textIsNeverClaimed(text: String) {
        guard case .reject = sniff(Array(text.utf8)) else {
            Issue.record("claimed \(text.debugDescription)")
            return
        }
    }

    @Test func otherBinaryIsRefusedWithAReason() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]
        guard case let .reject(reason) = sniff(png) else {
            Issue.record("claimed a PNG")
            return
        }
        #expect(reason.hasPrefix("not OTLP protobuf: byte 0: an OTLP export starts with byte 0x0A"))
        // Field 1, then a length, then bytes that are no ResourceSpans.
        guard case let .reject(why) = sniff([0x0A, 0x04, 0x08, 0x01, 0x10, 0x02]) else {
            Issue.record("claimed garbage")
            return
        }
        #expect(why.contains("field 1 of a ResourceSpans or ResourceLogs has wire type 0, not 2"))
    }

    /// Fuzzing found a trap: a length whose varint runs past the end of its record made the
    /// bytes left before that end negative, and converting them to UInt64 stopped the process.
    /// Every input meets this sniffer, so any file could crash `ingest` in detection.
    @Test func aLengthThatRunsPastItsRecordIsRefusedNotATrap() throws {
        // Request → ResourceSpans → ScopeSpans → a 1-byte Span holding only the tag of a
        // length-delimited field; its length is the byte after the Span.
        let bytes: [UInt8] = [0x0A, 0x07, 0x12, 0x05, 0x12, 0x01, 0x2A, 0x05, 0x00]
        guard case let .reject(reason) = sniff(bytes) else {
            Issue.record("claimed a record whose field runs past its end")
            return
        }
        #expect(reason.contains("a field claims 5 bytes, more than its message has left"))
        #expect(throws: InputError.self) { try collectProtobuf(bytes) }
    }

    @Test func jsonDetectionIsUnchangedByProtobuf() {
        #expect(detect(Array(#"{"resourceSpans":[]}"#.utf8)) == .otlpJSON)
        #expect(detect(Array("\n\n{\"resourceLogs\":[]}".utf8)) == .otlpJSON)
    }
}
