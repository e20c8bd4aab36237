// Log intervals (`log_interval`): a start event and its end (`node_start` … `node_complete`,
// paired by the correlation keys both carry), or one line with a duration (`"duration": 0.24`),
// become a timed interval. Never a span: evidence for what filled an `unaccounted_time` gap.
// Pure: the lines come in, the intervals go out (`TraceStore` reads and stores them).

import Foundation

/// A timed interval rebuilt from log events.
public struct LogInterval: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A start line and its end line.
        case pair
        /// One line with a duration: it ended at the line's time.
        case duration
        /// A start line with no end: still running when the capture ends.
        case unfinished
        /// An end line with no start and no duration: no interval, only a note.
        case endWithoutStart = "end_without_start"
    }

    public var kind: Kind
    /// The event's base name (`node` for `node_start`), or the message of a duration line.
    public var name: String
    /// For a person: `node llm-1 completed`.
    public var label: String
    /// Unix ns on the log's clock; nil for an end without a start.
    public var startNs: Int64?
    /// Nil while unfinished.
    public var endNs: Int64?
    public var service: String
    /// The end said it failed (`_error`, `_failed`).
    public var failed: Bool
    /// The log rows of its start and its end (a duration line is the end).
    public var startRow: Int64?
    public var endRow: Int64?
    /// The correlation keys it was paired by (or the line carried), in rules order.
    public var keys: [(String, String)]
    public var traceID: TraceID?
    public var spanID: SpanID?
    /// Why it is not a pair although it could be (`2 open starts share its keys`).
    public var note: String?

    public var durationNs: Int64? {
        guard let startNs, let endNs else { return nil }
        return endNs - startNs
    }

    public static func == (a: LogInterval, b: LogInterval) -> Bool {
        a.kind == b.kind && a.name == b.name && a.label == b.label && a.startNs == b.startNs && a.endNs == b.endNs
            && a.service == b.service && a.failed == b.failed && a.startRow == b.startRow && a.endRow == b.endRow
            && a.keys.map(\.0) == b.keys.map(\.0) && a.keys.map(\.1) == b.keys.map(\.1) && a.traceID == b.traceID
            && a.spanID == b.spanID && a.note == b.note
    }
}

public enum LogIntervalBuilder {
    /// A log line that may open, close or time an interval.
    public struct Line {
        public var rowID: Int64
        public var timeNs: Int64
        public var service: String
        public var body: String
        /// The line's attributes (top-level members).
        public var attributes: [String: Any]
        public var traceID: TraceID?
        public var spanID: SpanID?

        public init(
            rowID: Int64, timeNs: Int64, service: String, body: String, attributes: [String: Any],
            traceID: TraceID? = nil, spanID: SpanID? = nil
        ) {
            self.rowID = rowID
            self.timeNs = timeNs
            self.service = service
            self.body = body
            self.attributes = attributes
            self.traceID = traceID
            self.spanID = spanID
        }
    }

    /// The event name of a line: an event field, else a one-word message.
    static func event(of line: Line, rules: LogIntervalRules) -> String? {
        for field in rules.eventFields {
            if let name = line.attributes[field] as? String, !name.isEmpty { return name }
        }
        return oneWord(line.body)
    }

