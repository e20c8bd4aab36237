// ClickHouse for the tests of `--source clickhouse://…`: chDB (ClickHouse 26.9 in process, from
// PyPI, in the cached venv of tests/realsdk) behind tests/clickhouse/chdb_front.py, which speaks the
// part of ClickHouse's HTTP interface tracedoctor uses. The exporter's tables (its own DDL) are
// filled from the demo fixture and the real-SDK scenarios, converted to exporter rows the way the
// exporter maps OTLP; every other trace uses the older enum spellings (SPAN_KIND_*, STATUS_CODE_*).

import Foundation
import Testing

enum ClickHouseFront {
    /// The password of the user the servers accept (given to tracedoctor in $CLICKHOUSE_PASSWORD).
    static let user = "tracedoctor"
    static let password = "ch-s3cret-pw"
    /// Databases loaded: `demo` (fixtures/demo) and one per real-SDK scenario.
    static let scenarios = ["healthy", "broken", "propagated", "unpropagated", "uninjected"]

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
        for database in ["demo"] + scenarios {
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
