// Writing to stdout and stderr, and telling whether they are terminals.

import TraceDoctorCore
import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

enum Terminal {
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }

    /// Report text not yet written to stdout.
    nonisolated(unsafe) private static var pending: [UInt8] = []
    nonisolated(unsafe) private static var stdoutClosed = false

    /// Writes a report to stdout, buffered (64 KB at a time; `flush` at exit). A closed pipe
    /// (`| head`) is not an error: the rest is dropped.
    static func out(_ text: String) {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 64 * 1024 { flush() }
    }

    static func flush() {
        defer { pending.removeAll(keepingCapacity: true) }
        guard !stdoutClosed, !pending.isEmpty else { return }
        pending.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    stdoutClosed = true
                    return
                }
                offset += n
            }
        }
    }

    /// Writes a diagnostic line to stderr.
    static func err(_ text: String) {
        flush()
        var line = text.hasSuffix("\n") ? text : text + "\n"
        line.withUTF8 { bytes in
            _ = write(2, bytes.baseAddress!, bytes.count)
        }
    }

    /// Prints `error` the way every command does and returns the exit code to end with.
    static func fail(_ error: TraceDoctorError) -> ExitCode {
        err("tracedoctor: error: \(error)")
        return ExitCode(error.exitCode)
    }
}

/// A one-line progress bar on stderr, redrawn at most ten times a second.
final class ProgressBar: IngestProgress {
    private var path = ""
    private var total: Int64?
    private var started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var drawn = false
    /// Inputs smaller than this finish too fast to need a bar.
    static let threshold: Int64 = 32 << 20

    func start(path: String, totalBytes: Int64?) {
        self.path = path
        total = totalBytes
        started = .now
        lastDraw = .now
        drawn = false
    }

    func advance(to bytes: Int64) {
        if let total, total < Self.threshold { return }
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        let elapsed = Double((now - started).components.seconds) + Double((now - started).components.attoseconds) / 1e18
        let rate = elapsed > 0 ? Double(bytes) / elapsed : 0
        var line = "\r\u{1B}[2K" + "ingesting \(path)  " + Units.bytes(bytes)
        if let total, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += " / " + Units.bytes(total) + "  ["
            line += String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            line += String(Int(fraction * 100)) + "%"
            if rate > 0 {
                line += "  ETA " + Units.duration(seconds: Double(total - bytes) / rate)
            }
        }
        line += "  " + Units.bytes(Int64(rate)) + "/s"
        Terminal.errRaw(line.replacingOccurrences(of: "\n", with: ""))
        drawn = true
    }

    func finish() {
        if drawn { Terminal.errRaw("\r\u{1B}[2K") }
        drawn = false
    }
}

extension Terminal {
    static func errRaw(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress!, bytes.count) }
    }
}
