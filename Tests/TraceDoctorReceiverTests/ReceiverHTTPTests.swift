// OTLP/HTTP over loopback: what is stored, how each bad request is answered, and that the
// server still serves after every one.

import Foundation
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf
import Testing
import TraceDoctorCore

@testable import TraceDoctorReceiver

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct ReceiverHTTPTests {
    @Test func anAcknowledgedRequestIsInTheDatabase() async throws {
        let folder = TemporaryFolder()
        let db = folder.path + "/t.db"
        let (receiver, endpoints) = try await startReceiver(database: db, grpc: false)
        let port = try #require(endpoints.http?.port)
        let answer = try await RawHTTP.request(port: port, body: Requests.traces(0..<5).wire)
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "application/x-protobuf")
        let response = try TraceResponse(serializedBytes: answer.body)
        #expect(!response.hasPartialSuccess)
        // Committed before the answer: a second connection sees the spans while the receiver runs.
        #expect(try storedSpanIDs(db) == Set((0..<5).map(Requests.spanID)))

        let logs = try await RawHTTP.request(port: port, path: "/v1/logs", encoding: "gzip", body: try await gzippedAsync(Requests.logs(3).wire))
        #expect(logs.status == 200)
        let status = await receiver.stop()
        #expect(status.spans == 5 && status.logs == 3 && status.requests == 2)
    }

    @Test func receivedLogEventsBecomeLogIntervalsAcrossRequests() async throws {
        let folder = TemporaryFolder()
        let db = folder.path + "/t.db"
        let (receiver, endpoints) = try await startReceiver(database: db, grpc: false)
        let port = try #require(endpoints.http?.port)
        // A workflow's start in one request, its node and its end in the next two: the start
        // waits as a loose end until its end arrives, as across two ingested files.
        let first = Requests.events([
            (event: "workflow_start", atMs: 0, attributes: ["execution_id": "exec-1"]),
            (event: "node_start", atMs: 10, attributes: ["execution_id": "exec-1", "node_id": "llm-1"]),
        ])
        #expect(try await RawHTTP.request(port: port, path: "/v1/logs", body: first.wire).status == 200)
        #expect(
            try storedRows(db, "SELECT kind, name FROM log_intervals ORDER BY id")
                == ["unfinished|workflow", "unfinished|node"])
        let second = Requests.events([
            (event: "node_complete", atMs: 250, attributes: ["execution_id": "exec-1", "node_id": "llm-1"]),
            (event: "cache_refresh", atMs: 300, attributes: ["took": "40"]),
        ])
        #expect(try await RawHTTP.request(port: port, path: "/v1/logs", body: second.wire).status == 200)
        let third = Requests.events([(event: "workflow_end", atMs: 400, attributes: ["execution_id": "exec-1"])])
        #expect(try await RawHTTP.request(port: port, path: "/v1/logs", body: third.wire).status == 200)
        let status = await receiver.stop()
        #expect(status.logs == 5)
        #expect(
            try storedRows(db, "SELECT kind, name, service, (end_ns - start_ns) / 1000000 FROM log_intervals ORDER BY start_ns")
                == ["pair|workflow|worker|400", "pair|node|worker|240", "duration|cache_refresh|worker|40"])
    }

    /// `receive --interval-rules`: the received lines are paired by the rules given, not the defaults.
    @Test func receivedLogIntervalsFollowTheRulesGiven() async throws {
        let folder = TemporaryFolder()
        let db = folder.path + "/t.db"
        // Only `_done` ends an interval, and `run_id` pairs them.
        let rules = try LogIntervalRules.parse(
            yaml: "version: 1\nend_suffixes:\n  _done: done\nkeys: [run_id]\n", path: "rules.yml")
        let (receiver, endpoints) = try await startReceiver(database: db, grpc: false) { $0.intervalRules = rules }
        let port = try #require(endpoints.http?.port)
        let events = Requests.events([
            (event: "step_start", atMs: 0, attributes: ["run_id": "r-1"]),
            (event: "step_complete", atMs: 100, attributes: ["run_id": "r-1"]),
            (event: "step_done", atMs: 200, attributes: ["run_id": "r-1"]),
        ])
        #expect(try await RawHTTP.request(port: port, path: "/v1/logs", body: events.wire).status == 200)
        _ = await receiver.stop()
        #expect(
            try storedRows(db, "SELECT kind, label, (end_ns - start_ns) / 1000000 FROM log_intervals ORDER BY id")
                == ["pair|step r-1 done|200"])
    }

    @Test func protobufJSONAndGzipAreAllStored() async throws {
        let folder = TemporaryFolder()
        let db = folder.path + "/t.db"
        let (receiver, endpoints) = try await startReceiver(database: db, grpc: false)
        let port = try #require(endpoints.http?.port)
        // OTLP/JSON carries hex IDs: write them as the spec says.
        let otlpJSON = Self.otlpJSON(ids: 10..<12)
        let jsonAnswer = try await RawHTTP.request(port: port, contentType: "application/json; charset=utf-8", body: Array(otlpJSON.utf8))
        #expect(jsonAnswer.status == 200 && jsonAnswer.text == "{}")
        #expect(jsonAnswer.headers["content-type"] == "application/json")
        let gz = try await RawHTTP.request(port: port, encoding: "gzip", body: try await gzippedAsync(Requests.traces(20..<23).wire))
        #expect(gz.status == 200)
        let logs = try await RawHTTP.request(port: port, path: "/v1/logs", body: Requests.logs(4).wire)
        #expect(logs.status == 200)
        let status = await receiver.stop()
        #expect(status.spans == 5 && status.logs == 4)
        #expect(try storedSpanIDs(db) == Set([10, 11, 20, 21, 22].map(Requests.spanID)))
    }

    static func otlpJSON(ids: Range<Int>) -> String {
        let spans = ids.map { n in
            #"{"traceId":"\#(Requests.traceID(n))","spanId":"\#(Requests.spanID(n))","name":"op-\#(n)","kind":2,"#
                + #""startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000000000500"}"#
        }
        return #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"#
            + #""scopeSpans":[{"scope":{"name":"test"},"spans":[\#(spans.joined(separator: ","))]}]}]}"#
    }

    @Test func badRequestsAreAnsweredAndTheServerKeepsServing() async throws {
        let folder = TemporaryFolder()
        let db = folder.path + "/t.db"
        let (receiver, endpoints) = try await startReceiver(database: db, grpc: false) { $0.maxHTTPBodyBytes = 64 * 1024 }
        let port = try #require(endpoints.http?.port)
        var next = 100
        /// A good request after each bad one: still served and stored.
        func stillServing() async throws {
            let answer = try await RawHTTP.request(port: port, body: Requests.traces(next..<next + 1).wire)
            #expect(answer.status == 200)
            next += 1
        }
        let good = Requests.traces(0..<3).wire

        // Truncated protobuf: 400 with a google.rpc.Status saying where.
        let truncated = try await RawHTTP.request(port: port, body: Array(good.dropLast(5)))
        #expect(truncated.status == 400)
        let status = try GoogleRPCStatus(serializedBytes: truncated.body)
        #expect(status.code == .invalidArgument && status.message.contains("not an OTLP export request"))
        try await stillServing()

        // JSON that is not OTLP: 400 with a JSON Status.
        let notOTLP = try await RawHTTP.request(port: port, contentType: "application/json", body: Array(#"{"hello":"world"}"#.utf8))
        #expect(notOTLP.status == 400 && notOTLP.text.hasPrefix(#"{"code":3,"message":"#))
        try await stillServing()

        // Wrong content type: 415.
        let wrongType = try await RawHTTP.request(port: port, contentType: "text/plain", body: good)
        #expect(wrongType.status == 415 && wrongType.text.contains("application/x-protobuf"))
        let noType = try await RawHTTP.request(port: port, contentType: nil, body: good)
        #expect(noType.status == 415)
        try await stillServing()

        // A gzip body that is not gzip: 400.
        let notGzip = try await RawHTTP.request(port: port, encoding: "gzip", body: good)
        #expect(notGzip.status == 400)
        #expect(try GoogleRPCStatus(serializedBytes: notGzip.body).message.contains("not gzip"))
        let unknownEncoding = try await RawHTTP.request(port: port, encoding: "br", body: good)
        #expect(unknownEncoding.status == 415)
        try await stillServing()

        // A gzip bomb: 8 MiB of zeros in ~8 KB, limit 64 KiB decompressed: 413.
        let bomb = try await gzippedAsync([UInt8](repeating: 0, count: 8 << 20))
        #expect(bomb.count < 64 * 1024)
        let bombAnswer = try await RawHTTP.request(port: port, encoding: "gzip", body: bomb)
        #expect(bombAnswer.status == 413)
        try await stillServing()

        // A body over the limit (declared): 413 before reading it.
        let big = Requests.traces(0..<2000).wire
        #expect(big.count > 64 * 1024)
        let tooBig = try await RawHTTP.request(port: port, body: big)
        #expect(tooBig.status == 413)
        #expect(try GoogleRPCStatus(serializedBytes: tooBig.body).code == .resourceExhausted)
        // … and over the limit without a Content-Length (chunked).
        let chunked = try await offPool {
            let fd = try RawHTTP.connect(port: port)
            defer { close(fd) }
            RawHTTP.send(fd, RawHTTP.head(path: "/v1/traces", contentLength: nil, extra: ["Transfer-Encoding: chunked"]))
            RawHTTP.send(fd, Array((String(big.count, radix: 16) + "\r\n").utf8) + big + Array("\r\n0\r\n\r\n".utf8))
            return try RawHTTP.readAnswer(fd)
        }
        #expect(chunked.status == 413)
        try await stillServing()

        // A declared Content-Length larger than the body, then the client half-closes.
        let shortAnswer = try await offPool {
            let short = try RawHTTP.connect(port: port)
            defer { close(short) }
            RawHTTP.send(short, RawHTTP.head(path: "/v1/traces", contentLength: good.count + 100) + good)
            shutdown(short, Int32(SHUT_WR))
            return try? RawHTTP.readAnswer(short)
        }
        if let shortAnswer { #expect(shortAnswer.status == 400) }
        try await stillServing()

        // A client that stops mid-body and goes away.
        try await offPool {
            let gone = try RawHTTP.connect(port: port)
            RawHTTP.send(gone, RawHTTP.head(path: "/v1/traces", contentLength: good.count) + Array(good.prefix(10)))
            close(gone)
        }
        try await stillServing()

        // Other paths and methods: 404 and 405.
        #expect(try await RawHTTP.request(port: port, path: "/v1/spans", body: good).status == 404)
        let get = try await RawHTTP.request(port: port, "GET", body: [])
        #expect(get.status == 405 && get.headers["allow"] == "POST")
        try await stillServing()

        // Invalid trace IDs: 200 with partial_success naming the rejected spans.
        var request = Requests.traces(200..<204)
        request.resourceSpans[0].scopeSpans[0].spans[1].traceID = Data([1, 2, 3])
        request.resourceSpans[0].scopeSpans[0].spans[3].traceID = Data(count: 16)
        let partial = try await RawHTTP.request(port: port, body: request.wire)
        #expect(partial.status == 200)
        let response = try TraceResponse(serializedBytes: partial.body)
        #expect(response.partialSuccess.rejectedSpans == 2)
        #expect(response.partialSuccess.errorMessage.hasPrefix("2 spans rejected: at byte "))
        #expect(response.partialSuccess.errorMessage.contains("trace_id"))

        // The same in OTLP/JSON: partialSuccess in JSON, int64 as a string.
        let badJSON = Self.otlpJSON(ids: 300..<302).replacingOccurrences(of: Requests.traceID(301), with: "not-hex")
        let partialJSON = try await RawHTTP.request(port: port, contentType: "application/json", body: Array(badJSON.utf8))
        #expect(partialJSON.status == 200)
        #expect(partialJSON.text.hasPrefix(#"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"1 span rejected: at line 1, column "#))

        // Metrics: 200, not stored, said so (an SDK does not retry it).
        let metrics = try await RawHTTP.request(port: port, path: "/v1/metrics", body: [0x0A, 0x00])
        #expect(metrics.status == 200)
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("metrics were not stored"))
        try await stillServing()

        let final = await receiver.stop()
        #expect(final.spans == (next - 100) + 3)
        var expected = Set((100..<next).map(Requests.spanID))
        expected.insert(Requests.spanID(300))
        expected.insert(Requests.spanID(200))
        expected.insert(Requests.spanID(202))
        #expect(try storedSpanIDs(db) == expected)
    }

    @Test func whenTheStoreIsBehindExportersAreToldToRetry() async throws {
        let folder = TemporaryFolder()
        let db = folder.path + "/t.db"
        // At most 10 records may wait: the second of two concurrent requests of 10 is refused
        // while the first one commits (unless it commits first; then both pass).
        let (receiver, endpoints) = try await startReceiver(database: db, grpc: false) { $0.maxPendingRecords = 10 }
        let port = try #require(endpoints.http?.port)
        var sawRetry = false
        for round in 0..<20 where !sawRetry {
            let answers = try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                for i in 0..<4 {
                    let start = 1000 + round * 100 + i * 10
                    group.addTask { try await RawHTTP.request(port: port, body: Requests.traces(start..<start + 10).wire) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for answer in answers where answer.status == 503 {
                sawRetry = true
                #expect(answer.headers["retry-after"] == "1")
                let status = try GoogleRPCStatus(serializedBytes: answer.body)
                #expect(status.code == .unavailable && status.details.contains { $0.retryInfo != nil })
            }
            #expect(answers.allSatisfy { $0.status == 200 || $0.status == 503 })
        }
        #expect(sawRetry)
        _ = await receiver.stop()
    }
}
