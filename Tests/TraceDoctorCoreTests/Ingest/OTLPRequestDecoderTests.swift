// Export requests held in memory (what `receive` gets): the same readers as files, gzip with a
// bounded output, bad records rejected one by one, bad bodies refused whole.

import Foundation
import SwiftProtobuf
import Testing

@testable import TraceDoctorCore

/// gzip(1) of `bytes`.
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-c"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(data)
}

@Suite struct OTLPRequestDecoderTests {
    @Test func aProtobufTraceRequestDecodesToItsSpans() throws {
        let request = OTLPMessages.traceRequest(spans: [OTLPMessages.span(1), OTLPMessages.span(2, parent: false)])
        let export = try OTLPRequestDecoder.decode(request.wire, kind: .traces, encoding: .protobuf)
        #expect(export.records == 2 && export.rejected == 0 && export.rejectionMessage == "")
        // The records replay as `ingest` reads the same bytes from a file.
        let replayed = CollectingSink()
        try export.replay(into: replayed)
        let (file, _) = try collectProtobuf(request.wire)
        #expect(replayed.spans == file.spans && replayed.resources == file.resources)
    }

    @Test func aJSONLogsRequestDecodes() throws {
        let json = try OTLPMessages.logsRequest([OTLPMessages.logRecord(1), OTLPMessages.logRecord(2)]).jsonString()
        let export = try OTLPRequestDecoder.decode(Array(json.utf8), kind: .logs, encoding: .json)
        #expect(export.records == 2 && export.kind == .logs)
    }

    @Test func gzipIsUndone() throws {
        let request = OTLPMessages.traceRequest(spans: [OTLPMessages.span(1)])
        let export = try OTLPRequestDecoder.decode(try gzipped(request.wire), kind: .traces, encoding: .protobuf, gzip: true)
        #expect(export.records == 1)
    }

    @Test func aBodyThatIsNotGzipIsRefused() {
        #expect(throws: OTLPRequestError.undecodable("Content-Encoding is gzip but the body is not gzip data (no gzip header)")) {
            try OTLPRequestDecoder.decode(Array("plain".utf8), kind: .traces, encoding: .protobuf, gzip: true)
        }
    }

    @Test func aGzipBombStopsAtTheLimit() throws {
        // 16 MiB of zeros compress to ~16 KB; the limit is 1 MiB.
        let bomb = try gzipped([UInt8](repeating: 0, count: 16 << 20))
        #expect(bomb.count < 64 * 1024)
        #expect(throws: OTLPRequestError.tooLarge(limit: 1 << 20)) {
            try OTLPRequestDecoder.decode(bomb, kind: .traces, encoding: .protobuf, gzip: true, maxDecodedBytes: 1 << 20)
        }
    }

    @Test func aTruncatedProtobufBodyIsRefusedWhole() throws {
        let wire = OTLPMessages.traceRequest(spans: [OTLPMessages.span(1), OTLPMessages.span(2)]).wire
        let result = Result { () throws(OTLPRequestError) -> DecodedExport in
            try OTLPRequestDecoder.decode(Array(wire.dropLast(7)), kind: .traces, encoding: .protobuf)
        }
        guard case let .failure(error) = result else {
            Issue.record("a truncated body was accepted")
            return
        }
        #expect(error.description.hasPrefix("at byte "))
    }

    @Test(arguments: [#"{"hello": "world"}"#, #"[1, 2]"#, #"{"resourceSpans": [{"#, "", "not json"])
    func jsonThatIsNotOTLPIsRefusedWhole(body: String) {
        #expect(throws: OTLPRequestError.self) {
            try OTLPRequestDecoder.decode(Array(body.utf8), kind: .traces, encoding: .json)
        }
    }

    @Test func anEmptyRequestIsAnEmptyExport() throws {
        #expect(try OTLPRequestDecoder.decode([], kind: .traces, encoding: .protobuf).records == 0)
        let json = try OTLPRequestDecoder.decode(Array(#"{"resourceSpans": []}"#.utf8), kind: .traces, encoding: .json)
        #expect(json.records == 0 && json.rejected == 0)
    }

    @Test func invalidTraceIDsAreRejectedOneByOne() throws {
        var bad = OTLPMessages.span(2)
        bad.traceID = Data([1, 2, 3])
        var zero = OTLPMessages.span(3)
        zero.traceID = Data(count: 16)
        let request = OTLPMessages.traceRequest(spans: [OTLPMessages.span(1), bad, zero, OTLPMessages.span(4)])
        let export = try OTLPRequestDecoder.decode(request.wire, kind: .traces, encoding: .protobuf)
        #expect(export.records == 2 && export.rejected == 2)
        #expect(export.rejectionMessage.hasPrefix("2 spans rejected: at byte "))
        #expect(export.rejections.count == 2)

        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"0000000000000001","name":"a"},"#
            + #"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000002","name":"b"}]}]}]}"#
        let fromJSON = try OTLPRequestDecoder.decode(Array(json.utf8), kind: .traces, encoding: .json)
        #expect(fromJSON.records == 1 && fromJSON.rejected == 1)
        #expect(fromJSON.rejectionMessage.hasPrefix("1 span rejected: at line 1, column "))
    }

    @Test func logsSentToTheTracesEndpointAreRefused() throws {
        let json = try OTLPMessages.logsRequest().jsonString()
        #expect(throws: OTLPRequestError.self) {
            try OTLPRequestDecoder.decode(Array(json.utf8), kind: .traces, encoding: .json)
        }
    }

    @Test func aBodyOverTheLimitIsRefused() {
        let wire = OTLPMessages.traceRequest(spans: (1...50).map { OTLPMessages.span($0) }).wire
        #expect(throws: OTLPRequestError.tooLarge(limit: 1000)) {
            try OTLPRequestDecoder.decode(wire, kind: .traces, encoding: .protobuf, maxDecodedBytes: 1000)
        }
    }
}
