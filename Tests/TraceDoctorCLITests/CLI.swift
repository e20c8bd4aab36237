// Runs the built `tracedoctor` binary and compares what it prints with golden files.

import Foundation
import Testing

/// What one run of the binary did.
struct Run {
    var stdout: String
    var stderr: String
    var status: Int32
}

/// Bytes filled in by one reader thread and read after it is joined.
private final class Box: @unchecked Sendable {
    var data = Data()
}

enum CLI {
    /// The repository root.
    static let root: String = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
    static let fixtures = root + "/fixtures"

    /// The binary next to the test bundle (`swift test` builds it), or $TRACEDOCTOR_BIN.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["TRACEDOCTOR_BIN"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("tracedoctor").path
    }()

    /// Runs `tracedoctor args...` with `stdin` and extra environment; NO_COLOR is set unless
    /// the test overrides it, TRACEDOCTOR_DB is unset.
    static func run(_ args: [String], stdin: Data? = nil, environment: [String: String] = [:], cwd: String? = nil) throws
        -> Run
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "TRACEDOCTOR_DB")
        env.removeValue(forKey: "GITHUB_ACTIONS")
        env.removeValue(forKey: "COLUMNS")
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // Drain both pipes concurrently so a large output cannot block the child.
        let outData = Box()
        let errData = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData.data = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return Run(
            stdout: String(decoding: outData.data, as: UTF8.self), stderr: String(decoding: errData.data, as: UTF8.self),
            status: process.terminationStatus)
    }

    /// A fresh temporary directory, removed by the caller's `defer`.
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "tracedoctor-cli-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let dictionary = object as? [String: Any] else { throw CocoaError(.coderInvalidValue) }
        return dictionary
    }
}

/// Golden files in Tests/TraceDoctorCLITests/Golden. `TRACEDOCTOR_RECORD=1 swift test`
/// rewrites them; a re-record is reported as a failure so that it is never silent.
enum Golden {
    static let directory = CLI.root + "/Tests/TraceDoctorCLITests/Golden"

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let path = directory + "/" + name
        if ProcessInfo.processInfo.environment["TRACEDOCTOR_RECORD"] == "1" {
            try? actual.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("re-recorded \(name); run again without TRACEDOCTOR_RECORD", sourceLocation: sourceLocation)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            Issue.record("missing golden file \(name); record it with TRACEDOCTOR_RECORD=1", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == expected, "output differs from \(name)", sourceLocation: sourceLocation)
    }

    /// Replaces what changes from run to run: temporary paths and timings. Column padding,
    /// which depends on the width of the timings, is collapsed to two spaces.
    static func normalise(_ text: String, tmp: String? = nil) -> String {
        var t = text
        if let tmp { t = t.replacingOccurrences(of: tmp, with: "$TMP") }
        t = t.replacingOccurrences(of: CLI.root + "/", with: "")
        t = t.replacingOccurrences(
            of: #"\d+(\.\d+)? (ns|µs|ms|s|min)\b"#, with: "<time>", options: .regularExpression)
        t = t.replacingOccurrences(of: #"\"seconds\" : [0-9.e-]+"#, with: "\"seconds\" : <time>", options: .regularExpression)
        t = t.replacingOccurrences(of: #"(?<=\S)  +"#, with: "  ", options: .regularExpression)
        return t
    }
}
