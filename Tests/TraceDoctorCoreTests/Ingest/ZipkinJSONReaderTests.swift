import Testing

@testable import TraceDoctorCore

@Suite struct ZipkinJSONReaderTests {
    func read(_ text: String, keepGoing: Bool = false) throws -> (CollectingSink, ReadContext) {
        try collect(text, with: ZipkinJSONReader(), keepGoing: keepGoing)
    }

    func corpus(_ path: String) throws -> String {
        try String(contentsOfFile: fixturesDirectory + "/corpus/" + path, encoding: .utf8)
    }

    let ids = #""traceId":"a","id":"b""#

    @Test func readsOneSpanObject() throws {
        let (sink, _) = try read(try corpus("zipkin/zipkin2-client.json"))
        let span = try #require(sink.spans.first)
        #expect(span.traceID == "4d1e00c0db9010db86154a4ba6e91385")
        #expect(span.spanID == "4d1e00c0db9010db")
        #expect(span.parentSpanID == "86154a4ba6e91385")
        #expect(span.kind == .client)
        #expect(span.name == "get")
        #expect(span.startNs == 1_472_470_996_199_000_000 && span.endNs == 1_472_470_996_406_000_000)
        #expect(span.service == "frontend")
        #expect(sink.resources == [#"{"service.name":"frontend","net.host.ip":"2001:db8::c001"}"#])
        #expect(
            span.attributes
                == #"{"http.path":"/api","clnt/finagle.version":"6.45.0","peer.service":"backend","net.peer.ip":"192.168.99.101","net.peer.port":9000}"#
        )
        #expect(
            span.events
                == #"[{"name":"foo","attributes":{},"time_ns":1472470996238000000},{"name":"bar","attributes":{},"time_ns":1472470996403000000}]"#
        )
        #expect(span.links == "[]")
    }

    @Test func idsOfAnyLengthAreLeftPaddedAndA64BitTraceIDStays64Bit() throws {
        let (sink, _) = try read(#"[{"traceId":"a","id":"b","parentId":"c"},{"traceId":"000000000000000a","id":"d"},{"traceId":"1000000000000000a","id":"e"}]"#)
        #expect(sink.spans.map(\.traceID) == [
            "0000000000000000000000000000000a", "0000000000000000000000000000000a", "0000000000000001000000000000000a",
        ])
        #expect(sink.spans.map(\.spanID) == ["000000000000000b", "000000000000000d", "000000000000000e"])
        #expect(sink.spans[0].parentSpanID == "000000000000000c")
    }

    @Test func aListOfTracesIsAListOfLists() throws {
        let (sink, _) = try read(#"[[{"traceId":"a","id":"1"},{"traceId":"a","id":"2","parentId":"1"}],[{"traceId":"b","id":"3"}],[]]"#)
        #expect(sink.spans.map(\.spanID) == ["0000000000000001", "0000000000000002", "0000000000000003"])
    }

    @Test func missingOrZeroTimesAreNull() throws {
        let (sink, _) = try read(
            "[" + [
                "{\(ids),\"timestamp\":5}", "{\(ids),\"duration\":7}", "{\(ids),\"timestamp\":0,\"duration\":0}", "{\(ids)}",
            ].joined(separator: ",") + "]")
        #expect(sink.spans.map(\.startNs) == [5000, nil, nil, nil])
        #expect(sink.spans.map(\.endNs) == [nil, nil, nil, nil])
        #expect(sink.spans[1].attributes == #"{"zipkin.duration_us":7}"#)
    }

    @Test func bothHalvesOfASharedIDAreReadAsTheyAre() throws {
        // Separating them is the store's job (SharedSpanPairsTests): the reader keeps the dump's IDs.
        let (sink, _) = try read(try corpus("zipkin/skew.json"))
        #expect(sink.spans.count == 4)
        let halves = sink.spans.filter { $0.spanID == "74280ae0c10d8062" }
        #expect(halves.map(\.kind) == [.client, .server] || halves.map(\.kind) == [.server, .client])
        let server = try #require(halves.first { $0.kind == .server })
        #expect(server.attributes.contains(#""zipkin.shared":true"#))
        #expect(Set(halves.map(\.service)) == ["servicea", "serviceb"])
    }

    @Test func statusComesFromTheErrorTagOrOTelTags() throws {
        let cases: [(String, StatusCode, String)] = [
            (#"{"error":""}"#, .error, ""),
            (#"{"error":"true"}"#, .error, ""),
            (#"{"error":"connection \"refused\""}"#, .error, "connection \"refused\""),
            (#"{"otel.status_code":"ERROR","otel.status_description":"boom","error":"x"}"#, .error, "boom"),
            (#"{"otel.status_code":"OK"}"#, .ok, ""),
            (#"{"http.status_code":"200"}"#, .unset, ""),
        ]
        for (tags, code, message) in cases {
            let span = try #require(try read("{\(ids),\"tags\":\(tags)}").0.spans.first)
            #expect(span.statusCode == code, "\(tags)")
            #expect(span.statusMessage == message, "\(tags)")
        }
    }

    @Test func debugAndSharedAreKeptAsAttributes() throws {
        let span = try #require(try read("{\(ids),\"kind\":\"SERVER\",\"debug\":true,\"shared\":true,\"tags\":{\"n\":1}}").0.spans.first)
        #expect(span.attributes == #"{"n":1,"zipkin.debug":true,"zipkin.shared":true}"#)
    }

    @Test func endpointsBecomeResourceAndPeerAttributes() throws {
        let text = """
            {\(ids),"localEndpoint":{"port":8080,"ipv6":"::1","ipv4":"10.0.0.1","serviceName":"api"},
             "remoteEndpoint":{"ipv6":"::2"}}
            """
        let (sink, _) = try read(text)
        #expect(sink.resources == [#"{"service.name":"api","net.host.ip":"10.0.0.1","net.host.ipv6":"::1","net.host.port":8080}"#])
        #expect(sink.spans.first?.attributes == #"{"net.peer.ip":"::2"}"#)
    }

    @Test func eachSpanHasTheResourceOfItsOwnEndpoint() throws {
        let endpoint = { (service: String, port: Int) in #"{\#(ids),"localEndpoint":{"serviceName":"\#(service)","port":\#(port)}}"# }
        let text = "[" + [endpoint("a", 1), endpoint("a", 1), endpoint("b", 1), endpoint("a", 2), endpoint("a", 1)].joined(separator: ",") + "]"
        let (sink, _) = try read(text)
        #expect(sink.spans.map(\.service) == ["a", "a", "b", "a", "a"])
        // The sink hears of a resource only when it changes.
        #expect(sink.resources == [
            #"{"service.name":"a","net.host.port":1}"#, #"{"service.name":"b","net.host.port":1}"#,
            #"{"service.name":"a","net.host.port":2}"#, #"{"service.name":"a","net.host.port":1}"#,
        ])
    }

    @Test func aSpanWithoutLocalEndpointHasNoService() throws {
        let (sink, _) = try read(try corpus("derived-from-tests/zipkin-lens/malformed.json"))
        #expect(sink.spans.count == 7)
        #expect(sink.spans.contains { $0.service.isEmpty })
    }

    @Test func badIDsAndKindsAreBadRecords() throws {
        let text = """
            [{"traceId":"a","id":"1"},
             {"traceId":"xyz","id":"2"},
             {"traceId":"a","id":"12345678901234567"},
             {"traceId":"a","id":"4","kind":"LOCAL"},
             {"traceId":"a"},
             {"traceId":"a","id":"6","timestamp":-1},
             {"traceId":"a","id":"7"}]
            """
        #expect {
            try read(text)
        } throws: { error in
            let error = error as? InputError
            return error?.message == "traceId 'xyz' is not a Zipkin ID (1–32 hex digits)" && error?.position?.line == 2
                && error?.position?.column == 13
        }
        let (sink, context) = try read(text, keepGoing: true)
        #expect(sink.spans.map(\.spanID) == ["0000000000000001", "0000000000000007"])
        #expect(context.skipped.map(\.message) == [
            "traceId 'xyz' is not a Zipkin ID (1–32 hex digits)",
            "id '12345678901234567' is not a Zipkin ID (1–16 hex digits)",
            "kind 'LOCAL' is not CLIENT, SERVER, PRODUCER or CONSUMER",
            "span has no id (or an all-zero one)",
            "timestamp '-1' is not a non-negative whole number below 2^64",
        ])
        #expect(context.skipped.map { $0.position?.line } == [2, 3, 4, 5, 6])
    }

    @Test func brokenJSONKeepsWhatCameBeforeUnderKeepGoing() throws {
        let text = #"[{"traceId":"a","id":"1"},{"traceId":"a","id":"2""#
        #expect {
            try read(text)
        } throws: { error in
            (error as? InputError)?.message == "expected ',' or '}', found end of input"
        }
        let (sink, context) = try read(text, keepGoing: true)
        #expect(sink.spans.count == 1)
        #expect(context.skippedCount == 1)
    }

    @Test func anythingButAListOrASpanIsRefused() {
        #expect {
            try read("42")
        } throws: { error in
            (error as? InputError)?.message == "expected a Zipkin v2 JSON list of spans ('[') or one span ('{'), found '4'"
        }
    }
}
