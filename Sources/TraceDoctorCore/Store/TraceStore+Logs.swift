// The read side of the logs for `explain` and `logs`: the lines of a trace (or one span of it),
// the lines without a trace ID written in a service's time window, and every line for the
// whole-database questions (`log_unlinked`, `log_dangling`). Each per-trace query goes through
// an index (`logs_by_trace_span`, `logs_by_service_time`).

import GRDB

extension TraceStore {
    /// The columns `StoredLog` is made of, `logs` joined with the file each line came from.
    static let logColumns = """
        logs.id, logs.time_ns, logs.severity_number, logs.severity_text, logs.body, logs.trace_id, logs.span_id,
        logs.service, logs.attributes, sources.path, logs.source_line
        """

    static func storedLog(_ row: Row) -> StoredLog {
        StoredLog(
            rowID: row[0], timeNs: row[1], severityNumber: row[2], severityText: row[3], body: row[4],
            traceID: (row[5] as String?).flatMap { TraceID(hex: $0) }, spanID: (row[6] as String?).flatMap { SpanID(hex: $0) },
            service: row[7], attributes: row[8], sourcePath: row[9], sourceLine: row[10])
    }

    /// The trace-ID spellings a log line of trace `id` may carry: the ID itself and, for a 128-bit
    /// ID, its low 64 bits as a 64-bit ID (`dd.trace_id`, B3 64-bit). Each is looked up through the
    /// index; a 128-bit log ID of a 64-bit trace is not (it would need a scan).
    static func logSpellings(of id: TraceID) -> [String] {
        id.high == 0 ? [id.hex] : [id.hex, TraceID(high: 0, low: id.low).hex]
    }

    /// The log lines of trace `id` (of span `spanID` only, when given), by time then row; with
    /// `errorsOnly`, ERROR and FATAL lines only.
    public func logs(ofTrace id: TraceID, spanID: SpanID? = nil, errorsOnly: Bool = false) throws(TraceDoctorError)
        -> [StoredLog]
    {
        try read { db in
            var found: [StoredLog] = []
            for spelling in Self.logSpellings(of: id) {
                var sql = "SELECT \(Self.logColumns) FROM logs LEFT JOIN sources ON sources.id = logs.source_id WHERE logs.trace_id = ?"
                var arguments: StatementArguments = [spelling]
                if let spanID {
                    sql += " AND logs.span_id = ?"
                    arguments += [spanID.hex]
                }
                if errorsOnly { sql += " AND logs.severity_number >= \(LogSeverity.error)" }
                found += try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.storedLog)
            }
            return found.sorted { ($0.timeNs ?? Int64.min, $0.rowID) < ($1.timeNs ?? Int64.min, $1.rowID) }
        }
    }

    /// Up to `limit` lines of `service` without a trace ID written between `start` and `end`
    /// (Unix ns, inclusive), by time.
    public func unlinkedLogs(service: String, from start: Int64, to end: Int64, errorsOnly: Bool = false, limit: Int)
        throws(TraceDoctorError) -> [StoredLog]
    {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.logColumns) FROM logs LEFT JOIN sources ON sources.id = logs.source_id
                    WHERE logs.service = ? AND logs.time_ns BETWEEN ? AND ? AND logs.trace_id IS NULL
                    \(errorsOnly ? "AND logs.severity_number >= \(LogSeverity.error)" : "")
                    ORDER BY logs.time_ns, logs.id LIMIT ?
                    """, arguments: [service, start, end, limit]
            ).map(Self.storedLog)
        }
    }

    /// Calls `body` with every log line that has (`withTraceID`) or lacks a trace ID, in row order.
    public func forEachStoredLog(withTraceID: Bool, _ body: (StoredLog) throws -> Void) throws(TraceDoctorError) {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT \(Self.logColumns) FROM logs LEFT JOIN sources ON sources.id = logs.source_id
                    WHERE logs.trace_id IS \(withTraceID ? "NOT NULL" : "NULL") ORDER BY logs.id
                    """)
            while let row = try rows.next() { try body(Self.storedLog(row)) }
        }
    }

    /// The services of the log lines without a trace ID.
    public func servicesOfUnlinkedLogs() throws(TraceDoctorError) -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT service FROM logs WHERE trace_id IS NULL ORDER BY service")
        }
    }

    /// One span's place in time, for matching log lines without a trace ID to what was running.
    public struct SpanWindow: Sendable, Equatable {
        public var traceID: TraceID
        public var spanID: SpanID
        public var name: String
        public var startNs: Int64
        public var endNs: Int64
    }

    /// The time window of every span of `services` with both times, by service.
    public func spanWindows(services: [String]) throws(TraceDoctorError) -> [String: [SpanWindow]] {
        guard !services.isEmpty else { return [:] }
        return try read { db in
            var windows: [String: [SpanWindow]] = [:]
            let marks = Array(repeating: "?", count: services.count).joined(separator: ", ")
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT service, trace_id, span_id, name, start_ns, end_ns FROM spans
                    WHERE service IN (\(marks)) AND start_ns IS NOT NULL AND end_ns IS NOT NULL
                    """, arguments: StatementArguments(services))
            while let row = try rows.next() {
                guard let trace = TraceID(hex: row[1]), let span = SpanID(hex: row[2]) else { continue }
                windows[row[0], default: []].append(
                    SpanWindow(traceID: trace, spanID: span, name: row[3], startNs: row[4], endNs: row[5]))
            }
            return windows
        }
    }

    /// How many log lines the database holds.
    public func logCount() throws(TraceDoctorError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM logs") ?? 0 }
    }

    /// Every stored trace ID, in order (read from the trace index).
    public func allTraceIDs() throws(TraceDoctorError) -> [TraceID] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT trace_id FROM spans ORDER BY trace_id").compactMap { TraceID(hex: $0) }
        }
    }
}
