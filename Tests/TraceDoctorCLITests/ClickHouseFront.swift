// ClickHouse for the tests of `--source clickhouse://…`: chDB (ClickHouse 26.9 in process, from
// PyPI, in the cached venv of tests/realsdk) behind tests/clickhouse/chdb_front.py, which speaks the
// part of ClickHouse's HTTP interface tracedoctor uses. The exporter's tables (its own DDL) are
// filled from the demo fixture and the real-SDK scenarios, converted to exporter rows the way the
// exporter maps OTLP; every other trace uses the older enum spellings (SPAN_KIND_*, STATUS_CODE_*).

import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

enum ClickHouseFront {
    /// The password of the user the servers accept (given to tracedoctor in $CLICKHOUSE_PASSWORD).
    static let user = "tracedoctor"
    static let password = "ch-s3cret-pw"
    /// Databases loaded: `demo` (fixtures/demo) and one per real-SDK scenario.
    static let scenarios = ["healthy", "broken", "propagated", "unpropagated", "uninjected", "queue", "links", "celery"]

    struct Servers {
        /// The data root: the SQLite databases of the same inputs live here too.
        var directory: String
        var port: Int
        /// A server over the demo data that limits each query to 1000 bytes of memory.
        var tightPort: Int
        var loadLog: String
    }

    static let servers: Result<Servers, RealSDK.CaptureFailure> = {
        do {
            return .success(try start())
        } catch let failure as RealSDK.CaptureFailure {
            return .failure(failure)
        } catch {
            return .failure(RealSDK.CaptureFailure(message: "\(error)"))
        }
    }()

    /// The files of each database.
    static func inputs(_ database: String) throws -> [String] {
        if database == "demo" {
            return [CLI.fixtures + "/demo/traces.otlp.jsonl", CLI.fixtures + "/demo-collector-copy/logs.otlp.json"]
        }
        if database == MostlyHealthy.database { return try MostlyHealthy.files.get() }
        let dir = try RealSDK.scenario(database)
        return [dir + "/traces.otlp.json", dir + "/logs.otlp.json"]
    }

    private static func start() throws -> Servers {
        let venv = try output(CLI.root + "/tests/realsdk/setup-venv.sh", [])
            .split(separator: "\n").last.map(String.init) ?? ""
        let python = venv + "/bin/python"
        let front = CLI.root + "/tests/clickhouse/chdb_front.py"
        let dir = NSTemporaryDirectory() + "tracedoctor-clickhouse-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var specs: [String] = []
        for database in ["demo"] + scenarios + [MostlyHealthy.database] {
            specs.append(database + "=" + (try inputs(database)).joined(separator: ","))
        }
        let loadLog = try output(
            python,
            [
                front, "load", "--path", dir + "/chdb", "--legacy-enums",
                "--sql", "CREATE TABLE demo.other_schema (Timestamp DateTime, TraceId String, Name String) "
                    + "ENGINE = MergeTree ORDER BY TraceId",
            ] + specs)
        _ = try output(python, [front, "load", "--path", dir + "/chdb-tight", specs[0]])
        let port = try serve(python, [front, "serve", "--path", dir + "/chdb", "--user", user, "--password", password])
        let tight = try serve(
            python,
            [front, "serve", "--path", dir + "/chdb-tight", "--user", user, "--password", password, "--max-memory-usage", "1000"])
        return Servers(directory: dir, port: port, tightPort: tight, loadLog: loadLog)
    }

    /// An HTTPS front over the demo data with a self-signed certificate made now (openssl), and
    /// another self-signed certificate that did not sign it.
    struct TLSServer {
        var port: Int
        var certificate: String
        var otherCertificate: String
    }

