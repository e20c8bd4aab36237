// Writing to stdout and stderr, and telling whether they are terminals.

import ArgumentParser
import Foundation
import TraceDoctorCore

#if canImport(Glibc)
import Glibc
#endif

enum Terminal {
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }

    /// Columns for text that fits the screen: `COLUMNS` when set, else the terminal's width, else
    /// 100 (a pipe or a file); never below 60.
    static var width: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return max(60, n) }
        var size = winsize()
        if stdoutIsTerminal, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(60, Int(size.ws_col)) }
        return 100
    }

    /// Colour only on a terminal, and never with --no-color or NO_COLOR.
    static func style(noColor: Bool) -> TextStyle {
        let disabled = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return TextStyle(enabled: stdoutIsTerminal && !noColor && !disabled)
    }

    /// Report text not yet written to stdout (or to the `-o` file).
    nonisolated(unsafe) private static var pending: [UInt8] = []
    nonisolated(unsafe) private static var stdoutClosed = false
    /// The `-o` file the report goes to instead of stdout (renamed into place at the end).
    nonisolated(unsafe) static var reportFile: PendingOutput?
    /// Set once an error was printed: the report is then incomplete and not put in place.
    nonisolated(unsafe) private static var failed = false

    /// Writes a report to stdout or the `-o` file, buffered (64 KB at a time; `flush` at exit). A
    /// closed pipe (`| head`) is not an error: the rest is dropped.
    static func out(_ text: String) {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 64 * 1024 { flush() }
    }

    /// Writes UTF-8 report bytes (as `out(_:)`; a piece of 64 KB or more is written as it is).
    static func out(bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count < 64 * 1024 else {
            flush()
            return emit(UnsafeRawBufferPointer(bytes))
        }
        pending.append(contentsOf: bytes)
        if pending.count >= 64 * 1024 { flush() }
    }

    /// Writes to stdout even when the report goes to a file (GitHub annotations).
    static func stdout(_ text: String) {
        guard reportFile != nil else { return out(text) }
        var text = text
        text.withUTF8 { writeAll(1, UnsafeRawBufferPointer($0)) }
    }

    /// Ends the report: the `-o` file is put in place (an incomplete one, after an error, is dropped).
    static func finishReport(complete: Bool) throws(TraceDoctorError) {
        flush()
        guard let file = reportFile else { return }
        reportFile = nil
        if complete && !failed { try file.commit() } else { file.discard() }
    }

    static func flush() {
        defer { pending.removeAll(keepingCapacity: true) }
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { emit($0) }
    }

    /// Writes report bytes to the `-o` file or stdout.
    private static func emit(_ bytes: UnsafeRawBufferPointer) {
        if let reportFile { return reportFile.write(bytes) }
        guard !stdoutClosed else { return }
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

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Writes a diagnostic line to stderr; control characters in it (from an input) made visible.
    static func err(_ text: String) {
        flush()
        var line = TextFormat.printable(text.hasSuffix("\n") ? text : text + "\n", keepTab: true, keepNewline: true)
        line.withUTF8 { writeAll(2, UnsafeRawBufferPointer($0)) }
    }

    /// The one prefix of every error message, usage errors included.
    static let errorPrefix = "tracedoctor: error: "

    /// Prints `error` the way every command does and returns the exit code to end with.
    static func fail(_ error: TraceDoctorError) -> ExitCode {
        failed = true
        err(errorPrefix + "\(error)")
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
