// `tracedoctor receive` and `tracedoctor record` as processes: the real OpenTelemetry Python
// SDK exporting over OTLP/HTTP and OTLP/gRPC, stop on SIGTERM, SIGKILL under load, record end
// to end.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `tracedoctor` process running in the background.
final class Background: @unchecked Sendable {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private var outData = Data()
    private var errData = Data()
    private let group = DispatchGroup()

    init(_ args: [String], environment: [String: String] = [:], cwd: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "TRACEDOCTOR_DB")
        env.removeValue(forKey: "GITHUB_ACTIONS")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        group.enter()
        DispatchQueue.global().async { [self] in
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async { [self] in
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
    }

    /// Sends `signal` and waits for the process to end.
    func stop(_ signal: Int32 = SIGTERM) -> Run {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        group.wait()
        return Run(
            stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
            status: process.terminationStatus)
    }
}

enum Loopback {
    /// A port free right now on 127.0.0.1.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func connect(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            close(fd)
            return nil
        }
        return fd
    }

    /// Waits (up to 60 s) until something accepts connections on `port`.
    static func waitForListener(_ port: Int) -> Bool {
        for _ in 0..<600 {
            if let fd = connect(port) {
                close(fd)
                return true
            }
            usleep(100_000)
        }
        return false
    }

    /// POSTs `body` as OTLP/JSON to /v1/traces; the status code, or nil when the connection failed.
    static func postJSON(_ port: Int, _ body: String) -> Int? {
        guard let fd = connect(port) else { return nil }
        defer { close(fd) }
        let bytes = Array(body.utf8)
        let request = Array(
            "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n\r\n".utf8)
            + bytes
        var offset = 0
        while offset < request.count {
            let n = request.withUnsafeBufferPointer { send(fd, $0.baseAddress! + offset, request.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return nil }
            offset += n
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var data: [UInt8] = []
        while !data.contains(10) {
            let n = buffer.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress!, 4096, 0) }
            if n <= 0 { return nil }
            data += buffer[0..<n]
        }
        let line = String(decoding: data, as: UTF8.self).split(separator: " ")
        return line.count > 1 ? Int(line[1]) : nil
    }

    /// An OTLP/JSON request with spans `ids` (hex span IDs derived from the numbers).
    static func spans(_ ids: Range<Int>) -> String {
        let spans = ids.map { n in
            #"{"traceId":"\#(String(format: "%032x", n + 1))","spanId":"\#(String(format: "%016x", n + 1))","name":"op","#
                + #""kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000000000500"}"#
        }
        return #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"load"}}]},"#
            + #""scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#
    }
}

enum RealSDKVenv {
    /// The cached venv of tests/realsdk (made by setup-venv.sh), or why not.
    static let python: Result<String, RealSDK.CaptureFailure> = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.root + "/tests/realsdk/setup-venv.sh")
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        do { try process.run() } catch { return .failure(.init(message: "cannot run setup-venv.sh: \(error)")) }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let venv = String(decoding: data, as: UTF8.self).split(separator: "\n").last
        else { return .failure(.init(message: "setup-venv.sh failed")) }
        return .success(String(venv) + "/bin/python")
    }()

    static func run(_ args: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python.get())
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(stdout: "", stderr: String(decoding: data, as: UTF8.self), status: process.terminationStatus)
    }
}

@Suite(.serialized) struct ReceiveCLITests {
    /// The rows that say what a span or log is (not where it came from: source and row IDs differ).
    static let spanColumns =
        "SELECT trace_id, span_id, parent_span_id, name, kind, service, scope_name, scope_version, start_ns, end_ns, "
        + "status_code, status_message, flags, trace_state, attributes, events, links FROM spans ORDER BY trace_id, span_id"
    static let logColumns =
        "SELECT time_ns, observed_time_ns, severity_number, severity_text, body, trace_id, span_id, flags, service, "
        + "scope_name, attributes FROM logs ORDER BY time_ns, body, span_id"

