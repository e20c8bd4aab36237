// The links and messaging attributes read from the stored JSON of a span.

import Testing

@testable import TraceDoctorCore

@Suite struct SpanLinkParserTests {
    func withBytes<T>(_ text: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { body(UnsafeRawBufferPointer($0)) }
    }

    @Test func linksAreReadInOrderAndIncompleteOnesSkipped() {
        let json = #"[{"trace_id":"0123456789abcdef0123456789abcdef","span_id":"00000000000000aa","attributes":{"k":"v"}},"#
            + #"{"trace_id":"00000000000000000000000000000001"},"#
            + #"{"trace_id":"fedcba9876543210fedcba9876543210","span_id":"00000000000000bb","flags":256}]"#
        let links = withBytes(json) { SpanLinkParser.links($0) }
        #expect(links.map(\.spanID) == [SpanID(0xAA), SpanID(0xBB)])
        #expect(links.first?.traceID.hex == "0123456789abcdef0123456789abcdef")
    }

    @Test func messagingKeysAreFoundWithoutParsingEverySpan() {
        #expect(withBytes(#"{"http.method":"GET","server.address":"x"}"#) { SpanLinkParser.mayHoldMessaging($0) } == false)
        #expect(withBytes(#"{"a":1,"messaging.system":"kafka"}"#) { SpanLinkParser.mayHoldMessaging($0) })
        #expect(withBytes(#"{"kafka.topic":"messages"}"#) { SpanLinkParser.mayHoldMessaging($0) })
        #expect(withBytes(#"{"x":"the value names \"messaging.\" only in a value"}"#) { SpanLinkParser.mayHoldMessaging($0) })
        let m = withBytes(#"{"messaging.system":"kafka","messaging.destination.name":"orders","messaging.message.id":"m-1"}"#) {
            SpanLinkParser.messaging($0)
        }
        #expect(m == SpanMessaging(system: "kafka", destination: "orders", messageID: "m-1"))
        let celery = withBytes(#"{"messaging.destination":"celery","celery.task_name":"tasks.x","messaging.message.id":"id-1"}"#) {
            SpanLinkParser.messaging($0)
        }
        #expect(celery.destination == "celery" && celery.taskName == "tasks.x" && celery.messageID == "id-1")
    }
}
