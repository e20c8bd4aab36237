import Testing

@testable import TraceDoctorCore

@Suite struct OTLPJSONReaderTests {
    /// One span in a minimal document; `fields` are spliced into the span object.
    func document(_ fields: String, resource: String = #""resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"#) -> String {
        """
        {"resourceSpans":[{\(resource)"scopeSpans":[{"scope":{"name":"lib"},"spans":[{\(fields)}]}]}]}
        """
    }

    let ids = #""traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174""#

    @Test func readsTheSpecExample() throws {
        let text = try String(contentsOfFile: fixturesDirectory + "/corpus/opentelemetry-proto/trace.json", encoding: .utf8)
        let (sink, _) = try collect(text)
        #expect(sink.spans.count == 1)
        let span = try #require(sink.spans.first)
        #expect(span.traceID == "5b8efff798038103d269b633813fc60c")
        #expect(span.spanID == "eee19b7ec3c1b174")
        #expect(span.parentSpanID == "eee19b7ec3c1b173")
        #expect(span.kind == .server)
        #expect(span.service == "my.service")
        #expect(span.scopeName == "my.library")
        #expect(span.startNs == 1_544_712_660_000_000_000)
        #expect(span.endNs == 1_544_712_661_000_000_000)
        #expect(span.attributes == #"{"my.span.attr":"some value"}"#)
    }