    @Test(arguments: ["http/protobuf", "http/protobuf+gzip", "grpc", "grpc+gzip"])
    func theRealSDKExportsExactlyWhatItsFilesHold(protocolName: String) throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = Loopback.freePort()
        let grpc = protocolName.hasPrefix("grpc")
        let receiver = try Background([
            "receive", "--db", dir + "/received.db", "--http", grpc ? "off" : "127.0.0.1:\(port)",
            "--grpc", grpc ? "127.0.0.1:\(port)" : "off",
        ])
        #expect(Loopback.waitForListener(port))
        let scenarios = ["broken", "unpropagated", "uninjected"]
        let export = try RealSDKVenv.run(
            [CLI.root + "/tests/realsdk/export.py", dir + "/files", protocolName,
             grpc ? "127.0.0.1:\(port)" : "http://127.0.0.1:\(port)"] + scenarios)
        #expect(export.status == 0, "\(export.stderr)")
        let stopped = receiver.stop(SIGTERM)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("tracedoctor receive: stopped after"))

        // The same spans and logs, ingested from the files the scenarios wrote.
        var files: [String] = []
        for scenario in scenarios { files += [dir + "/files/\(scenario)/traces.pb", dir + "/files/\(scenario)/logs.pb"] }
        let ingest = try CLI.run(["ingest", "--db", dir + "/ingested.db"] + files)
        #expect(ingest.status == 0, "\(ingest.stderr)")

        let receivedSpans = try sqlite(dir + "/received.db", Self.spanColumns)
        #expect(receivedSpans.count > 50)
        #expect(receivedSpans == (try sqlite(dir + "/ingested.db", Self.spanColumns)))
        let receivedLogs = try sqlite(dir + "/received.db", Self.logColumns)
        #expect(!receivedLogs.isEmpty)
        #expect(receivedLogs == (try sqlite(dir + "/ingested.db", Self.logColumns)))
        // The diagnoses are those of the files.
        for command in [["orphans"], ["gaps"], ["check"], ["stats"]] {
            let fromReceive = try CLI.run(command + ["--db", dir + "/received.db", "--format", "json"])
            let fromFiles = try CLI.run(command + ["--db", dir + "/ingested.db", "--format", "json"])
            #expect(fromReceive.status == fromFiles.status)
            #expect(
                Self.withoutSources(fromReceive.stdout, dir) == Self.withoutSources(fromFiles.stdout, dir),
                "\(command[0]) differs")
        }
    }

    /// A report with the database path and source names blanked (they differ by design).
    static func withoutSources(_ text: String, _ dir: String) -> String {
        var t = text.replacingOccurrences(of: dir + "/received.db", with: "DB")
        t = t.replacingOccurrences(of: dir + "/ingested.db", with: "DB")
        t = t.replacingOccurrences(of: #""seconds" ?: ?[0-9.e-]+"#, with: "", options: .regularExpression)
        t = t.replacingOccurrences(of: #""sources" ?: ?[0-9]+"#, with: "", options: .regularExpression)
        return t
    }

    @Test func sigtermStopsWithASummaryAndExitZero() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = Loopback.freePort()
        let receiver = try Background(["receive", "--db", dir + "/t.db", "--http", "127.0.0.1:\(port)", "--grpc", "off"])
        #expect(Loopback.waitForListener(port))
        #expect(Loopback.postJSON(port, Loopback.spans(0..<3)) == 200)
        // Another command reads the database while receive runs (WAL).
        let traces = try CLI.run(["traces", "--db", dir + "/t.db"])
        #expect(traces.status == 0 && traces.stdout.contains("3 traces"))
        let run = receiver.stop(SIGTERM)
        #expect(run.status == 0)
        #expect(run.stderr.contains("receiving OTLP/HTTP on http://127.0.0.1:\(port) into \(dir)/t.db; Ctrl-C to stop"))
        #expect(run.stdout.contains("stored    3 spans in 3 traces, 0 logs"))
        #expect(Loopback.connect(port) == nil)
    }

    @Test func aTakenPortIsAnErrorNamingIt() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = Loopback.freePort()
        let first = try Background(["receive", "--db", dir + "/a.db", "--http", "127.0.0.1:\(port)", "--grpc", "off"])
        #expect(Loopback.waitForListener(port))
        let second = try CLI.run(["receive", "--db", dir + "/b.db", "--http", "127.0.0.1:\(port)", "--grpc", "off"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("cannot listen for OTLP/HTTP on 127.0.0.1:\(port)"))
        #expect(first.stop().status == 0)
        let usage = try CLI.run(["receive", "--http", "nope", "--grpc", "off"])
        #expect(usage.status == 64)
        // A bad rules file is refused before anything listens or runs, naming what is wrong.
        let bad = dir + "/bad.yml"
        try "durations:\n  duration: fortnights\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for command in [["receive", "--db", dir + "/c.db"], ["record", "--db", dir + "/d.db"]] {
            let refused = try CLI.run(command + ["--http", "127.0.0.1:\(port)", "--grpc", "off", "--interval-rules", bad] + (command[0] == "record" ? ["--", "true"] : []))
            #expect(refused.status == 2, "\(command[0]): \(refused.stderr)")
            #expect(refused.stderr.contains("fortnights"), "\(command[0]): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: command[2]))
        }
    }

    @Test func everyAcknowledgedSpanSurvivesSIGKILL() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/t.db"
        let port = Loopback.freePort()
        let receiver = try Background(["receive", "--db", db, "--http", "127.0.0.1:\(port)", "--grpc", "off", "--quiet"])
        #expect(Loopback.waitForListener(port))
        final class Acked: @unchecked Sendable {
            let lock = NSLock()
            var ids: [Int] = []
        }
        let acked = Acked()
        let group = DispatchGroup()
        let stopAt = Date().addingTimeInterval(4)
        for exporter in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                var batch = 0
                while Date() < stopAt {
                    let start = exporter * 1_000_000 + batch * 20
                    if Loopback.postJSON(port, Loopback.spans(start..<start + 20)) == 200 {
                        acked.lock.lock()
                        acked.ids += Array(start..<start + 20)
                        acked.lock.unlock()
                    }
                    batch += 1
                }
                group.leave()
            }
        }
        usleep(1_500_000)
        let killed = receiver.stop(SIGKILL)
        #expect(killed.status == SIGKILL)
        group.wait()
        #expect(acked.ids.count >= 20)
        // Restart on the same database: it opens cleanly and keeps serving.
        let again = try Background(["receive", "--db", db, "--http", "127.0.0.1:\(port)", "--grpc", "off", "--quiet"])
        #expect(Loopback.waitForListener(port))
        #expect(Loopback.postJSON(port, Loopback.spans(9_000_000..<9_000_001)) == 200)
        #expect(again.stop().status == 0)
        let stored = Set(try sqlite(db, "SELECT span_id FROM spans"))
        let missing = acked.ids.filter { !stored.contains(String(format: "%016x", $0 + 1)) }
        #expect(missing.isEmpty, "\(missing.count) acknowledged spans are missing")
        #expect(try sqlite(db, "PRAGMA integrity_check") == ["ok"])
    }

    // MARK: record

    func record(_ args: [String], app: [String], dir: String) throws -> Run {
        let python = try RealSDKVenv.python.get()
        return try CLI.run(
            ["record"] + args + ["--", python, CLI.root + "/tests/realsdk/record_app.py"] + app, cwd: dir)
    }

    @Test func recordRunsTheCommandStoresItsOutputAndChecks() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try record(["--db", dir + "/r.db", "--junit", dir + "/junit.xml", "--grace", "0.5"], app: ["--requests", "4"], dir: dir)
        #expect(run.status == 0, "\(run.stderr)")
        // CMD's output passes through unchanged…
        #expect(run.stdout.contains("order 3 done trace_id="))
        #expect(run.stderr.contains("record_app: finished"))
        #expect(run.stdout.contains("PASS") || run.stdout.contains("pass"))
        #expect(FileManager.default.fileExists(atPath: dir + "/junit.xml"))
        // … and is stored as logs of a source named after the command, joined by the printed IDs.
        let printed = run.stdout.split(separator: "\n").filter { $0.hasPrefix("order ") }
        #expect(printed.count == 4)
        let joined = try sqlite(
            dir + "/r.db",
            "SELECT count(*) FROM logs JOIN sources ON sources.id = logs.source_id JOIN spans "
                + "ON spans.trace_id = logs.trace_id AND spans.span_id = logs.span_id "
                + "WHERE sources.path LIKE 'output of: %record_app.py%' AND logs.body LIKE 'order % done%'")
        #expect(joined == ["4"])
        #expect(try sqlite(dir + "/r.db", "SELECT count(*) FROM spans") == ["12"])
        // The SDK's own log records arrived over OTLP.
        #expect(try sqlite(dir + "/r.db", "SELECT count(*) FROM logs WHERE body LIKE 'order % received'") == ["4"])
    }

    @Test func recordExitCodes() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Lost context: the check fails (1).
        let lost = try record(["--db", dir + "/lost.db", "--grace", "0.2", "--quiet"], app: ["--lose-context"], dir: dir)
        #expect(lost.status == 1, "\(lost.stderr)")
        // CMD fails: 3, and the check still reports.
        let failed = try record(["--db", dir + "/failed.db", "--grace", "0.2", "--format", "json"], app: ["--exit", "5"], dir: dir)
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(failed.stderr.contains("exit 3:") && failed.stderr.contains("exited with status 5"))
        #expect(failed.stdout.contains("\"rules\""))
        // Both: 3 wins.
        let both = try record(["--db", dir + "/both.db", "--grace", "0.2", "--quiet"], app: ["--lose-context", "--exit", "1"], dir: dir)
        #expect(both.status == 3)
        // Without --db: a fresh database here, named.
        let fresh = try record(["--grace", "0.2"], app: ["--requests", "1"], dir: dir)
        #expect(fresh.status == 0, "\(fresh.stderr)")
        let created = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("tracedoctor-record-") && $0.hasSuffix(".db") }
        #expect(created.count == 1)
        #expect(fresh.stderr.contains("into \(created.first ?? "?")"))
        // No command: usage.
        #expect(try CLI.run(["record"]).status == 64)
    }

    @Test func recordUsesFreePortsWhenTheDefaultsAreTakenAndKeepsTheUsersVariables() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Hold 4318 and 4317 (if free) with a receiver of our own.
        let holder = try? Background(["receive", "--db", dir + "/holder.db", "--quiet"])
        _ = Loopback.waitForListener(4318)
        let python = try RealSDKVenv.python.get()
        let run = try CLI.run(
            ["record", "--db", dir + "/r.db", "--grace", "0.2", "--", python, CLI.root + "/tests/realsdk/record_app.py", "--requests", "2"],
            environment: ["OTEL_TRACES_EXPORTER": "otlp", "OTEL_SERVICE_NAME": "mine", "OTEL_METRICS_EXPORTER": "console"], cwd: dir)
        _ = holder?.stop()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("127.0.0.1:4318 into"))
        #expect(run.stderr.contains("note: keeping your OTEL_METRICS_EXPORTER=console (record would set none)"))
        #expect(try sqlite(dir + "/r.db", "SELECT count(*) FROM spans") == ["6"])
    }
}
