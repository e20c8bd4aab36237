// The zone of log timestamps written without an offset (`ingest --log-timezone`): Python's
// `asctime`, Celery's `[2026-12-03 15:42:09,135: INFO/…]`, a server logging its local time.
// Without it such a time is taken as UTC.

import Foundation

/// A fixed offset (`+08:00`, `-0530`, `UTC`) or an IANA zone (`Asia/Shanghai`, with its
/// daylight-saving rules).
public struct LogTimeZone: Sendable, Equatable, CustomStringConvertible {
    enum Rule: Sendable, Equatable {
        case fixed(seconds: Int)
        case named(TimeZone)
    }

    let rule: Rule
    /// As the user wrote it.
    public let name: String

    /// Parses `UTC`, `Z`, `±HH:MM`, `±HHMM`, `±HH` or an IANA zone name; nil when it is none.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        name = trimmed
        if trimmed == "UTC" || trimmed == "Z" || trimmed == "utc" {
            rule = .fixed(seconds: 0)
        } else if let seconds = Self.offsetSeconds(trimmed) {
            rule = .fixed(seconds: seconds)
        } else if trimmed.contains("/"), let zone = TimeZone(identifier: trimmed) {
            rule = .named(zone)
        } else {
            return nil
        }
    }

    /// A fixed zone `seconds` east of UTC.
    public init(offsetSeconds seconds: Int) {
        rule = .fixed(seconds: seconds)
        name = Self.spell(offsetSeconds: seconds)
    }

    public var description: String { name }

    /// `±HH:MM` for an offset in seconds (`+08:00`, `-05:30`, `+00:00`).
    public static func spell(offsetSeconds seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        let h = minutes / 60
        let m = minutes % 60
        return sign + (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }

    /// `±HH:MM`, `±HHMM` or `±HH` (at most ±18:00), in seconds east of UTC.
    static func offsetSeconds(_ text: String) -> Int? {
        let chars = Array(text.utf8)
        guard let first = chars.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else { return nil }
        var digits = chars.dropFirst()
        if digits.count == 5, digits[digits.startIndex + 2] == UInt8(ascii: ":") {
            digits.remove(at: digits.startIndex + 2)
        }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let values = digits.map { Int($0 - 0x30) }
        let hours = values[0] * 10 + values[1]
        let minutes = values.count == 4 ? values[2] * 10 + values[3] : 0
        guard minutes < 60, hours * 60 + minutes <= 18 * 60 else { return nil }
        return (first == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// Seconds east of UTC of a wall-clock time (`localSeconds` read as if it were UTC). For a
    /// time that a daylight-saving change skips or repeats, the offset after the change.
    func offsetSeconds(atLocal localSeconds: Int64) -> Int {
        switch rule {
        case let .fixed(seconds):
            return seconds
        case let .named(zone):
            let guess = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds)))
            return zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds - Int64(guess))))
        }
    }
}

/// `--log-timezone PATH=ZONE`: the zone of one input's log times without an offset (a file, a
/// folder for every file below it, or `-` for stdin), instead of the run's default zone.
public struct FileLogTimeZone: Sendable, Equatable {
    /// As the user wrote it.
    public var path: String
    public var zone: LogTimeZone

    public init(path: String, zone: LogTimeZone) {
        self.path = path
        self.zone = zone
    }

    /// Whether `input` (a display path: a file named or found in a folder, or `-`) is this path
    /// or lies below it.
    func covers(_ input: String) -> Bool {
        if path == "-" || input == "-" { return path == input }
        let own = Self.normalized(path)
        let other = Self.normalized(input)
        return other == own || other.hasPrefix(own == "/" ? own : own + "/")
    }

    static func normalized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The zone for `input`: that of the most specific `PATH=` naming it, else `fallback`.
    static func zone(for input: String, in zones: [FileLogTimeZone], fallback: LogTimeZone?) -> LogTimeZone? {
        let matching = zones.filter { $0.covers(input) }
        return matching.max { normalized($0.path).count < normalized($1.path).count }?.zone ?? fallback
    }

    /// A usage error when a `PATH=` names no input of the run or names the same input twice.
    static func check(_ zones: [FileLogTimeZone], inputs: [String]) throws(TraceDoctorError) {
        var seen: [String: String] = [:]
        for entry in zones {
            let key = entry.path == "-" ? "-" : normalized(entry.path)
            if let earlier = seen[key] {
                throw .usage(
                    "--log-timezone names \(entry.path) twice (\(earlier) and \(entry.zone.name)); give one zone per path")
            }
            seen[key] = entry.zone.name
            guard inputs.contains(where: entry.covers) else {
                throw .usage(
                    "--log-timezone \(entry.path)=\(entry.zone.name): \(entry.path) is not among the inputs; "
                        + "PATH must be a file or folder given to ingest (or a file below such a folder), or - for stdin")
            }
        }
    }
}

/// Passes records on to `upstream`, turning the wall-clock times of log lines into UTC with
/// `zone` (when given) and counting the lines whose time named no zone.
final class LogClockSink: RecordSink {
    private let upstream: RecordSink
    private let zone: LogTimeZone?
    /// Log lines whose time named no zone.
    private(set) var localTimeLines = 0
    /// The last quarter hour of local time converted, and its offset (log lines come in time
    /// order, so a zone lookup is needed about once per quarter hour of log).
    private var cachedQuarter = Int64.min
    private var cachedOffsetNs: Int64 = 0

    init(_ upstream: RecordSink, zone: LogTimeZone?) {
        self.upstream = upstream
        self.zone = zone
    }

    func log(_ log: LogRecord) throws {
        if log.timeIsLocal, let ns = log.timeNs {
            localTimeLines += 1
            if let zone {
                let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns + 1) / 1_000_000_000 - 1
                let quarter = seconds >= 0 ? seconds / 900 : (seconds + 1) / 900 - 1
                if quarter != cachedQuarter {
                    cachedQuarter = quarter
                    cachedOffsetNs = Int64(zone.offsetSeconds(atLocal: seconds)) * 1_000_000_000
                }
                log.timeNs = ns - cachedOffsetNs
                log.timeIsLocal = false
            }
        }
        try upstream.log(log)
    }

    func resource(_ resource: ResourceRecord) throws { try upstream.resource(resource) }
    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws {
        try upstream.resource(resource, appliesSince: mark)
    }
    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {
        try upstream.scope(name: name, version: version, appliesSince: mark)
    }
    func span(_ span: SpanRecord) throws { try upstream.span(span) }
    func makeMark() throws -> RecordMark { try upstream.makeMark() }
}