    @Test func enumNamesAndNumbersMeanTheSame() throws {
        let a = try collect(document(ids + #","kind":"SPAN_KIND_CLIENT","status":{"code":"STATUS_CODE_ERROR","message":"boom"}"#)).0
        let b = try collect(document(ids + #","kind":3,"status":{"code":2,"message":"boom"}"#)).0
        #expect(a.spans == b.spans)
        #expect(a.spans.first?.kind == .client)
        #expect(a.spans.first?.statusCode == .error)
        #expect(a.spans.first?.statusMessage == "boom")
    }

    @Test func timestampsAsStringsOrNumbers() throws {
        let a = try collect(document(ids + #","startTimeUnixNano":"1700000000000000001","endTimeUnixNano":"1700000000000000002""#)).0
        let b = try collect(document(ids + #","startTimeUnixNano":1700000000000000001,"endTimeUnixNano":1700000000000000002"#)).0
        #expect(a.spans == b.spans)
        #expect(a.spans.first?.startNs == 1_700_000_000_000_000_001)
    }

    @Test func emptyOrZeroParentMeansRoot() throws {
        for parent in [#""parentSpanId":"""#, #""parentSpanId":"0000000000000000""#, #""parentSpanId":null"#] {
            let (sink, _) = try collect(document(ids + "," + parent))
            #expect(sink.spans.first?.parentSpanID == nil, "\(parent)")
        }
    }

    @Test func missingOptionalFieldsHaveDefaults() throws {
        let (sink, _) = try collect(document(ids))
        let span = try #require(sink.spans.first)
        #expect(span.name == "")
        #expect(span.kind == .unspecified)
        #expect(span.startNs == nil && span.endNs == nil)
        #expect(span.attributes == "{}" && span.events == "[]" && span.links == "[]")
    }

    @Test func snakeCaseKeysAreAccepted() throws {
        let text = #"{"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","parent_span_id":"eee19b7ec3c1b173","start_time_unix_nano":"5","end_time_unix_nano":"6"}]}]}]}"#
        let (sink, _) = try collect(text)
        #expect(sink.spans.first?.parentSpanID == "eee19b7ec3c1b173")
        #expect(sink.spans.first?.endNs == 6)
    }

    @Test func attributeValuesBecomePlainJSON() throws {
        let attributes = #"""
            "attributes":[
              {"key":"s","value":{"stringValue":"a\"b"}},
              {"key":"i","value":{"intValue":"-42"}},
              {"key":"d","value":{"doubleValue":1.5}},
              {"key":"n","value":{"doubleValue":"NaN"}},
              {"key":"b","value":{"boolValue":true}},
              {"key":"y","value":{"bytesValue":"AAAwOQ=="}},
              {"key":"a","value":{"arrayValue":{"values":[{"intValue":1},{"stringValue":"x"}]}}},
              {"key":"k","value":{"kvlistValue":{"values":[{"key":"inner","value":{"boolValue":false}}]}}},
              {"value":{"intValue":7},"key":"late-key"},
              {"key":"empty","value":{}}
            ]
            """#
        let (sink, _) = try collect(document(ids + "," + attributes))
        #expect(
            sink.spans.first?.attributes
                == #"{"s":"a\"b","i":-42,"d":1.5,"n":"NaN","b":true,"y":"AAAwOQ==","a":[1,"x"],"k":{"inner":false},"late-key":7,"empty":null}"#
        )
    }

    @Test func eventsAndLinksAreKept() throws {
        let fields = ids + #"""
            ,"events":[{"timeUnixNano":"10","name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}],
            "links":[{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","attributes":[]}]
            """#
        let (sink, _) = try collect(document(fields))
        #expect(sink.spans.first?.events == #"[{"name":"exception","attributes":{"exception.type":"E"},"time_ns":10}]"#)
        // An empty attribute list is left out: protobuf cannot tell it from a missing one.
        #expect(sink.spans.first?.links == #"[{"trace_id":"00000000000000000000000000000001","span_id":"0000000000000002"}]"#)
    }

    @Test func eventsAndLinksHaveOneLayoutWhateverTheKeyOrder() throws {
        let ordered = ids + #"""
            ,"events":[{"timeUnixNano":"10","name":"e","attributes":[{"key":"k","value":{"intValue":"1"}}]}],
            "links":[{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","traceState":"a=b",
              "attributes":[{"key":"k","value":{"boolValue":true}}],"flags":256}]
            """#
        let shuffled = ids + #"""
            ,"events":[{"attributes":[{"key":"k","value":{"intValue":1}}],"name":"e","timeUnixNano":10}],
            "links":[{"flags":256,"attributes":[{"value":{"boolValue":true},"key":"k"}],"traceState":"a=b",
              "spanId":"0000000000000002","traceId":"00000000000000000000000000000001"}]
            """#
        let a = try collect(document(ordered)).0.spans
        let b = try collect(document(shuffled)).0.spans
        #expect(a == b)
        #expect(a.first?.events == #"[{"name":"e","attributes":{"k":1},"time_ns":10}]"#)
        #expect(
            a.first?.links
                == #"[{"trace_id":"00000000000000000000000000000001","span_id":"0000000000000002","trace_state":"a=b","attributes":{"k":true},"flags":256}]"#
        )
    }

    @Test func stringsDoublesAndBytesHaveOneSpellingWhateverTheWriter() throws {
        let plain = #""attributes":[{"key":"é","value":{"stringValue":"a/b é"}},{"key":"d","value":{"doubleValue":1.5}},{"key":"y","value":{"bytesValue":"+/8="}}]"#
        let escaped = #""attributes":[{"key":"é","value":{"stringValue":"a\/b é"}},{"key":"d","value":{"doubleValue":"1.50e0"}},{"key":"y","value":{"bytesValue":"-_8"}}]"#
        let a = try collect(document(ids + "," + plain)).0.spans
        let b = try collect(document(ids + "," + escaped)).0.spans
        #expect(a.first?.attributes == #"{"é":"a/b é","d":1.5,"y":"+/8="}"#)
        #expect(a == b)
    }

    @Test func resourceAfterItsSpansStillApplies() throws {
        let text = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}],"scope":{"name":"late-scope"}}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}"#
        let (sink, _) = try collect(text)
        #expect(sink.spans.first?.service == "late")
        #expect(sink.spans.first?.scopeName == "late-scope")
    }

    /// Found by fuzzing (FuzzIngest): `"resource": null` left the resource's attributes empty,
    /// not `{}`, and the store refused the valid file with a CHECK constraint error.
    @Test func aNullResourceIsTheEmptyResource() throws {
        for resource in [#""resource":null,"#, #""resource":{"attributes":null},"#, #""resource":{},"#, ""] {
            let (sink, _) = try collect(document(ids, resource: resource))
            #expect(sink.spans.count == 1, "\(resource)")
            #expect(sink.spans.first?.service == "", "\(resource)")
            #expect(!sink.resources.isEmpty && sink.resources.allSatisfy { $0 == "{}" }, "\(resource): \(sink.resources)")
        }
    }

    @Test func jsonLinesOfDocumentsAndBareResourceSpans() throws {
        let line1 = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]}"#
        let line2 = #"{"resource":{},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175"}]}]}"#
        let (sink, _) = try collect(line1 + "\n" + line2 + "\n")
        #expect(sink.spans.map(\.spanID) == ["eee19b7ec3c1b174", "eee19b7ec3c1b175"])
        #expect(sink.spans.map(\.line) == [1, 2])
    }

    @Test func jaegerAPIv3WrapperIsUnwrapped() throws {
        let text = try String(contentsOfFile: fixturesDirectory + "/corpus/jaeger/GetTrace.json", encoding: .utf8)
        let (sink, _) = try collect(text)
        #expect(sink.spans.count == 1)
        #expect(sink.spans.first?.startNs == nil)
    }

    @Test func aBadIDRejectsTheInputWithItsPosition() {
        let text = document(#""traceId":"xyz","spanId":"eee19b7ec3c1b174""#)
        #expect {
            try collect(text)
        } throws: { error in
            let error = error as? InputError
            return error?.message == "traceId 'xyz' is not a trace ID (32 hex digits, or 16 bytes in base64)"
                && error?.position?.line == 1
        }
    }

    @Test func keepGoingSkipsBadSpansAndBadLines() throws {
        let good = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"bad!"}]}]}]}"#
        let truncated = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8e"#
        let last = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b176","kind":9}]}]}]}"#
        let (sink, context) = try collect([good, truncated, good.replacingOccurrences(of: "174", with: "175"), last].joined(separator: "\n"), keepGoing: true)
        #expect(sink.spans.map(\.spanID) == ["eee19b7ec3c1b174", "eee19b7ec3c1b175"])
        #expect(context.skippedCount == 4)
        #expect(context.skipped.map { $0.position?.line } == [1, 2, 3, 4])
    }

    @Test func endBeforeStartIsRejected() {
        #expect(throws: InputError.self) {
            try collect(document(ids + #","startTimeUnixNano":"20","endTimeUnixNano":"10""#))
        }
    }

    @Test func nonOTLPJSONIsRefused() {
        #expect {
            try collect(#"{"hello":"world"}"#)
        } throws: { error in
            (error as? InputError)?.message
                == #"not an OTLP/JSON record (no "resourceSpans" or "resourceLogs" key in this object)"#
        }
    }
}

import Foundation
