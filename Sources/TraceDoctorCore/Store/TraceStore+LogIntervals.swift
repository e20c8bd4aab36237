// Log intervals in the database (`log_intervals`, schema v4): built from the log rows an ingest
// adds, together with the loose ends stored before (a start still waiting for its end, an end
// that came first), so that a start and its end in two files still pair. Read back by the trace
// IDs and log rows of a trace, or by service and time.

import Foundation
import GRDB

extension Schema {
    static let v4 = """
        -- Timed intervals rebuilt from log events (start/end pairs, lines with a duration); never spans.
        CREATE TABLE log_intervals (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('pair', 'duration', 'unfinished', 'end_without_start')),
            name TEXT NOT NULL,
            label TEXT NOT NULL,
            start_ns INTEGER,
            end_ns INTEGER,
            service TEXT NOT NULL,
            failed INTEGER NOT NULL DEFAULT 0 CHECK (failed IN (0, 1)),
            start_log_id INTEGER REFERENCES logs(id),
            end_log_id INTEGER REFERENCES logs(id),
            keys TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(keys)),
            trace_id TEXT CHECK (trace_id IS NULL OR length(trace_id) = 32),
            span_id TEXT CHECK (span_id IS NULL OR length(span_id) = 16),
            note TEXT
        ) STRICT;
        CREATE INDEX log_intervals_by_trace ON log_intervals(trace_id) WHERE trace_id IS NOT NULL;
        CREATE INDEX log_intervals_by_service_time ON log_intervals(service, start_ns);
        CREATE INDEX log_intervals_by_start_log ON log_intervals(start_log_id);
        CREATE INDEX log_intervals_by_end_log ON log_intervals(end_log_id);
        """

    /// Creates the table and builds the intervals of the logs already stored, with the default rules.
    static func v4(_ db: Database) throws {
        try db.execute(sql: v4)
        _ = try TraceStore.buildLogIntervals(db, rows: nil, rules: .defaults)
    }
}

extension Schema {
    /// Indexes of `log_intervals` for what reads it: the trace's intervals are found through its
    /// log lines (`logs_by_trace_span`, then the start and end row indexes), so the index on
    /// `trace_id` — random keys, a third of the cost of storing an interval — goes; the loose
    /// ends every interval pass (and every `receive` request) starts from get a partial index.
    static let v5 = """
        DROP INDEX IF EXISTS log_intervals_by_trace;
        CREATE INDEX log_intervals_loose ON log_intervals(kind)
            WHERE kind IN ('unfinished', 'end_without_start') OR note IS NOT NULL;
        """
}