    /// A message that is one word (letters, digits, `_.:-`; at most 80 characters) after its
    /// spaces are trimmed, else nil. ASCII is tested byte by byte; other text with `CharacterSet`.
    static func oneWord(_ message: String) -> String? {
        var utf8 = message.utf8[...]
        if utf8.allSatisfy({ $0 < 0x80 }) {
            while let first = utf8.first, first == 0x20 || first == 0x09 { utf8 = utf8.dropFirst() }
            while let last = utf8.last, last == 0x20 || last == 0x09 { utf8 = utf8.dropLast() }
            guard !utf8.isEmpty, utf8.count <= 80,
                utf8.allSatisfy({ b in
                    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                        || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":") || b == UInt8(ascii: "-")
                })
            else { return nil }
            return String(Substring(utf8))
        }
        let body = message.trimmingCharacters(in: .whitespaces)
        guard !body.isEmpty, body.count <= 80,
            body.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "_.:-".unicodeScalars.contains($0) })
        else { return nil }
        return body
    }

    /// The key values a line carries, in rules order.
    static func keys(of line: Line, rules: LogIntervalRules) -> [(String, String)] {
        rules.keys.compactMap { key in
            switch line.attributes[key] {
            case let s as String where !s.isEmpty: (key, s)
            case let n as NSNumber: (key, n.stringValue)
            default: nil
            }
        }
    }

    /// Unit suffixes of duration field names not listed in the rules (`wait_ms`).
    static let nameUnits: [(String, Double)] = [
        ("_millis", 1e6), ("_seconds", 1e9), ("_sec", 1e9), ("_ms", 1e6), ("_us", 1e3), ("_ns", 1), ("_s", 1e9),
    ]

    /// The duration a line carries, in ns: the first rules field present, else a field named with
    /// a unit suffix.
    static func duration(of line: Line, rules: LogIntervalRules) -> Int64? {
        for rule in rules.durations {
            if let value = line.attributes[rule.field], let ns = nanoseconds(value, unitNs: rule.unitNs) { return ns }
        }
        for (field, value) in line.attributes.sorted(by: { $0.key < $1.key }) {
            guard let (_, unit) = nameUnits.first(where: { field.hasSuffix($0.0) && field.count > $0.0.count }),
                let ns = nanoseconds(value, unitNs: unit)
            else { continue }
            return ns
        }
        return nil
    }

    /// A number in `unitNs` units, or a string with a unit of its own ("240ms", "1.5 s").
    static func nanoseconds(_ value: Any, unitNs: Double) -> Int64? {
        var number: Double?
        var unit = unitNs
        if let n = value as? NSNumber, String(cString: n.objCType) != "c" {
            number = n.doubleValue
        } else if let s = value as? String {
            let text = s.trimmingCharacters(in: .whitespaces)
            let digits = text.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "e" || $0 == "E" || $0 == "+" }
            let rest = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
            number = Double(digits)
            if !rest.isEmpty {
                guard let u = LogIntervalRules.units[rest] else { return nil }
                unit = u
            }
        }
        guard let number, number.isFinite, number >= 0, number * unit < 1e18 else { return nil }
        return Int64((number * unit).rounded())
    }

    /// `node_start` → (`node`, start); `node_complete` → (`node`, end suffix).
    static func split(_ event: String, rules: LogIntervalRules) -> (base: String, end: LogIntervalRules.EndSuffix?, isStart: Bool)? {
        let lower = event.lowercased()
        if let s = rules.startSuffixes.first(where: { lower.hasSuffix($0) && lower.count > $0.count }) {
            return (String(event.dropLast(s.count)), nil, true)
        }
        if let e = rules.endSuffixes.first(where: { lower.hasSuffix($0.suffix) && lower.count > $0.suffix.count }) {
            return (String(event.dropLast(e.suffix.count)), e, false)
        }
        return nil
    }

    static func label(base: String, keys: [(String, String)], word: String?) -> String {
        var parts = [base.utf8.contains(UInt8(ascii: "_")) ? String(base.map { $0 == "_" ? " " : $0 }) : base]
        if let first = keys.first { parts.append(first.1) }
        if let word { parts.append(word) }
        return parts.joined(separator: " ")
    }

    /// Builds the intervals of `lines` (any order).
    public static func build(_ lines: [Line], rules: LogIntervalRules) -> [LogInterval] {
        struct Open {
            var line: Line
            var base: String
            var keys: [(String, String)]
            var taken = false
        }
        var open: [String: [Open]] = [:]
        var result: [LogInterval] = []
        // Indices sorted, not the lines (each holds strings and a dictionary: moving them costs).
        let lineKeys = lines.map { ($0.timeNs, $0.rowID) }
        let order = lineKeys.indices.sorted { (lineKeys[$0].0, lineKeys[$0].1, $0) < (lineKeys[$1].0, lineKeys[$1].1, $1) }
        for index in order {
            let line = lines[index]
            let keys = keys(of: line, rules: rules)
            let event = event(of: line, rules: rules)
            let parts = event.flatMap { split($0, rules: rules) }
            if let parts, parts.isStart {
                open[parts.base.lowercased(), default: []].append(Open(line: line, base: parts.base, keys: keys))
                continue
            }
            let duration = duration(of: line, rules: rules)
            var note: String?
            if let parts, let end = parts.end {
                // The open starts of this base that share a key with the end and disagree on none;
                // the ones sharing the most keys win, and a tie pairs nothing.
                var best: [Int] = []
                var bestShared = 0
                for (k, start) in (open[parts.base.lowercased()] ?? []).enumerated() where !start.taken {
                    var shared = 0
                    var conflict = false
                    for (key, value) in start.keys {
                        guard let other = keys.first(where: { $0.0 == key }) else { continue }
                        if other.1 == value { shared += 1 } else { conflict = true }
                    }
                    guard shared > 0 && !conflict else { continue }
                    if shared > bestShared {
                        best = [k]
                        bestShared = shared
                    } else if shared == bestShared {
                        best.append(k)
                    }
                }
                if best.count == 1 {
                    let k = best[0]
                    open[parts.base.lowercased()]![k].taken = true
                    let start = open[parts.base.lowercased()]![k]
                    let merged = start.keys + keys.filter { key in !start.keys.contains { $0.0 == key.0 } }
                    result.append(
                        LogInterval(
                            kind: .pair, name: parts.base, label: label(base: parts.base, keys: merged, word: end.word),
                            startNs: start.line.timeNs, endNs: line.timeNs, service: line.service, failed: end.failed,
                            startRow: start.line.rowID, endRow: line.rowID, keys: merged,
                            traceID: start.line.traceID ?? line.traceID, spanID: start.line.spanID ?? line.spanID, note: nil))
                    continue
                }
                if best.count > 1 {
                    note = "\(best.count) open `\(parts.base)` starts share its keys: paired with none"
                }
                if let duration {
                    result.append(
                        LogInterval(
                            kind: .duration, name: parts.base, label: label(base: parts.base, keys: keys, word: end.word),
                            startNs: line.timeNs - duration, endNs: line.timeNs, service: line.service, failed: end.failed,
                            startRow: nil, endRow: line.rowID, keys: keys, traceID: line.traceID, spanID: line.spanID,
                            note: note))
                } else {
                    result.append(
                        LogInterval(
                            kind: .endWithoutStart, name: parts.base, label: label(base: parts.base, keys: keys, word: end.word),
                            startNs: nil, endNs: line.timeNs, service: line.service, failed: end.failed, startRow: nil,
                            endRow: line.rowID, keys: keys, traceID: line.traceID, spanID: line.spanID,
                            note: note ?? "no `\(parts.base)` start with its keys"))
                }
                continue
            }
            guard let duration else { continue }
            let name = event ?? String(line.body.prefix(60))
            result.append(
                LogInterval(
                    kind: .duration, name: name, label: label(base: name, keys: keys, word: nil),
                    startNs: line.timeNs - duration, endNs: line.timeNs, service: line.service, failed: false, startRow: nil,
                    endRow: line.rowID, keys: keys, traceID: line.traceID, spanID: line.spanID, note: nil))
        }
        for starts in open.values {
            for start in starts where !start.taken {
                result.append(
                    LogInterval(
                        kind: .unfinished, name: start.base, label: label(base: start.base, keys: start.keys, word: "started, unfinished"),
                        startNs: start.line.timeNs, endNs: nil, service: start.line.service, failed: false,
                        startRow: start.line.rowID, endRow: nil, keys: start.keys, traceID: start.line.traceID,
                        spanID: start.line.spanID, note: nil))
            }
        }
        // By start, ties in the order made (a stable sort of the intervals themselves).
        let resultKeys = result.map { ($0.startNs ?? $0.endNs ?? 0, $0.startRow ?? $0.endRow ?? 0) }
        return resultKeys.indices.sorted { (resultKeys[$0].0, resultKeys[$0].1, $0) < (resultKeys[$1].0, resultKeys[$1].1, $1) }
            .map { result[$0] }
    }
}
