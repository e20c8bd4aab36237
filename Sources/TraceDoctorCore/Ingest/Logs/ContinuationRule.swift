// When a text or logfmt line continues the record before it instead of starting one: stack
// traces (Java, Python, Go, .NET), multi-line messages. A stack trace belongs to the log line
// that reported it, or the error loses its span.

/// Decides, line by line, whether a line starts a record. Stateful: it learns whether the
/// file's records open with a timestamp, and whether a Python traceback is open.
///
/// A line continues the record before it when:
/// 1. it is empty (blank lines inside chained tracebacks; trailing ones are dropped), or
///    starts with a space or a tab (`\tat com.x.Y.z(Y.java:1)`, `  File "x.py", line 1`);
/// 2. it starts with `at `, `Caused by:`, `Suppressed:`, `...`, `Traceback (`, or Python's
///    chained-exception sentences;
/// 3. it does not open with a timestamp although the file's records do (once a record opened
///    with a timestamp, every record is expected to);
/// 4. otherwise, when it has neither a timestamp nor a level and it names an exception
///    (`java.lang.IllegalStateException: boom`, `Exception in thread "main" …`) or is the
///    last line of a Python traceback (`ValueError: bad value`).
/// For logfmt, a line that does not start with `key=` is a continuation.
public struct ContinuationRule: Sendable {
    /// The file's records open with a timestamp (text logs only).
    public private(set) var timestamped = false
    /// A `Traceback (most recent call last):` is open in the current record.
    private var inTraceback = false
    /// Logfmt: record starts are the lines that start with `key=`.
    private let logfmt: Bool

    public init(logfmt: Bool = false) {
        self.logfmt = logfmt
    }

    /// Whether `line` continues the current record. Call for every line while a record is
    /// pending; `head` parses the line's start (called at most once, only when needed);
    /// `isLogfmtStart` tells whether a logfmt line starts with `key=`.
    public mutating func continues(
        _ line: UnsafeBufferPointer<UInt8>, isLogfmtStart: Bool = false, head: () -> LogLineHead
    ) -> Bool {
        guard let first = line.first else { return true }
        if first == 0x20 || first == 0x09 { return true }
        if Self.isStackMarker(line) {
            if line.starts(with: "Traceback (") { inTraceback = true }
            return true
        }
        if logfmt {
            if isLogfmtStart || head().hasTimestamp { return startsRecord() }
            return true
        }
        let head = head()
        if head.hasTimestamp {
            timestamped = true
            return startsRecord()
        }
        if timestamped { return true }
        if head.level != nil { return startsRecord() }
        if inTraceback || Self.namesException(line) {
            inTraceback = false
            return true
        }
        return startsRecord()
    }

    /// Notes a record start that had no pending record before it.
    public mutating func noteStart(head: LogLineHead) {
        inTraceback = false
        if head.hasTimestamp && !logfmt { timestamped = true }
    }

    private mutating func startsRecord() -> Bool {
        inTraceback = false
        return false
    }

    static func isStackMarker(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        switch line[0] {
        case UInt8(ascii: "a"): return line.starts(with: "at ")
        case UInt8(ascii: "C"): return line.starts(with: "Caused by:")
        case UInt8(ascii: "S"): return line.starts(with: "Suppressed:")
        case UInt8(ascii: "."): return line.starts(with: "...")
        case UInt8(ascii: "T"):
            return line.starts(with: "Traceback (") || line.starts(with: "The above exception was the direct cause")
        case UInt8(ascii: "D"): return line.starts(with: "During handling of the above exception")
        default: return false
        }
    }

    /// `Exception in thread "main" …`, or a first word that is a dotted name ending in
    /// Exception, Error, Throwable, Exit, Interrupt or Warning, followed by `:` or nothing.
    static func namesException(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        if line.starts(with: "Exception in thread ") { return true }
        var end = 0
        let n = line.count
        while end < n {
            let c = line[end]
            let isName =
                (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "$")
            if !isName { break }
            end += 1
        }
        guard end > 0, end == n || line[end] == UInt8(ascii: ":") else { return false }
        let name = UnsafeBufferPointer(rebasing: line[0..<end])
        for suffix: StaticString in ["Exception", "Error", "Throwable", "Exit", "Interrupt", "Warning"] {
            if name.ends(with: suffix) { return true }
        }
        return false
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether the bytes start with `literal`.
    @inline(__always)
    func starts(with literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        return count >= n && memcmp(baseAddress!, literal.utf8Start, n) == 0
    }

    /// Whether the bytes end with `literal`.
    @inline(__always)
    func ends(with literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        return count >= n && memcmp(baseAddress! + (count - n), literal.utf8Start, n) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
