// Captures from the real OpenTelemetry Python SDK (tests/realsdk), made once per test run.
// The first run builds a cached virtual environment from PyPI (~15 s); later runs take ~2 s.

import Foundation
import Testing

enum RealSDK {
    /// The folder holding one subfolder per scenario, or the reason the captures could not be made.
    static let captures: Result<String, CaptureFailure> = {
        if let dir = ProcessInfo.processInfo.environment["TRACEDOCTOR_REALSDK_DIR"],
            FileManager.default.fileExists(atPath: dir + "/broken/manifest.json")
        {
            return .success(dir)
        }
        let dir = NSTemporaryDirectory() + "tracedoctor-realsdk-" + UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.root + "/tests/realsdk/run.sh")
        process.arguments = [dir]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            return .failure(CaptureFailure(message: "cannot run tests/realsdk/run.sh: \(error)"))
        }
        let log = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(
                CaptureFailure(
                    message: "tests/realsdk/run.sh failed (exit \(process.terminationStatus)):\n"
                        + String(decoding: log, as: UTF8.self)))
        }
        return .success(dir)
    }()

    struct CaptureFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The folder of one scenario (`healthy`, `broken`, `propagated`, `unpropagated`, `uninjected`).
    static func scenario(_ name: String) throws -> String {
        try captures.get() + "/" + name
    }

    /// The scenario's manifest.json (ground truth computed from the SDK's own objects).
    static func manifest(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try scenario(name) + "/manifest.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    static func counts(_ name: String) throws -> [String: Int] {
        (try manifest(name)["counts"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }
}

/// Runs `sql` on a database with the sqlite3 CLI and returns its output lines.
func sqlite(_ db: String, _ sql: String) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [db, sql]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
}
