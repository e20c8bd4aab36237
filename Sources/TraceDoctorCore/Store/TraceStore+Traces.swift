// The read side of the diagnoses: every trace's spans, one trace's spans, a trace ID from what a
// user typed, and the IDs of log lines. Raw statement access on the hot paths (no Row decoding).

import Foundation
import GRDB
import GRDBSQLite

extension TraceStore: BatchedSpanSource {
    /// The processes of every resource, by row ID.
    func processes(_ db: Database) throws -> [Int64: SpanProcess] {
        var result: [Int64: SpanProcess] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, service, attributes FROM resources") {
            let id: Int64 = row[0]
            let service: String = row[1]
            let json: String = row[2]
            var attributes: [String: String] = [:]
            if let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] {
                for key in ["host.name", "ip", "hostname", "service.instance.id", "process.pid"] {
                    if let value = object[key] { attributes[key] = "\(value)" }
                }
            }
            result[id] = SpanProcess(service: service, attributes: attributes)
        }
        return result
    }

    /// Calls `body` with the spans of each trace (traces in ID order, spans in row order).
    public func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws {
        try loadSpans().forEachTrace(body)
    }

    /// The traces in batches of `size` that worker threads turn into spans themselves, in the
    /// order a windowed scan of the table completes them (`forEachTraceBatch(size:window:_:)`).
    func forEachTraceBatch(size: Int, _ body: (TraceBatch) throws -> Void) throws {
        try forEachTraceBatch(size: size, window: scanWindow) { batch, _ in try body(batch) }
    }

    /// The page cache of a connection while it scans the spans table (KiB, negative as SQLite
    /// takes it): one pass reads each page once, so a large cache would only hold memory.
    static let scanCacheSize = -8192

    /// Spans at or above this many rows are read by two connections at once, one half each.
    static let parallelLoadRows: Int64 = 200_000

    /// The whole spans table in memory. Read through SQLite's page cache, not the memory map the
    /// reader's connection otherwise uses: every page of the table that the map touches stays in
    /// the process's resident set until it exits (122 MB of the peak of `orphans` on a 157 k-span
    /// database, 57 MB the rest), where a cache of `scanCacheSize` holds at most 8 MB.
    func loadSpans(parallelFrom threshold: Int64 = parallelLoadRows) throws -> SpanTable {
        let (resources, maxID) = try read { db in
            (try processes(db), try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM spans") ?? 0)
        }
        let (mapSize, cacheSize) = try read { db in
            let before = (
                try Int64.fetchOne(db, sql: "PRAGMA mmap_size") ?? 0, try Int64.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            )
            try db.execute(sql: "PRAGMA mmap_size = 0")
            try db.execute(sql: "PRAGMA cache_size = \(Self.scanCacheSize)")
            return before
        }
        defer {
            try? read { db in
                try db.execute(sql: "PRAGMA mmap_size = \(mapSize)")
                try db.execute(sql: "PRAGMA cache_size = \(cacheSize)")
            }
        }
        guard maxID >= threshold, path != ":memory:" else {
            let table = SpanTable(resources: resources, expectedRows: Int(maxID))
            try read { db in try table.load(db, rows: 0, maxID) }
            return table
        }
        // The upper half on a second read-only connection, on another thread.
        let middle = maxID / 2
        let upper = SendableBox(SpanTable(resources: resources, expectedRows: Int(maxID - middle)))
        let failure = SendableBox<Error?>(nil)
        let path = self.path
        let access = self.access ?? .readOnly
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do {
                var config = Configuration()
                config.readonly = access != .queryOnly
                config.prepareDatabase { db in
                    if access == .queryOnly { try db.execute(sql: "PRAGMA query_only = ON") }
                    // Through a small page cache, as the lower half (see above).
                    try db.execute(sql: "PRAGMA cache_size = \(TraceStore.scanCacheSize)")
                    try db.execute(sql: "PRAGMA mmap_size = 0")
                }
                let queue = try DatabaseQueue(path: access.filename(path), configuration: config)
                try queue.inDatabase { db in
                    let token = db.sqliteConnection.map(Interruption.add)
                    defer { token.map(Interruption.remove) }
                    try upper.value.load(db, rows: middle, maxID)
                }
                try queue.close()
            } catch {
                failure.value = error
            }
            done.signal()
        }
        let lower = SpanTable(resources: resources, expectedRows: Int(maxID))
        let lowerFailure: Error?
        do {
            try read { db in try lower.load(db, rows: 0, middle) }
            lowerFailure = nil
        } catch {
            lowerFailure = error
        }
        done.wait()
        if let error = lowerFailure ?? failure.value { throw error }
        lower.append(upper.value)
        return lower
    }

    /// Calls `body` with the IDs, service and time of every log line.
    public func forEachLog(_ body: (LogReference) throws -> Void) throws {
        try read { db in
            let statement = try db.makeStatement(sql: "SELECT trace_id, span_id, service, time_ns, id FROM logs")
            let s = statement.sqliteStatement
            let services = ByteInterner(capacity: 64)
            while sqlite3_step(s) == SQLITE_ROW {
                var traceID: TraceID?
                if let text = sqlite3_column_text(s, 0), sqlite3_column_bytes(s, 0) == 32 {
                    let hi = IDParser.parseHex64(UnsafeBufferPointer(start: text, count: 16)) ?? 0
                    let lo = IDParser.parseHex64(UnsafeBufferPointer(start: text + 16, count: 16)) ?? 0
                    traceID = TraceID(high: hi, low: lo)
                }
                var spanID: SpanID?
                if let text = sqlite3_column_text(s, 1), sqlite3_column_bytes(s, 1) == 16 {
                    spanID = IDParser.parseHex64(UnsafeBufferPointer(start: text, count: 16)).map(SpanID.init)
                }
                // Intern first: `services.strings[...intern(...)]` reads the array before the
                // new string is appended to it (index out of range on every new service).
                let serviceIndex = services.intern(
                    UnsafeRawBufferPointer(start: sqlite3_column_text(s, 2), count: Int(sqlite3_column_bytes(s, 2))))
                let service = services.strings[Int(serviceIndex)]
                let time: Int64? = sqlite3_column_type(s, 3) == SQLITE_NULL ? nil : sqlite3_column_int64(s, 3)
                try body(
                    LogReference(traceID: traceID, spanID: spanID, service: service, timeNs: time, rowID: sqlite3_column_int64(s, 4)))
            }
        }
    }

    /// The spans of one trace, in row order.
    public func spans(ofTrace id: TraceID) throws(TraceDoctorError) -> [AnalysisSpan] {
        try spans(ofTraces: [id]).first ?? []
    }

    /// The spans of each trace, in row order (an unknown trace gives an empty list).
    public func spans(ofTraces ids: [TraceID]) throws(TraceDoctorError) -> [[AnalysisSpan]] {
        try read { db in
            let resources = try processes(db)
            let statement = try db.makeStatement(sql: "SELECT \(SpanTable.columns) FROM spans WHERE trace_id = ? ORDER BY id")
            return try ids.map { id in
                let table = SpanTable(resources: resources)
                try statement.setArguments([id.hex])
                try table.load(statement.sqliteStatement)
                let reader = table.reader
                return (0..<table.count).map(reader.span)
            }
        }
    }

    /// Traces other than `excluded` with a span running at some time in `start...end` (at most
    /// `limit` traces). A span running then began at most the longest stored span's duration
    /// before `start` (`span_bounds`, capped at `lookback`): that bounds the range of the
    /// `spans_by_time` index read — ~1 ms on 1 M spans, where a one-hour bound read 0.1 s of index.
    public func traceIDs(
        runningBetween start: Int64, and end: Int64, excluding excluded: TraceID, limit: Int,
        lookback: Int64 = 3_600_000_000_000
    ) throws(TraceDoctorError) -> [TraceID] {
        // No DISTINCT: it would make SQLite walk the trace-ID index and fetch every row from it.
        let rows = try read { db in
            let longest = try Int64.fetchOne(db, sql: "SELECT max_duration_ns FROM span_bounds") ?? lookback
            return try String.fetchAll(
                db,
                sql: "SELECT trace_id FROM spans WHERE start_ns <= ? AND start_ns >= ? AND end_ns >= ? LIMIT ?",
                arguments: [end, start - min(longest, lookback), start, limit * 64])
        }
        var seen = Set<String>([excluded.hex])
        var ids: [TraceID] = []
        for row in rows where ids.count < limit && seen.insert(row).inserted {
            if let id = TraceID(hex: row) { ids.append(id) }
        }
        return ids
    }

    /// The stored trace a user's argument names: any unique hex prefix, a 64-bit ID (matching the
    /// low half of a 128-bit one), base64, or a decimal Datadog ID.
    public func resolveTraceID(_ text: String) throws(TraceDoctorError) -> TraceID {
        let query = try TraceIDQuery(text)
        let matches: [String] = try read { db in
            var found: [String] = []
            func add(_ ids: [String]) { for id in ids where !found.contains(id) { found.append(id) } }
            for reading in query.readings {
                switch reading {
                case .hexPrefix(let prefix):
                    let upper = prefix + String(repeating: "f", count: 32 - prefix.count)
                    add(try String.fetchAll(
                        db, sql: "SELECT DISTINCT trace_id FROM spans WHERE trace_id BETWEEN ? AND ? LIMIT 11",
                        arguments: [prefix, upper]))
                case .exact(let id):
                    add(try String.fetchAll(
                        db, sql: "SELECT DISTINCT trace_id FROM spans WHERE trace_id = ?", arguments: [id.hex]))
                case .low64(let low):
                    add(try String.fetchAll(
                        db, sql: "SELECT DISTINCT trace_id FROM spans WHERE trace_id = ?",
                        arguments: [TraceID(high: 0, low: low).hex]))
                }
            }
            if found.isEmpty {
                // A 64-bit ID against 128-bit ones: a scan of the index, only when nothing else matched.
                for case .low64(let low) in query.readings {
                    add(try String.fetchAll(
                        db, sql: "SELECT DISTINCT trace_id FROM spans WHERE substr(trace_id, 17) = ? LIMIT 11",
                        arguments: [HexID.render(low)]))
                }
            }
            return found
        }
        if matches.count == 1, let id = TraceID(hex: matches[0]) { return id }
        if matches.count > 1 { throw .ambiguousTraceID(query: text, matches: matches.sorted()) }
        throw .traceNotFound(query: text, closest: try closestTraceIDs(to: query))
    }

    /// Stored trace IDs next to where the argument would sort, for the "not found" message.
    private func closestTraceIDs(to query: TraceIDQuery) throws(TraceDoctorError) -> [String] {
        var prefix = ""
        for case .hexPrefix(let p) in query.readings { prefix = p }
        return try read { db in
            let after = try String.fetchAll(
                db, sql: "SELECT DISTINCT trace_id FROM spans WHERE trace_id >= ? ORDER BY trace_id LIMIT 2", arguments: [prefix])
            let before = try String.fetchAll(
                db, sql: "SELECT DISTINCT trace_id FROM spans WHERE trace_id < ? ORDER BY trace_id DESC LIMIT 1",
                arguments: [prefix])
            return before + after
        }
    }
}
