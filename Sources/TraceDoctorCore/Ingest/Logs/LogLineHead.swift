// The start of a text log line: a leading timestamp and a level, where nearly every logger
// puts them (`2026-11-22 02:10:28,123 INFO …`, `[2026-11-22T02:10:28Z WARN app] …`,
// `2026-11-22 02:10:28 [main] ERROR …`, `INFO: …`). What follows them is the message.

/// What the start of a line says.
public struct LogLineHead: Sendable, Equatable {
    /// A timestamp opens the line (it may still have no instant: syslog's has no year).
    public var hasTimestamp = false
    /// UTC nanoseconds of the leading timestamp.
    public var timeNs: Int64?
    /// The leading timestamp named no zone (`timeNs` read it as UTC).
    public var timeIsLocal = false
    /// OTLP severity number of the level, 0 when the line names none.
    public var severity = 0
    /// Where the level word is in the line.
    public var level: Range<Int>?
    /// Where the message starts: after the timestamp, and after the level when it comes first.
    public var bodyStart = 0

    /// Whether the line looks like the first line of a log record.
    public var isRecordStart: Bool { hasTimestamp || level != nil }

    /// How many words after the timestamp may hold the level (`[main] c.e.Class ERROR` no,
    /// `[main] ERROR` yes).
    static let levelSearchWords = 3

    public init() {}

    public static func parse(_ line: UnsafeBufferPointer<UInt8>) -> LogLineHead {
        var head = LogLineHead()
        let n = line.count
        guard n > 0 else { return head }
        var i = 0
        // A timestamp, maybe inside `[...]`.
        let open = line[0] == UInt8(ascii: "[") ? 1 : 0
        if open < n {
            let c = line[open]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                if let (ns, end, zoned) = LogTimestamp.calendarNoting(line, from: open) {
                    head.hasTimestamp = true
                    head.timeNs = ns
                    head.timeIsLocal = !zoned
                    i = end
                }
            } else if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") {
                if LogTimestamp.syslogPrefix(line, from: open) != nil {
                    // No year: the line is a record start, but its time stays in the body.
                    head.hasTimestamp = true
                    return head
                }
            }
        }
        if head.hasTimestamp, open == 1, i < n, line[i] == UInt8(ascii: "]") { i += 1 }
        let afterTimestamp = skipBlanks(line, i)
        // Without a timestamp the body is the whole line, indentation included.
        head.bodyStart = head.hasTimestamp ? afterTimestamp : 0
        // The level: the first word in any case when decorated (`info:`, `[warn]`), or an
        // uppercase word among the first few.
        var word = afterTimestamp
        var index = 0
        while index < levelSearchWords && word < n {
            var end = word
            while end < n, line[end] != 0x20, line[end] != 0x09 { end += 1 }
            if isSeparatorWord(line, word, end) {
                // `|` or `-` between the timestamp and the level.
                word = skipBlanks(line, end)
                continue
            }
            if let (severity, range, decorated, upper) = levelWord(line, word, end),
                upper || (index == 0 && decorated)
            {
                head.severity = severity
                head.level = range
                if index == 0 { head.bodyStart = skipSeparators(line, end) }
                break
            }
            word = skipBlanks(line, end)
            index += 1
        }
        return head
    }

    private static func isSeparatorWord(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        for k in start..<end where line[k] != UInt8(ascii: "|") && line[k] != UInt8(ascii: "-") && line[k] != UInt8(ascii: ":") {
            return false
        }
        return true
    }

    /// The level word in `line[start..<end]`, without `[` `(` `<` before and `]` `)` `>` `:`
    /// `,` `|` after it.
    private static func levelWord(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int)
        -> (severity: Int, range: Range<Int>, decorated: Bool, upper: Bool)?
    {
        var lo = start
        var hi = end
        var decorated = false
        if lo < hi, line[lo] == UInt8(ascii: "[") || line[lo] == UInt8(ascii: "(") || line[lo] == UInt8(ascii: "<") {
            lo += 1
            decorated = true
        }
        while hi > lo {
            let c = line[hi - 1]
            guard c == UInt8(ascii: "]") || c == UInt8(ascii: ")") || c == UInt8(ascii: ">") || c == UInt8(ascii: ":")
                || c == UInt8(ascii: ",") || c == UInt8(ascii: "|")
            else { break }
            decorated = decorated || c != UInt8(ascii: ",")
            hi -= 1
        }
        // Single letters are too common as words to be levels in free text.
        guard hi - lo >= 3 else { return nil }
        var upper = true
        for k in lo..<hi {
            let c = line[k]
            if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") {
                upper = false
            } else if !(c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) {
                return nil
            }
        }
        guard let severity = LogSeverity.number(ofName: UnsafeBufferPointer(rebasing: line[lo..<hi])) else { return nil }
        return (severity, lo..<hi, decorated, upper)
    }

    @inline(__always)
    static func skipBlanks(_ line: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        return i
    }

    /// Skips what separates a level from the message: blanks, `:`, `|`, `]`, and `- `.
    static func skipSeparators(_ line: UnsafeBufferPointer<UInt8>, _ from: Int) -> Int {
        var i = from
        let n = line.count
        while i < n {
            let c = line[i]
            if c == 0x20 || c == 0x09 || c == UInt8(ascii: ":") || c == UInt8(ascii: "|") || c == UInt8(ascii: "]") {
                i += 1
            } else if c == UInt8(ascii: "-"), i + 1 < n, line[i + 1] == 0x20 {
                i += 2
            } else {
                break
            }
        }
        return i
    }
}
