// The usual mistake with log clocks: an application logs its local time without an offset,
// tracedoctor takes it as UTC, and every line lands hours away from the spans it names. When
// the lines that join a span by ID sit a constant whole number of hours (or half or quarter
// hours) outside it, that is what happened, and `--log-timezone` fixes it.

/// Log lines that sit a constant zone offset away from the spans they name.
public struct LogClockOffset: Sendable, Equatable, Encodable {
    /// The log file, when the lines come from one file (`ingest`); nil for a trace's lines.
    public var path: String?
    /// Log time minus span time, in seconds: `+28800` when the log wrote +08:00 wall-clock time.
    public var offsetSeconds: Int
    /// The lines that sit `offsetSeconds` away, of `examinedLines` joined to a span by ID.
    public var lines: Int
    public var examinedLines: Int
    /// The lines whose timestamp named no zone (taken as UTC); nil when unknown.
    public var localTimeLines: Int?

    /// The offset as `--log-timezone` takes it (`+08:00`).
    public var zone: String { LogTimeZone.spell(offsetSeconds: offsetSeconds) }

    /// `8 h`, `5 h 30 min`, `45 min`.
    public var spelledDistance: String {
        let minutes = abs(offsetSeconds) / 60
        let h = minutes / 60
        let m = minutes % 60
        if h == 0 { return "\(m) min" }
        return m == 0 ? "\(h) h" : "\(h) h \(m) min"
    }

    /// One sentence: what was seen, what it means, the flag that fixes it.
    public var advice: String {
        let lineWord = lines == 1 ? "line" : "lines"
        let direction = offsetSeconds > 0 ? "after" : "before"
        var text = "\(lines) of \(examinedLines) log \(lineWord)\(path.map { " of \($0)" } ?? "") sit \(spelledDistance) \(direction) the spans they name"
        if let local = localTimeLines, local == 0 {
            text += ": their times carry a zone, so the log's clock itself is off by \(zone)"
        } else {
            text += ": the log probably writes local time (\(zone)) without an offset; ingest it with --log-timezone \(zone) (or the zone's IANA name)"
        }
        return text
    }

    enum CodingKeys: String, CodingKey {
        case path, offsetSeconds, zone, lines, examinedLines, localTimeLines, advice
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(offsetSeconds, forKey: .offsetSeconds)
        try c.encode(zone, forKey: .zone)
        try c.encode(lines, forKey: .lines)
        try c.encode(examinedLines, forKey: .examinedLines)
        try c.encode(localTimeLines, forKey: .localTimeLines)
        try c.encode(advice, forKey: .advice)
    }
}

/// Finds a constant zone offset between log lines and the spans they name.
public enum LogClockCheck {
    /// One log line joined by ID to a span with both times.
    public struct Sample: Sendable, Equatable {
        public var logNs: Int64
        public var spanStartNs: Int64
        public var spanEndNs: Int64

        public init(logNs: Int64, spanStartNs: Int64, spanEndNs: Int64) {
            self.logNs = logNs
            self.spanStartNs = spanStartNs
            self.spanEndNs = spanEndNs
        }
    }

    /// Zone offsets come in quarter hours.
    static let quarterHourNs: Int64 = 900 * 1_000_000_000
    /// How far outside its span a line may be written and still belong to it (a line logged
    /// just after the span ended, a little clock drift).
    static let slackNs: Int64 = 2 * 1_000_000_000
    /// Zone offsets lie within ±14 h (and the lines of a log file fall within a day of their spans).
    static let maxOffsetQuarters: Int64 = 14 * 4
    /// At least this many lines must agree, and this share of the lines examined.
    public static let minimumLines = 3
    public static let minimumShare = 0.8

    /// The offset (log minus span, whole quarter hours, not zero) that puts at least
    /// `minimumShare` of the lines (and `minimumLines`) inside their spans while they are
    /// outside them as written; nil when there is none. A line in a long span fits several
    /// offsets: whole hours are preferred to half hours, half to quarter hours, then the smallest.
    public static func offset(of samples: [Sample]) -> (seconds: Int, lines: Int)? {
        guard samples.count >= minimumLines else { return nil }
        var votes: [Int64: Int] = [:]
        for sample in samples {
            // The quarter-hour shifts that put the line inside its span (with the slack).
            let lo = ceilQuarters(sample.logNs &- sample.spanEndNs &- slackNs)
            let hi = floorQuarters(sample.logNs &- sample.spanStartNs &+ slackNs)
            // Inside as written, or a span too long (over 2 h) to say anything.
            guard lo <= hi, lo > 0 || hi < 0, hi - lo <= 8 else { continue }
            let from = max(lo, -maxOffsetQuarters)
            let to = min(hi, maxOffsetQuarters)
            guard from <= to else { continue }
            for quarters in from...to where quarters != 0 { votes[quarters, default: 0] += 1 }
        }
        func preference(_ q: Int64) -> Int64 { (q % 4 == 0 ? 0 : q % 2 == 0 ? 1 : 2) * 1000 + abs(q) }
        guard let (quarters, count) = votes.max(by: { a, b in
            a.value != b.value ? a.value < b.value : preference(a.key) > preference(b.key)
        }),
            count >= minimumLines, Double(count) >= minimumShare * Double(samples.count)
        else { return nil }
        return (Int(quarters * 900), count)
    }

    private static func floorQuarters(_ ns: Int64) -> Int64 {
        let q = quarterHourNs
        return ns >= 0 ? ns / q : -((-ns + q - 1) / q)
    }

    private static func ceilQuarters(_ ns: Int64) -> Int64 {
        -floorQuarters(-ns)
    }
}
