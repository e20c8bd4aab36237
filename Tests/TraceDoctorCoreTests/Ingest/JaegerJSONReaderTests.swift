import Testing

@testable import TraceDoctorCore

@Suite struct JaegerJSONReaderTests {
    func read(_ text: String, keepGoing: Bool = false) throws -> (CollectingSink, ReadContext) {
        try collect(text, with: JaegerJSONReader(), keepGoing: keepGoing)
    }

    func corpus(_ path: String) throws -> String {
        try String(contentsOfFile: fixturesDirectory + "/corpus/" + path, encoding: .utf8)
    }

    /// A trace object with `spans` (each spliced in as written) and one process `p1`.
    func trace(_ spans: String..., processesFirst: Bool = false, traceID: String = "\"00000000000000000000000000000abc\"") -> String {
        let processes = #""processes":{"p1":{"serviceName":"svc","tags":[{"key":"hostname","type":"string","value":"h1"},{"key":"ip","type":"string","value":"10.0.0.1"}]}}"#
        let list = "\"spans\":[" + spans.joined(separator: ",") + "]"
        let body = processesFirst ? [processes, list] : [list, processes]
        return "{\"traceID\":\(traceID)," + body.joined(separator: ",") + "}"
    }

    /// The 1-based column where `needle` starts in one-line `text`.
    func column(of needle: String, in text: String) -> Int {
        text.distance(from: text.startIndex, to: text.range(of: needle)!.lowerBound) + 1
    }

    func span(_ id: String, _ fields: String = "") -> String {
        #"{"traceID":"abc","spanID":"\#(id)","operationName":"op-\#(id)","startTime":1000,"duration":20,"processID":"p1""#
            + (fields.isEmpty ? "" : "," + fields) + "}"
    }

