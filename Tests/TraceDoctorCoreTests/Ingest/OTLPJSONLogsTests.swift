// OTLP/JSON logs: resourceLogs/scopeLogs/logRecords into LogRecords.

import Testing

@testable import TraceDoctorCore

@Suite struct OTLPJSONLogsTests {
    /// One log record in a minimal document; `fields` are spliced into the record object.
    func document(_ fields: String) -> String {
        #"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"#
            + #""scopeLogs":[{"scope":{"name":"lib"},"logRecords":[{"# + fields + "}]}]}]}"
    }

    @Test func readsTheSpecExample() throws {
        let text = try String(contentsOfFile: fixturesDirectory + "/corpus/opentelemetry-proto/logs.json", encoding: .utf8)
        let (sink, _) = try collect(text)
        #expect(sink.spans.isEmpty)
        let log = try #require(sink.logs.first)
        #expect(sink.logs.count == 1)
        #expect(log.timeNs == 1_544_712_660_300_000_000)
        #expect(log.observedTimeNs == 1_544_712_660_300_000_000)
        #expect(log.severityNumber == 10)
        #expect(log.severityText == "Information")
        #expect(log.traceID == "5b8efff798038103d269b633813fc60c")
        #expect(log.spanID == "eee19b7ec3c1b174")
        #expect(log.body == "Example log record")
        #expect(log.service == "my.service")
        #expect(log.scopeName == "my.library")
        #expect(
            log.attributes
                == #"{"string.attribute":"some string","boolean.attribute":true,"int.attribute":10,"double.attribute":637.704,"array.attribute":["many","values"],"map.attribute":{"some.map.key":"some value"}}"#
        )
    }

    @Test func onlyAnObservedTimeIsTheTime() throws {
        let (sink, _) = try collect(document(#""observedTimeUnixNano":"1700000000000000005","body":{"stringValue":"x"}"#))
        #expect(sink.logs.first?.timeNs == 1_700_000_000_000_000_005)
        #expect(sink.logs.first?.observedTimeNs == 1_700_000_000_000_000_005)
    }

    @Test(arguments: [
        (#""traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174""#, true),
        (#""traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174""#, true),
        (#""traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"7uGbfsPBsXQ=""#, true),
        (#""trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174""#, true),
        (#""traceId":"","spanId":"""#, false),
        (#""traceId":"00000000000000000000000000000000","spanId":"0000000000000000""#, false),
    ])
    func idsInEverySpellingAndEmptyMeansNone(ids: String, linked: Bool) throws {
        let (sink, _) = try collect(document(ids + #","body":{"stringValue":"x"}"#))
        let log = try #require(sink.logs.first)
        #expect(log.traceID == (linked ? "5b8efff798038103d269b633813fc60c" : nil))
        #expect(log.spanID == (linked ? "eee19b7ec3c1b174" : nil))
    }

    @Test func severityAsANumberOrAName() throws {
        let names = ["SEVERITY_NUMBER_UNSPECIFIED": 0, "SEVERITY_NUMBER_TRACE": 1, "SEVERITY_NUMBER_DEBUG2": 6,
                     "SEVERITY_NUMBER_INFO": 9, "SEVERITY_NUMBER_WARN4": 16, "SEVERITY_NUMBER_FATAL4": 24]
        for (name, number) in names {
            let (sink, _) = try collect(document(#""severityNumber":""# + name + #"""#))
            #expect(sink.logs.first?.severityNumber == number, "\(name)")
        }
        #expect(try collect(document(#""severityNumber":17"#)).0.logs.first?.severityNumber == 17)
        #expect(throws: InputError.self) { try collect(document(#""severityNumber":25"#)) }
        #expect(throws: InputError.self) { try collect(document(#""severityNumber":"SEVERITY_NUMBER_LOUD""#)) }
    }

    @Test func aStringBodyIsTextAndAStructuredBodyIsJSON() throws {
        let bodies = [
            (#"{"stringValue":"line \"one\"\nline two"}"#, "line \"one\"\nline two"),
            (#"{"kvlistValue":{"values":[{"key":"user","value":{"stringValue":"ada"}},{"key":"n","value":{"intValue":"3"}}]}}"#, #"{"user":"ada","n":3}"#),
            (#"{"intValue":"42"}"#, "42"),
            (#"{"arrayValue":{"values":[{"boolValue":true}]}}"#, "[true]"),
            (#"{}"#, ""),
        ]
        for (body, stored) in bodies {
            let (sink, _) = try collect(document(#""body":"# + body))
            #expect(sink.logs.first?.body == stored, "\(body)")
        }
        #expect(try collect(document(#""severityText":"INFO""#)).0.logs.first?.body == "")
    }

    @Test func flagsAttributesAndEventName() throws {
        let (sink, _) = try collect(
            document(#""flags":1,"eventName":"app.login","attributes":[{"key":"user","value":{"stringValue":"ada"}}]"#))
        let log = try #require(sink.logs.first)
        #expect(log.flags == 1)
        #expect(log.attributes == #"{"user":"ada","event.name":"app.login"}"#)
        let bare = try collect(document(#""event_name":"app.login""#)).0.logs.first
        #expect(bare?.attributes == #"{"event.name":"app.login"}"#)
        #expect(throws: InputError.self) { try collect(document(#""flags":4294967296"#)) }
    }

    @Test func snakeCaseJSONLinesAndLateResourceAndScope() throws {
        let line1 = #"{"resource_logs":[{"scope_logs":[{"log_records":[{"time_unix_nano":"5","severity_number":9,"severity_text":"INFO","body":{"string_value":"a"}}],"scope":{"name":"late"}}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc-late"}}]}}]}"#
        let line2 = #"{"resource":{},"scopeLogs":[{"logRecords":[{"timeUnixNano":"6","body":{"stringValue":"b"}}]}]}"#
        let (sink, _) = try collect(line1 + "\n" + line2 + "\n")
        #expect(sink.logs.map(\.body) == ["a", "b"])
        #expect(sink.logs.map(\.service) == ["svc-late", ""])
        #expect(sink.logs.map(\.scopeName) == ["late", ""])
        #expect(sink.logs.first?.severityNumber == 9)
    }

    @Test func tracesAndLogsInOneDocument() throws {
        let text = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}],"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","body":{"stringValue":"x"}}]}]}]}"#
        let (sink, _) = try collect(text)
        #expect(sink.spans.count == 1)
        #expect(sink.logs.first?.spanID == sink.spans.first?.spanID)
    }

    @Test func aBadIDRejectsTheInputAndKeepGoingSkipsTheRecord() throws {
        let text = document(#""traceId":"zzz","body":{"stringValue":"bad"}},{"body":{"stringValue":"good"}"#)
        #expect {
            try collect(text)
        } throws: { error in
            (error as? InputError)?.message == "traceId 'zzz' is not a trace ID (32 hex digits, or 16 bytes in base64)"
        }
        let (sink, context) = try collect(text, keepGoing: true)
        #expect(sink.logs.map(\.body) == ["good"])
        #expect(context.skippedCount == 1)
    }

    @Test func theSnifferAcceptsLogDocuments() {
        #expect(OTLPJSONSniffer.sniff(InputPrefix(Array(document("").utf8))) == .accept(confidence: 100))
        #expect(OTLPJSONSniffer.sniff(InputPrefix(Array(#"{"resource":{},"scopeLogs":[]}"#.utf8))) == .accept(confidence: 100))
    }
}
