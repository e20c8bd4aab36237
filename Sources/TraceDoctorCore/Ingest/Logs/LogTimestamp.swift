// Log timestamps in the spellings loggers write, turned into Unix nanoseconds (UTC): RFC 3339
// and its relatives, Python's `asctime`, and epoch numbers whose unit is judged by magnitude.

/// Parses log timestamps without Foundation (whose date parsers cost microseconds a call).
public enum LogTimestamp {
    /// Epoch values below this are seconds (10^11 s is the year 5138).
    public static let secondsBelow: UInt64 = 100_000_000_000
    /// … below this milliseconds, below `microsecondsBelow` microseconds, else nanoseconds.
    public static let millisecondsBelow: UInt64 = 100_000_000_000_000
    public static let microsecondsBelow: UInt64 = 100_000_000_000_000_000

    /// A whole value: a calendar timestamp (RFC 3339 and relatives) or an epoch number in a
    /// string. Nil when it is neither, or out of the range of Int64 nanoseconds.
    public static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        parseNoting(text)?.ns
    }

    /// `parse`, also saying whether the value named its zone (`Z`, an offset, or an epoch
    /// number, which is UTC by definition): `zoned` false means a wall-clock time taken as UTC.
    public static func parseNoting(_ text: UnsafeBufferPointer<UInt8>) -> (ns: Int64, zoned: Bool)? {
        var lo = 0
        var hi = text.count
        while lo < hi, text[lo] == 0x20 { lo += 1 }
        while hi > lo, text[hi - 1] == 0x20 { hi -= 1 }
        guard lo < hi else { return nil }
        let trimmed = UnsafeBufferPointer(rebasing: text[lo..<hi])
        if let (ns, end, zoned) = calendarNoting(trimmed, from: 0), end == trimmed.count { return (ns, zoned) }
        return epoch(trimmed).map { ($0, true) }
    }

    /// Seconds, milliseconds, microseconds or nanoseconds since 1970 (by magnitude, see the
    /// thresholds above), optionally with a decimal fraction: `1662616049`, `1662616049.5`,
    /// `1662616049000000`. Zero, negative numbers and exponents are refused.
    public static func epoch(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        let n = text.count
        var whole: UInt64 = 0
        var digits = 0
        while i < n, let d = digit(text[i]) {
            guard digits < 19 else { return nil }
            whole = whole * 10 + UInt64(d)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        var fraction: UInt64 = 0
        var fractionDigits = 0
        if i < n, text[i] == UInt8(ascii: ".") {
            i += 1
            guard i < n else { return nil }
            while i < n, let d = digit(text[i]) {
                if fractionDigits < 9 {
                    fraction = fraction * 10 + UInt64(d)
                    fractionDigits += 1
                }
                i += 1
            }
        }
        guard i == n, whole > 0 || fraction > 0 else { return nil }
        for _ in fractionDigits..<9 { fraction *= 10 }
        // fraction is now in units of 10^-9 of the chosen unit.
        let unitNs: UInt64
        switch whole {
        case ..<secondsBelow: unitNs = 1_000_000_000
        case ..<millisecondsBelow: unitNs = 1_000_000
        case ..<microsecondsBelow: unitNs = 1_000
        default: unitNs = 1
        }
        let (wholeNs, overflow) = whole.multipliedReportingOverflow(by: unitNs)
        guard !overflow else { return nil }
        let total = wholeNs &+ fraction * unitNs / 1_000_000_000
        guard total >= wholeNs, total <= UInt64(Int64.max) else { return nil }
        return Int64(total)
    }

    /// A calendar timestamp starting at `from`: `YYYY-MM-DD` (or `/`), `T`, `t` or one space,
    /// `HH:MM:SS`, an optional fraction after `.` or `,`, an optional zone `Z`, `±HH:MM`,
    /// `±HHMM` or `±HH`. Without a zone the time is taken as UTC. Returns the UTC nanoseconds
    /// and the index after the timestamp; nil if there is none there (or it is not a real date).
    public static func calendar(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> (ns: Int64, end: Int)? {
        calendarNoting(b, from: start).map { ($0.ns, $0.end) }
    }

    /// `calendar`, also saying whether the timestamp named its zone: `zoned` false means a
    /// wall-clock time without offset, taken as UTC (`LogTimeZone` turns it into UTC).
    public static func calendarNoting(_ b: UnsafeBufferPointer<UInt8>, from start: Int)
        -> (ns: Int64, end: Int, zoned: Bool)?
    {
        let n = b.count
        var i = start
        guard i + 19 <= n,
            let year = number(b, i, 4), b[i + 4] == UInt8(ascii: "-") || b[i + 4] == UInt8(ascii: "/"),
            let month = number(b, i + 5, 2), b[i + 7] == b[i + 4],
            let day = number(b, i + 8, 2),
            b[i + 10] == UInt8(ascii: "T") || b[i + 10] == UInt8(ascii: " ") || b[i + 10] == UInt8(ascii: "t"),
            let hour = number(b, i + 11, 2), b[i + 13] == UInt8(ascii: ":"),
            let minute = number(b, i + 14, 2), b[i + 16] == UInt8(ascii: ":"),
            let second = number(b, i + 17, 2)
        else { return nil }
        guard month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year), hour <= 23, minute <= 59,
            second <= 60
        else { return nil }
        i += 19
        var fractionNs: Int64 = 0
        if i + 1 < n, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ","), digit(b[i + 1]) != nil {
            i += 1
            var scale: Int64 = 100_000_000
            while i < n, let d = digit(b[i]) {
                fractionNs += Int64(d) * scale
                scale /= 10
                i += 1
            }
        }
        var offsetSeconds: Int64 = 0
        var zoned = false
        if i < n {
            switch b[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                zoned = true
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
                if let hours = number(b, i + 1, 2), hours <= 23 {
                    var j = i + 3
                    var minutes = 0
                    if j < n, b[j] == UInt8(ascii: ":") {
                        guard let m = number(b, j + 1, 2), m <= 59 else { return nil }
                        minutes = m
                        j += 3
                    } else if let m = number(b, j, 2) {
                        guard m <= 59 else { return nil }
                        minutes = m
                        j += 2
                    }
                    offsetSeconds = sign * Int64(hours * 3600 + minutes * 60)
                    zoned = true
                    i = j
                }
            default:
                break
            }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetSeconds
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = ns.addingReportingOverflow(fractionNs)
        guard !overflow2 else { return nil }
        return (total, i, zoned)
    }

    /// A syslog (RFC 3164) timestamp `Mmm dd HH:MM:SS` at `from`: it has no year, so no
    /// instant can be computed. Returns the index after it, or nil.
    public static func syslogPrefix(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let n = b.count
        guard start + 15 <= n, isMonthName(b, start), b[start + 3] == 0x20 else { return nil }
        var i = start + 4
        if b[i] == 0x20 { i += 1 }
        guard let first = digit(b[i]) else { return nil }
        var day = first
        i += 1
        if i < n, let second = digit(b[i]) {
            day = day * 10 + second
            i += 1
        }
        guard day >= 1, day <= 31, i + 9 <= n, b[i] == 0x20,
            let h = number(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let m = number(b, i + 4, 2),
            b[i + 6] == UInt8(ascii: ":"), let s = number(b, i + 7, 2), h <= 23, m <= 59, s <= 60
        else { return nil }
        return i + 9
    }

    private static let monthNames: [UInt8] = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    private static func isMonthName(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        var k = 0
        while k < 36 {
            if b[i] == monthNames[k] && b[i + 1] == monthNames[k + 1] && b[i + 2] == monthNames[k + 2] { return true }
            k += 3
        }
        return false
    }

    @inline(__always)
    static func digit(_ c: UInt8) -> Int? {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") ? Int(c &- UInt8(ascii: "0")) : nil
    }

    /// `count` decimal digits at `at`, or nil.
    @inline(__always)
    static func number(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        guard at + count <= b.count else { return nil }
        var v = 0
        for k in at..<(at + count) {
            guard let d = digit(b[k]) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