    static let tlsServer: Result<TLSServer, RealSDK.CaptureFailure> = {
        do {
            let dir = try servers.get().directory + "/tls"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for name in ["server", "other"] {
                _ = try output(
                    "/usr/bin/openssl",
                    [
                        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/\(name)-key.pem", "-out",
                        "\(dir)/\(name).pem", "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    ])
            }
            let venv = try output(CLI.root + "/tests/realsdk/setup-venv.sh", []).split(separator: "\n").last.map(String.init) ?? ""
            let python = venv + "/bin/python"
            let front = CLI.root + "/tests/clickhouse/chdb_front.py"
            _ = try output(python, [front, "load", "--path", dir + "/chdb", "demo=" + (try inputs("demo")).joined(separator: ",")])
            let port = try serve(
                python,
                [
                    front, "serve", "--path", dir + "/chdb", "--user", user, "--password", password, "--tls-cert",
                    dir + "/server.pem", "--tls-key", dir + "/server-key.pem",
                ])
            return .success(TLSServer(port: port, certificate: dir + "/server.pem", otherCertificate: dir + "/other.pem"))
        } catch let failure as RealSDK.CaptureFailure {
            return .failure(failure)
        } catch {
            return .failure(RealSDK.CaptureFailure(message: "cannot start the HTTPS front: \(error)"))
        }
    }()

    /// A front over the demo data that answers as for a user whose profile has readonly=1: a
    /// setting on the URL (enable_http_compression) is refused with code 164. Its port.
    static let readonlyServer: Result<Int, RealSDK.CaptureFailure> = {
        do {
            let dir = try servers.get().directory + "/readonly"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let venv = try output(CLI.root + "/tests/realsdk/setup-venv.sh", []).split(separator: "\n").last.map(String.init) ?? ""
            let python = venv + "/bin/python"
            let front = CLI.root + "/tests/clickhouse/chdb_front.py"
            _ = try output(python, [front, "load", "--path", dir + "/chdb", "demo=" + (try inputs("demo")).joined(separator: ",")])
            return .success(
                try serve(python, [front, "serve", "--path", dir + "/chdb", "--user", user, "--password", password, "--readonly"]))
        } catch let failure as RealSDK.CaptureFailure {
            return .failure(failure)
        } catch {
            return .failure(RealSDK.CaptureFailure(message: "cannot start the readonly front: \(error)"))
        }
    }()

    /// A front whose clickhouse-local configuration names a cluster of one shard, this process
    /// (chDB runs no server, so no shard can be another one); the demo data loaded, and Distributed
    /// tables `otel_traces_dist` and `otel_logs_dist` over the exporter's tables, sharded by
    /// `cityHash64(TraceId)` as the exporter's cluster setup shards them. Its port.
    static let distributedServer: Result<Int, RealSDK.CaptureFailure> = {
        do {
            let dir = try servers.get().directory + "/distributed"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let config = dir + "/cluster.xml"
            try Data(
                """
                <clickhouse>
                  <tcp_port>9000</tcp_port>
                  <remote_servers>
                    <tracedoctor_local>
                      <shard><replica><host>127.0.0.1</host><port>9000</port></replica></shard>
                    </tracedoctor_local>
                  </remote_servers>
                </clickhouse>

                """.utf8
            ).write(to: URL(fileURLWithPath: config))
            let venv = try output(CLI.root + "/tests/realsdk/setup-venv.sh", []).split(separator: "\n").last.map(String.init) ?? ""
            let python = venv + "/bin/python"
            let front = CLI.root + "/tests/clickhouse/chdb_front.py"
            var sql: [String] = []
            for table in ["otel_traces", "otel_logs"] {
                sql += [
                    "--sql",
                    "CREATE TABLE demo.\(table)_dist AS demo.\(table) "
                        + "ENGINE = Distributed('tracedoctor_local', 'demo', '\(table)', cityHash64(TraceId))",
                ]
            }
            _ = try output(
                python,
                [front, "load", "--path", dir + "/chdb", "--config-file", config, "--legacy-enums"] + sql
                    + ["demo=" + (try inputs("demo")).joined(separator: ",")])
            return .success(
                try serve(
                    python,
                    [front, "serve", "--path", dir + "/chdb", "--config-file", config, "--user", user, "--password", password]))
        } catch let failure as RealSDK.CaptureFailure {
            return .failure(failure)
        } catch {
            return .failure(RealSDK.CaptureFailure(message: "cannot start the front with a Distributed table: \(error)"))
        }
    }()

    /// One query to a front on 127.0.0.1 (as the test user); the body of the reply.
    static func query(port: Int, _ sql: String) throws -> String {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/")!)
        request.httpMethod = "POST"
        request.httpBody = Data(sql.utf8)
        request.setValue(user, forHTTPHeaderField: "X-ClickHouse-User")
        request.setValue(password, forHTTPHeaderField: "X-ClickHouse-Key")
        let box = DataBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, _ in
            box.data = data ?? Data()
            done.signal()
        }.resume()
        done.wait()
        return String(decoding: box.data, as: UTF8.self)
    }

    /// Runs a command to its end; its stdout, or a failure with its output.
    private static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errData = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        guard process.terminationStatus == 0 else {
            throw RealSDK.CaptureFailure(
                message: "\(executable) \(arguments.prefix(2).joined(separator: " ")) failed:\n"
                    + String(decoding: data + errData.data, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Starts a front that ends with this process (it exits when its stdin closes); its port.
    private static func serve(_ python: String, _ arguments: [String]) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments + ["--exit-with-stdin"]
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardInput = input
        process.standardError = FileHandle.standardError
        try process.run()
        keep.append(input)
        // The first line: "port N".
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line += byte
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)) else {
            throw RealSDK.CaptureFailure(message: "chdb_front.py serve did not start: '\(text)'")
        }
        return port
    }

    /// The servers' stdin pipes, open for as long as the tests run.
    nonisolated(unsafe) private static var keep: [Pipe] = []

    /// `clickhouse://tracedoctor@127.0.0.1:PORT/DATABASE`.
    static func url(_ database: String, port: Int? = nil) throws -> String {
        "clickhouse://\(user)@127.0.0.1:\(try port ?? servers.get().port)/\(database)"
    }

    /// A window holding every span of the fixtures.
    static let window = ["--since", "2020-01-01", "--until", "2100-01-01T00:00:00Z"]

    static var environment: [String: String] { ["CLICKHOUSE_PASSWORD": password] }

    /// The SQLite database of the same inputs (made once per database).
    static func sqlite(_ database: String) throws -> String {
        let path = try servers.get().directory + "/\(database).db"
        lock.lock()
        defer { lock.unlock() }
        if !FileManager.default.fileExists(atPath: path) {
            let run = try CLI.run(["ingest", "--db", path, "--quiet"] + (try inputs(database)))
            guard run.status == 0 else { throw RealSDK.CaptureFailure(message: "ingest failed: \(run.stderr)") }
        }
        return path
    }

    private static let lock = NSLock()
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// A capture where few traces are broken: `MostlyHealthy.healthy` healthy traces (frontend SERVER →
/// CLIENT → backend SERVER → INTERNAL, every child inside its parent, no hole above the thresholds)
/// running side by side, plus one trace each with a missing parent, a gap, a fragment (an INTERNAL
/// root of frontend starting inside a healthy trace) and a call whose callee started a trace of its
/// own; log lines with a trace ID, with an unknown one, and without one while frontend was busy.
enum MostlyHealthy {
    static let database = "mostlyhealthy"
    static let healthy = 400

    static let files: Result<[String], RealSDK.CaptureFailure> = {
        let dir = NSTemporaryDirectory() + "tracedoctor-mostlyhealthy-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let traces = dir + "/traces.otlp.json"
            let logs = dir + "/logs.otlp.json"
            try Data(spans().utf8).write(to: URL(fileURLWithPath: traces))
            try Data(logLines().utf8).write(to: URL(fileURLWithPath: logs))
            return .success([traces, logs])
        } catch {
            return .failure(RealSDK.CaptureFailure(message: "cannot write the mostly-healthy capture: \(error)"))
        }
    }()

    static let base: Int64 = 1_764_000_000_000_000_000
    static let ms: Int64 = 1_000_000

    static func traceID(_ n: Int) -> String { String(format: "%032x", 0x5eed_0000 + n) }
    static func spanID(_ n: Int, _ k: Int) -> String { String(format: "%08x%08x", 0x5eed_0000 + n, k) }

    struct Span {
        var service: String
        var trace: Int
        var id: Int
        var parent: String?
        var name: String
        var kind: Int
        var start: Int64
        var end: Int64
        var attributes: [String: String] = [:]
    }

    static func all() -> [Span] {
        var spans: [Span] = []
        for i in 0..<healthy {
            let t = base + Int64(i) * 50 * ms
            spans += [
                Span(service: "frontend", trace: i, id: 1, parent: nil, name: "GET /", kind: 2, start: t, end: t + 100 * ms),
                Span(
                    service: "frontend", trace: i, id: 2, parent: spanID(i, 1), name: "GET backend", kind: 3, start: t + 5 * ms,
                    end: t + 95 * ms, attributes: ["peer.service": "backend"]),
                Span(service: "backend", trace: i, id: 3, parent: spanID(i, 2), name: "GET backend", kind: 2, start: t + 10 * ms, end: t + 90 * ms),
                Span(service: "backend", trace: i, id: 4, parent: spanID(i, 3), name: "query", kind: 1, start: t + 12 * ms, end: t + 88 * ms),
            ]
        }
        let t = base + 5_000 * ms
        // A missing parent: the backend span's caller was not captured.
        spans += [
            Span(service: "frontend", trace: 9001, id: 1, parent: nil, name: "GET /cart", kind: 2, start: t, end: t + 100 * ms),
            Span(service: "backend", trace: 9001, id: 3, parent: spanID(9001, 2), name: "GET cart", kind: 2, start: t + 10 * ms, end: t + 90 * ms),
        ]
        // A gap: 200 ms of the root that no child covers.
        spans += [
            Span(service: "frontend", trace: 9002, id: 1, parent: nil, name: "GET /slow", kind: 2, start: t, end: t + 300 * ms),
            Span(service: "frontend", trace: 9002, id: 2, parent: spanID(9002, 1), name: "render", kind: 1, start: t + 250 * ms, end: t + 290 * ms),
        ]
        // A fragment: work frontend started without context inside healthy trace 100.
        let f = base + 100 * 50 * ms + 20 * ms
        spans += [
            Span(service: "frontend", trace: 9003, id: 1, parent: nil, name: "background refresh", kind: 1, start: f, end: f + 30 * ms)
        ]
        // An uninjected call: inventory's SERVER root starts inside a leaf CLIENT span of another trace.
        let u = base + 7_000 * ms
        spans += [
            Span(service: "checkout", trace: 9004, id: 1, parent: nil, name: "POST /order", kind: 2, start: u, end: u + 100 * ms),
            Span(
                service: "checkout", trace: 9004, id: 2, parent: spanID(9004, 1), name: "GET /stock", kind: 3, start: u + 5 * ms,
                end: u + 95 * ms, attributes: ["peer.service": "inventory"]),
            Span(service: "inventory", trace: 9005, id: 1, parent: nil, name: "GET /stock", kind: 2, start: u + 15 * ms, end: u + 85 * ms),
            Span(service: "inventory", trace: 9005, id: 2, parent: spanID(9005, 1), name: "lookup", kind: 1, start: u + 17 * ms, end: u + 83 * ms),
        ]
        return spans
    }

    static func attributes(_ values: [String: String]) -> String {
        "[" + values.sorted { $0.key < $1.key }.map { "{\"key\":\"\($0.key)\",\"value\":{\"stringValue\":\"\($0.value)\"}}" }
            .joined(separator: ",") + "]"
    }

    static func spans() -> String {
        var byService: [String: [String]] = [:]
        for s in all() {
            var fields = [
                "\"traceId\":\"\(traceID(s.trace))\"", "\"spanId\":\"\(spanID(s.trace, s.id))\"", "\"name\":\"\(s.name)\"",
                "\"kind\":\(s.kind)", "\"startTimeUnixNano\":\"\(s.start)\"", "\"endTimeUnixNano\":\"\(s.end)\"",
                "\"attributes\":\(attributes(s.attributes))",
            ]
            if let parent = s.parent { fields.append("\"parentSpanId\":\"\(parent)\"") }
            byService[s.service, default: []].append("{" + fields.joined(separator: ",") + "}")
        }
        let resources = byService.keys.sorted().map { service in
            "{\"resource\":{\"attributes\":\(attributes(["service.name": service, "host.name": service + "-1"]))},"
                + "\"scopeSpans\":[{\"scope\":{\"name\":\"generated\"},\"spans\":[" + byService[service]!.joined(separator: ",") + "]}]}"
        }
        return "{\"resourceSpans\":[" + resources.joined(separator: ",") + "]}\n"
    }

    static func logLines() -> String {
        func line(_ time: Int64, _ body: String, trace: String? = nil, span: String? = nil) -> String {
            var fields = ["\"timeUnixNano\":\"\(time)\"", "\"severityText\":\"INFO\"", "\"body\":{\"stringValue\":\"\(body)\"}"]
            if let trace { fields.append("\"traceId\":\"\(trace)\"") }
            if let span { fields.append("\"spanId\":\"\(span)\"") }
            return "{" + fields.joined(separator: ",") + "}"
        }
        let records = [
            line(base + 1 * ms, "handled", trace: traceID(0), span: spanID(0, 1)),
            line(base + 2 * ms, "from nowhere", trace: String(format: "%032x", 0xdead)),
            line(base + 3 * ms, "no context while busy"),
            line(base - 60_000 * ms, "no context while idle"),
        ]
        return "{\"resourceLogs\":[{\"resource\":{\"attributes\":\(attributes(["service.name": "frontend"]))},"
            + "\"scopeLogs\":[{\"scope\":{\"name\":\"generated\"},\"logRecords\":[" + records.joined(separator: ",") + "]}]}]}\n"
    }
}
