import Testing

@testable import TraceDoctorCore

/// Correlation keys: spans and traced lines map a value to traces; untraced lines join when the
/// value names one trace.
@Suite struct KeyJoinerTests {
    let t1 = TraceID(high: 1, low: 1)
    let t2 = TraceID(high: 2, low: 2)
    let s1 = SpanID(11)
    let key = LinkKey(field: "execution_id", attribute: "workflow.run_id")

    @Test(arguments: [("request_id", "request_id", "request_id"), ("execution_id=workflow.run_id", "execution_id", "workflow.run_id")])
    func keysAreParsed(text: String, field: String, attribute: String) throws {
        let parsed = try #require(LinkKey(text))
        #expect(parsed.field == field && parsed.attribute == attribute)
        #expect(parsed.description == text)
    }

    @Test(arguments: ["", "=x", "x=", "a\"b", "a b", "a\\b"])
    func badKeysAreRefused(text: String) {
        #expect(LinkKey(text) == nil)
    }

    @Test func joinsAmbiguitiesAndUnmatchedValues() {
        var result = KeyJoins()
        KeyJoiner.join(
            key: key,
            spans: [.init(traceID: t1, spanID: s1, value: "run-1"), .init(traceID: t1, spanID: SpanID(12), value: "run-1"),
                    .init(traceID: t2, spanID: SpanID(21), value: "run-2")],
            lines: [
                .init(rowID: 1, traceID: nil, spanID: nil, value: "run-1"),
                .init(rowID: 2, traceID: t1, spanID: nil, value: "run-2"),  // run-2 is now on t1 and t2
                .init(rowID: 3, traceID: nil, spanID: nil, value: "run-2"),
                .init(rowID: 4, traceID: nil, spanID: nil, value: "run-9"),
                .init(rowID: 5, traceID: t2, spanID: nil, value: "run-5"),
                .init(rowID: 6, traceID: nil, spanID: nil, value: "run-5"),
            ], into: &result)
        #expect(result.joined[1] == KeyJoins.Join(traceID: t1, spanID: s1, key: key, value: "run-1"))
        #expect(result.joined[3] == nil)
        #expect(result.ambiguous[3]?.traces == [t2, t1])
        #expect(result.joined[4] == nil && result.ambiguous[4] == nil)
        #expect(result.unmatched == 1)
        #expect(result.joined[6] == KeyJoins.Join(traceID: t2, spanID: nil, key: key, value: "run-5"))
        #expect(result.rows(of: t1) == [1])
        #expect(result.rows(of: t2) == [6])
    }

    @Test func aLaterKeyMayJoinWhatAnEarlierOneLeftAmbiguous() {
        var result = KeyJoins()
        let other = LinkKey(field: "request_id")
        KeyJoiner.join(
            key: key, spans: [.init(traceID: t1, spanID: s1, value: "x"), .init(traceID: t2, spanID: SpanID(21), value: "x")],
            lines: [.init(rowID: 1, traceID: nil, spanID: nil, value: "x")], into: &result)
        #expect(result.ambiguous[1] != nil)
        KeyJoiner.join(
            key: other, spans: [.init(traceID: t2, spanID: SpanID(21), value: "r")],
            lines: [.init(rowID: 1, traceID: nil, spanID: nil, value: "r")], into: &result)
        #expect(result.joined[1]?.traceID == t2)
        #expect(result.ambiguous[1] == nil)
    }
}