extension TraceStore {
    /// Builds the intervals of log rows `rows` (all rows when nil) and of the loose ends stored
    /// before, replacing those loose ends. Returns how many intervals of each kind were stored.
    /// When the rows were written with `intervalCandidateTest` set, only the candidate rows kept
    /// then are read (`intervalCandidates`, emptied here) instead of testing every row in SQL.
    public func buildLogIntervals(rows: ClosedRange<Int64>, rules: LogIntervalRules) throws(TraceDoctorError)
        -> [LogInterval.Kind: Int]
    {
        let candidates = intervalCandidateTest == nil ? nil : intervalCandidates
        intervalCandidates = []
        let spill = intervalSpill
        let stale = intervalSpillStaleRows
        defer {
            spill?.removeAll()
            intervalSpillStaleRows = []
        }
        let spilled = try spill.map { spill throws(TraceDoctorError) in
            SpilledCandidates(reader: try IntervalCandidateSpill.Reader(spill), staleRows: stale, filter: IntervalAttributeFilter(rules))
        }
        return try read { db in
            var counts: [LogInterval.Kind: Int] = [:]
            // The interval indexes take random keys: a larger page cache while they grow (64 MB).
            let cacheSize = try Int64.fetchOne(db, sql: "PRAGMA cache_size") ?? -16384
            try db.execute(sql: "PRAGMA cache_size = -65536")
            // The pass names only log rows it has just read or written: checking each reference
            // would cost two lookups in `logs` per interval (as the ingest, it turns them off).
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer {
                try? db.execute(sql: "PRAGMA foreign_keys = ON")
                try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)")
            }
            // The write lock first (another ingest may be storing files): no snapshot to upgrade.
            try db.inTransaction(.immediate) {
                counts = try Self.buildLogIntervals(db, rows: rows, rules: rules, candidates: candidates, spilled: spilled)
                return .commit
            }
            return counts
        }
    }

    /// The candidate lines kept as they were written (`IntervalCandidateSpill`), read in row order
    /// slice by slice; the rows of `staleRows` are read from the table instead.
    final class SpilledCandidates {
        let reader: IntervalCandidateSpill.Reader
        let staleRows: [ClosedRange<Int64>]
        let filter: IntervalAttributeFilter

        init(reader: IntervalCandidateSpill.Reader, staleRows: [ClosedRange<Int64>], filter: IntervalAttributeFilter) {
            self.reader = reader
            self.staleRows = staleRows
            self.filter = filter
        }

        func isStale(_ row: Int64) -> Bool { staleRows.contains { $0.contains(row) } }
    }

    /// The SQL test that a row may open, close or time an interval: a cheap filter in SQLite, so
    /// that only these rows are parsed.
    static func intervalCandidateFilter(_ rules: LogIntervalRules) -> (sql: String, arguments: [String]) {
        var terms: [String] = []
        var arguments: [String] = []
        for suffix in rules.startSuffixes + rules.endSuffixes.map(\.suffix) {
            terms.append("instr(body, ?) > 0 OR instr(attributes, ?) > 0")
            arguments += [suffix, suffix]
        }
        for field in rules.durations.map(\.field) {
            terms.append("instr(attributes, ?) > 0")
            arguments.append("\"" + field + "\":")
        }
        for (suffix, _) in LogIntervalBuilder.nameUnits {
            terms.append("instr(attributes, ?) > 0")
            arguments.append(suffix + "\":")
        }
        return (terms.isEmpty ? "0" : "(" + terms.joined(separator: " OR ") + ")", arguments)
    }

    /// Log rows read and built at a time: the lines of one slice (and the loose ends carried from
    /// the slices before, through the table) are all that is held, whatever the file's size.
    static let intervalSliceRows: Int64 = 50_000

    /// `candidates` (ascending row IDs): the rows of `rows` that may make an interval, found as they
    /// were written (`IntervalCandidateTest`); nil to find them with `intervalCandidateFilter`.
    static func buildLogIntervals(
        _ db: Database, rows: ClosedRange<Int64>?, rules: LogIntervalRules, candidates: [Int64]? = nil,
        spilled: SpilledCandidates? = nil, sliceRows: Int64 = intervalSliceRows
    ) throws -> [LogInterval.Kind: Int] {
        let range: ClosedRange<Int64>
        if let rows {
            range = rows
        } else {
            guard let last = try Int64.fetchOne(db, sql: "SELECT max(id) FROM logs") else { return [:] }
            range = 1...max(1, last)
        }
        if let spilled, spilled.staleRows.isEmpty {
            return try buildSpilledLogIntervals(db, rows: range, rules: rules, spilled: spilled, sliceRows: sliceRows)
        }
        // Intervals this build stores; a slice re-reads the loose ends stored before it (and stores
        // again those still loose), so those of earlier slices are counted once, where they end up.
        let firstNew = try Int64.fetchOne(db, sql: "SELECT max(id) FROM log_intervals") ?? 0
        // The loose ends are found once (a scan of the table); each slice then replaces them.
        var loose = try Row.fetchAll(
            db,
            sql: "SELECT id, coalesce(start_log_id, end_log_id) AS row, kind FROM log_intervals WHERE \(looseEnds)"
        ).map { LooseEnd(id: $0["id"], logRow: $0["row"], kind: LogInterval.Kind(rawValue: $0["kind"]) ?? .duration) }
        var counts: [LogInterval.Kind: Int] = [:]
        var low = range.lowerBound
        while low <= range.upperBound {
            let high = min(range.upperBound, low &+ max(1, sliceRows) &- 1)
            var slice: ArraySlice<Int64>?
            if let candidates {
                let from = Self.firstIndex(in: candidates, notBelow: low)
                let to = Self.firstIndex(in: candidates, notBelow: high &+ 1)
                slice = candidates[from..<to]
            }
            let before = loose
            let built = try buildLogIntervalSlice(
                db, rows: low...high, rules: rules, candidates: slice, spilled: spilled, loose: &loose)
            if !built.isEmpty || loose.map(\.id) != before.map(\.id) {
                // The loose ends this build stored before are stored again (or paired): count them once.
                for end in before where end.id > firstNew { counts[end.kind, default: 0] -= 1 }
            }
            for (kind, n) in built { counts[kind, default: 0] += n }
            low = high + 1
        }
        return counts.filter { $0.value > 0 }
    }

    /// Which stored intervals wait for more lines: a start without its end, an end without its
    /// start, or an interval with a note (paired, but a later line may pair better).
    static let looseEnds = "kind IN ('unfinished', 'end_without_start') OR note IS NOT NULL"

    /// A stored loose end: its interval's row ID, its log row (start or end) and its kind.
    struct LooseEnd {
        let id: Int64
        let logRow: Int64
        let kind: LogInterval.Kind
    }

    /// The index of the first element of ascending `values` that is `bound` or more.
    static func firstIndex(in values: [Int64], notBelow bound: Int64) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < bound { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Builds the intervals of rows `rows` and of the stored loose ends `loose`, which it replaces
    /// (in the table and in `loose`) with the loose ends it stores.
    static func buildLogIntervalSlice(
        _ db: Database, rows: ClosedRange<Int64>, rules: LogIntervalRules, candidates: ArraySlice<Int64>? = nil,
        spilled: SpilledCandidates? = nil, loose looseEnds: inout [LooseEnd]
    ) throws -> [LogInterval.Kind: Int] {
        let filter = intervalCandidateFilter(rules)
        let range = "id BETWEEN \(rows.lowerBound) AND \(rows.upperBound)"
        // Loose ends stored before: their rows are read again and may pair now.
        let loose = looseEnds.map(\.logRow)
        let looseSet = Set(loose)
        var lines: [LogIntervalBuilder.Line] = []
        func add(_ row: Row) {
            if let line = storedLine(row) { lines.append(line) }
        }
        let columns = "id, time_ns, service, body, attributes, trace_id, span_id"
        func readRows(_ ids: [Int64]) throws {
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
                let cursor = try Row.fetchCursor(
                    db, sql: "SELECT \(columns) FROM logs WHERE id IN (\(marks)) AND time_ns IS NOT NULL ORDER BY id",
                    arguments: StatementArguments(part))
                while let row = try cursor.next() { add(row) }
            }
        }
        if let spilled {
            // Kept as they were written: decoded here, except the rows changed since (read below).
            var stale: [Int64] = []
            while let row = try spilled.reader.peekRowID(), row <= rows.upperBound {
                guard let record = try spilled.reader.next() else { break }
                guard row >= rows.lowerBound, !looseSet.contains(row) else { continue }
                if spilled.isStale(row) {
                    stale.append(row)
                    continue
                }
                let attributes =
                    spilled.filter.members(of: record.attributes)
                    ?? ((try? JSONSerialization.jsonObject(with: Data(record.attributes))) as? [String: Any] ?? [:])
                lines.append(
                    LogIntervalBuilder.Line(
                        rowID: row, timeNs: record.timeNs, service: record.service, body: record.body,
                        attributes: attributes, traceID: record.traceID, spanID: record.spanID))
            }
            try readRows(stale)
        } else if let candidates {
            // Found as the rows were written: read those (a row deleted since, as a repeat, is not found).
            try readRows(candidates.filter { !looseSet.contains($0) })
        } else {
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT \(columns) FROM logs WHERE \(range) AND time_ns IS NOT NULL AND \(filter.sql)",
                arguments: StatementArguments(filter.arguments))
            while let row = try cursor.next() {
                if !looseSet.contains(row["id"]) { add(row) }
            }
        }
        for chunk in stride(from: 0, to: loose.count, by: 500) {
            let part = Array(loose[chunk..<min(chunk + 500, loose.count)])
            let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
            for row in try Row.fetchAll(db, sql: "SELECT \(columns) FROM logs WHERE id IN (\(marks))", arguments: StatementArguments(part)) {
                add(row)
            }
        }
        guard !lines.isEmpty else { return [:] }
        let stale = looseEnds.map(\.id)
        for chunk in stride(from: 0, to: stale.count, by: 500) {
            let part = Array(stale[chunk..<min(chunk + 500, stale.count)])
            let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
            try db.execute(sql: "DELETE FROM log_intervals WHERE id IN (\(marks))", arguments: StatementArguments(part))
        }
        looseEnds = []
        let intervals = LogIntervalBuilder.build(lines, rules: rules)
        var counts: [LogInterval.Kind: Int] = [:]
        try insertLogIntervals(db, intervals) { interval, id in
            counts[interval.kind, default: 0] += 1
            if Self.isLooseEnd(interval), let row = interval.startRow ?? interval.endRow {
                looseEnds.append(LooseEnd(id: id, logRow: row, kind: interval.kind))
            }
        }
        return counts
    }

    /// Whether a later line may still pair with `interval` (see `looseEnds`).
    static func isLooseEnd(_ interval: LogInterval) -> Bool {
        interval.kind == .unfinished || interval.kind == .endWithoutStart || interval.note != nil
    }

    /// Inserts `intervals`, calling `stored` with each and its row ID.
    static func insertLogIntervals(_ db: Database, _ intervals: [LogInterval], stored: (LogInterval, Int64) -> Void) throws {
        try LogIntervalBatch(intervals).insert(db) { index, id, _ in stored(intervals[index], id) }
    }

    /// The keys as a JSON object with sorted members (`{}` when none), as
    /// `JSONSerialization` with `.sortedKeys` writes it; a later value of a key wins.
    static func keysJSON(_ keys: [(String, String)]) -> String {
        guard !keys.isEmpty else { return "{}" }
        var unique: [String: String] = [:]
        for (k, v) in keys { unique[k] = v }
        // Plain printable ASCII needs no escape; anything else is left to Foundation's writer.
        func plain(_ s: String) -> Bool {
            s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "/") }
        }
        guard unique.allSatisfy({ plain($0.key) && plain($0.value) }) else {
            return String(
                decoding: (try? JSONSerialization.data(withJSONObject: unique, options: [.sortedKeys])) ?? Data("{}".utf8),
                as: UTF8.self)
        }
        return "{" + unique.sorted { $0.key < $1.key }.map { "\"" + $0.key + "\":\"" + $0.value + "\"" }.joined(separator: ",") + "}"
    }

    static let intervalColumns = """
        kind, name, label, start_ns, end_ns, service, failed, start_log_id, end_log_id, keys, trace_id, span_id, note
        """

    static func storedInterval(_ row: Row) -> LogInterval {
        let keysText: String = row["keys"]
        let object = (try? JSONSerialization.jsonObject(with: Data(keysText.utf8))) as? [String: String] ?? [:]
        let failed: Int = row["failed"]
        return LogInterval(
            kind: LogInterval.Kind(rawValue: row["kind"]) ?? .duration, name: row["name"], label: row["label"],
            startNs: row["start_ns"], endNs: row["end_ns"], service: row["service"], failed: failed != 0,
            startRow: row["start_log_id"], endRow: row["end_log_id"], keys: object.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            traceID: (row["trace_id"] as String?).flatMap { TraceID(hex: $0) },
            spanID: (row["span_id"] as String?).flatMap { SpanID(hex: $0) }, note: row["note"])
    }

    /// The intervals whose lines name trace `trace`, or whose start or end is one of `rows`
    /// (lines joined by key or time), or that run in `service` during one of `windows`.
    public func logIntervals(
        trace: TraceID?, rows: [Int64], windows: [(service: String, from: Int64, to: Int64)], longestNs: Int64? = nil
    ) throws(TraceDoctorError) -> [LogInterval] {
        try read { db in
            var found: [Int64: LogInterval] = [:]
            func take(_ sql: String, _ arguments: StatementArguments) throws {
                for row in try Row.fetchAll(db, sql: "SELECT id, \(Self.intervalColumns) FROM log_intervals WHERE " + sql, arguments: arguments) {
                    found[row["id"]] = Self.storedInterval(row)
                }
            }
            if let trace {
                // Through the lines of the trace (schema v5 has no index on log_intervals.trace_id):
                // an interval takes its trace ID from its start line, else from its end line.
                try take(
                    """
                    trace_id = ?1 AND (start_log_id IN (SELECT id FROM logs WHERE trace_id = ?1)
                        OR end_log_id IN (SELECT id FROM logs WHERE trace_id = ?1))
                    """, [trace.hex])
            }
            for chunk in stride(from: 0, to: rows.count, by: 400) {
                let part = Array(rows[chunk..<min(chunk + 400, rows.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
                try take("start_log_id IN (\(marks)) OR end_log_id IN (\(marks))", StatementArguments(part + part))
            }
            let longest = try longestNs ?? Self.longestLogInterval(db)
            for w in windows {
                try take(
                    "service = ? AND start_ns BETWEEN ? AND ? AND coalesce(end_ns, ?) > ?",
                    [w.service, w.from - longest, w.to, Int64.max, w.from])
            }
            return found.sorted { $0.key < $1.key }.map(\.value)
        }
    }

    /// The longest finished interval stored (0 when none): an interval running at t started at most that long before.
    public func longestLogIntervalNs() throws(TraceDoctorError) -> Int64 {
        try read { db in try Self.longestLogInterval(db) }
    }

    static func longestLogInterval(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(end_ns - start_ns), 0) FROM log_intervals") ?? 0
    }

    /// Every interval, by start (`tracedoctor gaps`, tests).
    public func allLogIntervals() throws(TraceDoctorError) -> [LogInterval] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.intervalColumns) FROM log_intervals ORDER BY coalesce(start_ns, end_ns), id")
                .map(Self.storedInterval)
        }
    }
}