    @Test func readsTheUIDownloadWithProcessesAfterSpans() throws {
        let (sink, _) = try read(try corpus("jaeger/ui_01.json"))
        #expect(sink.spans.map(\.spanID) == ["0000000000000002", "0000000000000002", "0000000000000003", "0000000000000004", "0000000000000005"])
        #expect(sink.spans.map(\.service) == ["service-x", "service-x", "service-y", "service-y", "service-y"])
        let tagged = sink.spans[1]
        #expect(tagged.traceID == "00000000000000000000000000000001")
        #expect(tagged.startNs == 1_485_467_191_639_875_000 && tagged.endNs == 1_485_467_191_639_880_000)
        #expect(tagged.statusCode == .error)
        #expect(
            tagged.attributes
                == #"{"peer.service":"service-y","peer.ipv4":23456,"error":true,"temperature":72.5,"javascript_limit":9223372036854775222,"blob":"AAAwOQ=="}"#
        )
        #expect(
            sink.spans[0].events
                == #"[{"name":"some-event","attributes":{},"time_ns":1485467191639875000},{"name":"","attributes":{"x":"y"},"time_ns":1485467191639875000}]"#
        )
    }

    @Test func theFirstLocalChildOfIsTheParentAndTheOtherReferencesAreLinks() throws {
        let (sink, _) = try read(try corpus("jaeger/ui_01.json"))
        let span = try #require(sink.spans.first { $0.spanID == "0000000000000004" })
        // [CHILD_OF another trace, CHILD_OF 2, FOLLOWS_FROM 2]: the local CHILD_OF wins.
        #expect(span.parentSpanID == "0000000000000002")
        #expect(
            span.links
                == #"[{"trace_id":"000000000000000000000000000000ff","span_id":"00000000000000ff","attributes":{"opentracing.ref_type":"child_of"}},{"trace_id":"00000000000000000000000000000001","span_id":"0000000000000002","attributes":{"opentracing.ref_type":"follows_from"}}]"#
        )
        #expect(span.attributes == #"{"jaeger.warnings":["some span warning"]}"#)
    }

    /// jaeger `model/adjuster/parent_reference_test.go`: [childOf(remote), followsFrom(local),
    /// childOf(local)] puts childOf(local) first.
    @Test func aLocalChildOfBeatsAnEarlierLocalFollowsFrom() throws {
        let refs = #"""
            "references":[{"refType":"CHILD_OF","traceID":"def","spanID":"7"},{"refType":"FOLLOWS_FROM","traceID":"abc","spanID":"8"},
            {"refType":"CHILD_OF","traceID":"abc","spanID":"9"}]
            """#
        let span = try #require(try read(trace(span("1", refs))).0.spans.first)
        #expect(span.parentSpanID == "0000000000000009")
        #expect(span.attributes == "{}")
        #expect(span.links.contains(#""span_id":"0000000000000007","attributes":{"opentracing.ref_type":"child_of"}"#))
        #expect(span.links.contains(#""span_id":"0000000000000008","attributes":{"opentracing.ref_type":"follows_from"}"#))
    }

    @Test func aFollowsFromIntoTheTraceIsTheParentEvenWhenMissing() throws {
        let (sink, _) = try read(try corpus("jaeger-ui/follows-from-orphan.legacy.json"))
        let orphan = try #require(sink.spans.first { $0.name == "followsOrphanOp" })
        #expect(orphan.parentSpanID == "aaaaaaaaaaaaaaaa")
        #expect(orphan.attributes == #"{"opentracing.ref_type":"follows_from"}"#)
        #expect(orphan.links == "[]")
    }

    @Test func aRemoteChildOfIsOnlyALink() throws {
        let text = trace(span("1", #""references":[{"refType":"CHILD_OF","traceID":"ff","spanID":"9"}]"#))
        let span = try #require(try read(text).0.spans.first)
        #expect(span.parentSpanID == nil)
        #expect(span.links.contains(#""span_id":"0000000000000009""#))
    }

    @Test func theDeprecatedParentSpanIDIsUsedWithoutReferences() throws {
        let (sink, _) = try read(trace(span("2", #""parentSpanID":"1""#), span("3", #""parentSpanID":"1","references":[{"refType":"CHILD_OF","spanID":"2"}]"#)))
        #expect(sink.spans.map(\.parentSpanID) == ["0000000000000001", "0000000000000002"])
    }

    @Test func referencesToSpanOrTraceZeroAreDropped() throws {
        let refs = #""references":[{"refType":"CHILD_OF","traceID":"abc","spanID":"0"},{"refType":"CHILD_OF","traceID":"0","spanID":"5"}]"#
        let span = try #require(try read(trace(span("1", refs))).0.spans.first)
        #expect(span.parentSpanID == nil)
        #expect(span.links == "[]")
    }

    @Test func processesBeforeOrAfterSpansGiveTheSameSpans() throws {
        let spans = [span("1"), span("2", #""references":[{"refType":"CHILD_OF","spanID":"1"}]"#)]
        let after = try read(trace(spans[0], spans[1])).0
        let before = try read(trace(spans[0], spans[1], processesFirst: true)).0
        #expect(after.spans == before.spans)
        #expect(after.spans.map(\.service) == ["svc", "svc"])
        #expect(after.resources.last == #"{"service.name":"svc","hostname":"h1","ip":"10.0.0.1"}"#)
    }

    @Test func spansTakeTheTraceIDOfTheirTraceWhenTheyHaveNone() throws {
        let bare = #"{"spanID":"span-C","operationName":"C","references":[{"refType":"CHILD_OF","spanID":"span-A"}],"startTime":1,"duration":100,"processID":"p1"}"#
        for text in [
            #"{"traceID":"test1-trace","spans":["# + bare + #"],"processes":{"p1":{"serviceName":"s"}}}"#,
            #"{"spans":["# + bare + #"],"processes":{"p1":{"serviceName":"s"}},"traceID":"test1-trace"}"#,
        ] {
            let span = try #require(try read(text).0.spans.first)
            // Made-up IDs (the Jaeger UI's test fixtures) are hashed; the text stays visible.
            #expect(span.traceID == JaegerID.traceID(Array("test1-trace".utf8).withUnsafeBufferPointer { $0 })?.id.hex)
            #expect(span.parentSpanID == JaegerID.spanID(Array("span-A".utf8).withUnsafeBufferPointer { $0 })?.id.hex)
            #expect(span.attributes == #"{"jaeger.span_id":"span-C","jaeger.trace_id":"test1-trace"}"#)
            #expect(span.service == "s")
        }
    }

    @Test func theAnonymizersSpanListCarriesItsProcesses() throws {
        let (sink, _) = try read(try corpus("jaeger/trace_success.json"))
        #expect(sink.spans.map(\.service) == ["16af988c443cff37", "3c220036602f839e"])
        #expect(sink.spans.map(\.kind) == [.server, .client])
        #expect(sink.spans.map(\.statusCode) == [.unset, .error])
        #expect(sink.spans[0].traceID == "00000000000000002be38093ead7a083")
        #expect(sink.spans[1].parentSpanID == "7606ddfe69932d34")
    }

    @Test func anAPIResponseOfManyTracesIsReadTraceByTrace() throws {
        let (sink, _) = try read(try corpus("derived-from-tests/jaeger-adjuster/clockskew_cases.json"))
        #expect(sink.spans.count == 25)
        #expect(Set(sink.spans.map(\.traceID)).count == 13)
        // startTime 0 is a time, not "missing".
        #expect(sink.spans.first?.startNs == 0)
        #expect(sink.spans.first?.endNs == 100_000_000)
    }

    @Test func aMissingStartTimeIsNullAndTheDurationIsKept() throws {
        let (sink, _) = try read(try corpus("jaeger-ui/missing-root-start.legacy.json"))
        let root = try #require(sink.spans.first)
        #expect(root.startNs == nil && root.endNs == nil)
        #expect(root.attributes == #"{"jaeger.duration_us":500}"#)
    }

    @Test func statusComesFromErrorAndOTelTags() throws {
        let tags = { (t: String) in span("1", #""tags":["# + t + "]") }
        let cases: [(String, StatusCode, String)] = [
            (#"{"key":"error","type":"bool","value":"true"}"#, .error, ""),
            (#"{"key":"error","type":"bool","value":false}"#, .unset, ""),
            (#"{"key":"otel.status_code","type":"string","value":"ERROR"},{"key":"otel.status_description","type":"string","value":"a \"b\""}"#, .error, "a \"b\""),
            (#"{"key":"otel.status_code","type":"string","value":"OK"},{"key":"error","type":"bool","value":true}"#, .ok, ""),
        ]
        for (t, code, message) in cases {
            let span = try #require(try read(trace(tags(t))).0.spans.first)
            #expect(span.statusCode == code, "\(t)")
            #expect(span.statusMessage == message, "\(t)")
        }
    }

    @Test func spanKindComesFromTheSpanKindTag() throws {
        for (value, kind) in [("server", SpanKind.server), ("client", .client), ("producer", .producer), ("consumer", .consumer), ("internal", .internal), ("other", .unspecified)] {
            let text = trace(span("1", #""tags":[{"key":"span.kind","type":"string","value":"\#(value)"}]"#))
            #expect(try read(text).0.spans.first?.kind == kind)
        }
    }

    @Test func tagValuesFollowTheirDeclaredType() throws {
        let tags = #"""
            "tags":[{"type":"int64","value":"-42","key":"late"},{"key":"f","type":"float64","value":"NaN"},
            {"key":"g","type":"FLOAT64","value":"2.5"},{"key":"s","type":"string","value":7},{"key":"u","value":{"a":1}}]
            """#
        let span = try #require(try read(trace(span("1", tags))).0.spans.first)
        #expect(span.attributes == #"{"late":-42,"f":"NaN","g":2.5,"s":"7","u":{"a":1}}"#)
    }

    @Test func aValueThatIsNotItsTypeMakesABadRecord() throws {
        let bad = span("2", #""tags":[{"key":"n","type":"int64","value":"12x"}]"#)
        #expect {
            try read(trace(span("1"), bad))
        } throws: { error in
            (error as? InputError)?.message == #"tag 'n': value "12x" is not an int64"#
        }
        let text = trace(span("1"), bad, span("3"))
        let (sink, context) = try read(text, keepGoing: true)
        #expect(sink.spans.map(\.spanID) == ["0000000000000001", "0000000000000003"])
        #expect(context.skippedCount == 1)
        // The tag's own position.
        #expect(context.skipped.first?.position?.column == column(of: #"{"key":"n""#, in: text))
    }

    @Test func aSpanWithoutSpanIDIsABadRecordAtItsPosition() {
        let text = "{\"data\":[\n" + trace(#"{"traceID":"abc","operationName":"x"}"#) + "\n]}"
        #expect {
            try read(text)
        } throws: { error in
            let error = error as? InputError
            return error?.message == "span has no spanID (or an all-zero one)" && error?.position?.line == 2
        }
    }

    @Test func brokenJSONIsReportedWhereItBreaks() {
        let text = #"{"data":[{"traceID":"abc","spans":[{"spanID":"1",}]}]}"#
        #expect {
            try read(text)
        } throws: { error in
            let error = error as? InputError
            return error?.message == "expected a key, found '}'" && error?.position?.column == column(of: ",}", in: text) + 1
        }
    }

    @Test func anAPIErrorWithoutTracesIsNotAnEmptyDump() {
        let text = #"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#
        #expect {
            try read(text)
        } throws: { error in
            (error as? InputError)?.message == "the Jaeger API response holds no trace, only an error: trace not found"
        }
    }

    @Test func anEmptyResponseIsNoSpans() throws {
        #expect(try read(#"{"data":[],"total":0,"limit":0,"offset":0,"errors":null}"#).0.spans.isEmpty)
    }

    @Test func aSpanWhoseProcessIsMissingKeepsItsProcessID() throws {
        let (sink, _) = try read(#"{"traceID":"1","spans":[{"spanID":"1","processID":"p9"}],"processes":{}}"#)
        #expect(sink.spans.first?.service == "")
        #expect(sink.resources.last == #"{"jaeger.process_id":"p9"}"#)
    }
}
