// Helpers for the receiver's tests: a receiver on free loopback ports over a temporary
// database, a raw HTTP/1.1 client (to send what no well-behaved client sends), OTLP requests.

import Foundation
import SwiftProtobuf
import TraceDoctorCore

@testable import TraceDoctorReceiver

#if canImport(Glibc)
import Glibc
#endif

/// A temporary folder, removed when dropped.
final class TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "tracedoctor-receiver-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Starts a receiver on free loopback ports.
func startReceiver(database: String, grpc: Bool = true, configure: (inout ReceiverOptions) -> Void = { _ in })
    async throws -> (Receiver, ReceiverEndpoints)
{
    var options = ReceiverOptions(
        databasePath: database, http: ListenAddress(host: "127.0.0.1", port: 0),
        grpc: grpc ? ListenAddress(host: "127.0.0.1", port: 0) : nil)
    configure(&options)
    let receiver = try Receiver(options: options)
    let endpoints = try await receiver.start()
    return (receiver, endpoints)
}

struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

enum RawHTTP {
    /// A connected socket to 127.0.0.1:`port` with a 20 s receive timeout.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    static func head(
        _ method: String = "POST", path: String, contentType: String? = "application/x-protobuf", encoding: String? = nil,
        contentLength: Int?, extra: [String] = []
    ) -> [UInt8] {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1"]
        if let contentType { lines.append("Content-Type: \(contentType)") }
        if let encoding { lines.append("Content-Encoding: \(encoding)") }
        if let contentLength { lines.append("Content-Length: \(contentLength)") }
        lines += extra
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Reads one response (headers, then Content-Length bytes of body, or to the end).
    static func readAnswer(_ fd: Int32) throws -> HTTPAnswer {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        func more() -> Bool {
            let n = buffer.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress!, 65536, 0) }
            if n <= 0 { return false }
            data.append(contentsOf: buffer[0..<n])
            return true
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if let range = data.firstRange(of: separator) {
                headerEnd = range.upperBound
                break
            }
            guard more() else { throw POSIXError(.ECONNRESET) }
        }
        let headText = String(decoding: data[..<headerEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        let status = Int(statusLine[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            while data.count - headerEnd! < length { guard more() else { break } }
            return HTTPAnswer(status: status, headers: headers, body: Array(data[headerEnd!..<min(data.count, headerEnd! + length)]))
        }
        while more() {}
        return HTTPAnswer(status: status, headers: headers, body: Array(data[headerEnd!...]))
    }

    /// One request on a new connection (on a thread of its own: see `offPool`).
    static func request(
        port: Int, _ method: String = "POST", path: String = "/v1/traces", contentType: String? = "application/x-protobuf",
        encoding: String? = nil, body: [UInt8]
    ) async throws -> HTTPAnswer {
        try await offPool {
            let fd = try connect(port: port)
            defer { close(fd) }
            send(fd, head(method, path: path, contentType: contentType, encoding: encoding, contentLength: body.count) + body)
            return try readAnswer(fd)
        }
    }
}

typealias TraceRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
typealias TraceResponse = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
typealias LogsRequest = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest

enum Requests {
    static func hex(_ text: String) -> Data {
        var out = Data()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            out.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    static func traceID(_ n: Int) -> String { String(format: "%032x", n + 1) }
    static func spanID(_ n: Int) -> String { String(format: "%016x", n + 1) }

    /// A request with spans `ids` (each its own trace, a root), for service `service`.
    static func traces(_ ids: Range<Int>, service: String = "svc") -> TraceRequest {
        var scopeSpans = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scopeSpans.scope.name = "test"
        scopeSpans.spans = ids.map { n in
            var span = Opentelemetry_Proto_Trace_V1_Span()
            span.traceID = hex(traceID(n))
            span.spanID = hex(spanID(n))
            span.name = "op-\(n)"
            span.kind = .server
            span.startTimeUnixNano = 1_700_000_000_000_000_000 + UInt64(n) * 1000
            span.endTimeUnixNano = span.startTimeUnixNano + 500
            return span
        }
        var resourceSpans = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        var name = Opentelemetry_Proto_Common_V1_KeyValue()
        name.key = "service.name"
        name.value.stringValue = service
        resourceSpans.resource.attributes = [name]
        resourceSpans.scopeSpans = [scopeSpans]
        var request = TraceRequest()
        request.resourceSpans = [resourceSpans]
        return request
    }

    static func logs(_ count: Int) -> LogsRequest {
        var scopeLogs = Opentelemetry_Proto_Logs_V1_ScopeLogs()
        scopeLogs.logRecords = (0..<count).map { n in
            var log = Opentelemetry_Proto_Logs_V1_LogRecord()
            log.timeUnixNano = 1_700_000_000_000_000_000 + UInt64(n)
            log.body.stringValue = "line \(n)"
            log.traceID = hex(traceID(n))
            log.spanID = hex(spanID(n))
            return log
        }
        var resourceLogs = Opentelemetry_Proto_Logs_V1_ResourceLogs()
        resourceLogs.scopeLogs = [scopeLogs]
        var request = LogsRequest()
        request.resourceLogs = [resourceLogs]
        return request
    }
}

extension Requests {
    /// Log events of a worker (no trace ID), each `(event, seconds after the base time, attributes)`.
    static func events(_ lines: [(event: String, atMs: UInt64, attributes: [String: String])]) -> LogsRequest {
        var scopeLogs = Opentelemetry_Proto_Logs_V1_ScopeLogs()
        scopeLogs.logRecords = lines.map { line in
            var log = Opentelemetry_Proto_Logs_V1_LogRecord()
            log.timeUnixNano = 1_700_000_000_000_000_000 + line.atMs * 1_000_000
            log.body.stringValue = line.event
            var event = Opentelemetry_Proto_Common_V1_KeyValue()
            event.key = "event"
            event.value.stringValue = line.event
            log.attributes = [event]
            for (key, value) in line.attributes.sorted(by: { $0.key < $1.key }) {
                var attribute = Opentelemetry_Proto_Common_V1_KeyValue()
                attribute.key = key
                attribute.value.stringValue = value
                log.attributes.append(attribute)
            }
            return log
        }
        var resourceLogs = Opentelemetry_Proto_Logs_V1_ResourceLogs()
        var name = Opentelemetry_Proto_Common_V1_KeyValue()
        name.key = "service.name"
        name.value.stringValue = "worker"
        resourceLogs.resource.attributes = [name]
        resourceLogs.scopeLogs = [scopeLogs]
        var request = LogsRequest()
        request.resourceLogs = [resourceLogs]
        return request
    }
}

/// Rows of `sql` on the database at `path`, each as its columns joined by `|`.
func storedRows(_ path: String, _ sql: String) throws -> [String] {
    let query = try ReadOnlyQuery(path: path)
    var rows: [String] = []
    try query.run(sql, columns: { _ in }) { row in
        rows.append(
            row.map { value -> String in
                switch value {
                case .null: "NULL"
                case let .integer(n): String(n)
                case let .real(d): String(d)
                case let .text(t): t
                case .blob: "blob"
                }
            }.joined(separator: "|"))
    }
    return rows
}

extension SwiftProtobuf.Message {
    var wire: [UInt8] { (try? serializedBytes()) ?? [] }
}

/// The span IDs stored in the database at `path` (read with the store's own queries).
func storedSpanIDs(_ path: String) throws -> Set<String> {
    let query = try ReadOnlyQuery(path: path)
    var ids = Set<String>()
    try query.run("SELECT span_id FROM spans", columns: { _ in }) { row in
        if case let .text(id) = row[0] { ids.insert(id) }
    }
    return ids
}

/// Runs blocking work (sockets, processes) on a thread of its own. The receiver under test
/// answers on Swift's cooperative thread pool (2 threads on a 2-core machine): a test blocking
/// those threads in recv() would keep it from answering.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// gzip(1) of `bytes`, off the cooperative pool.
func gzippedAsync(_ bytes: [UInt8]) async throws -> [UInt8] {
    try await offPool { try gzipped(bytes) }
}

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
