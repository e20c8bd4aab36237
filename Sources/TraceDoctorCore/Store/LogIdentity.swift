// What makes two log rows the same record, whatever format each came in: the same trace and span,
// severity and body, at the same time (compared in SQL, at the coarser of the two precisions: an
// application's JSON log writes milliseconds where the Collector's OTLP copy has nanoseconds).

import GRDB
import GRDBSQLite

enum LogIdentity {
    /// The hash stored in `logs.identity_hash`.
    static func hash(traceHigh: UInt64, traceLow: UInt64, spanID: UInt64, severity: Int, body: UnsafeRawBufferPointer)
        -> Int64
    {
        var fields: (UInt64, UInt64, UInt64, UInt64) = (traceHigh, traceLow, spanID, UInt64(truncatingIfNeeded: severity))
        var hasher = XXH64(seed: 0x6C6F_6732)
        withUnsafeBytes(of: &fields) { hasher.update($0) }
        hasher.update(body)
        return Int64(bitPattern: hasher.finalize())
    }

    /// `earlier` and `later` (row aliases) were logged at the same time: equal, or equal once the
    /// finer one is cut to the coarser one's whole seconds, milliseconds or microseconds.
    static func sameTime(_ earlier: String, _ later: String, units: [Int64] = [1_000_000_000, 1_000_000, 1_000]) -> String {
        var terms = ["\(earlier).time_ns IS \(later).time_ns"]
        for unit in units {
            terms.append("(\(earlier).time_ns % \(unit) = 0 AND \(later).time_ns - \(later).time_ns % \(unit) = \(earlier).time_ns)")
            terms.append("(\(later).time_ns % \(unit) = 0 AND \(earlier).time_ns - \(earlier).time_ns % \(unit) = \(later).time_ns)")
        }
        return "(" + terms.joined(separator: " OR ") + ")"
    }

    /// Deletes the logs stored after row `after` that repeat a record stored before it (by an
    /// earlier source), and returns how many. Logs with a trace ID are found through the trace
    /// index (a few rows per span), and may differ in precision down to whole seconds; logs
    /// without one through the service and time index, within a millisecond (a window of a second
    /// reads thousands of rows per line of a busy service: 20× slower on 300 k lines).
    static func deleteRepeats(_ db: Database, after: Int64) throws -> Int {
        try db.execute(
            sql: """
                DELETE FROM logs WHERE id > ?1 AND trace_id IS NOT NULL AND EXISTS (
                    SELECT 1 FROM logs AS earlier
                    WHERE earlier.trace_id = logs.trace_id AND earlier.span_id IS logs.span_id AND earlier.id <= ?1
                        AND earlier.identity_hash = logs.identity_hash AND \(sameTime("earlier", "logs")))
                """, arguments: [after])
        var deleted = db.changesCount
        try db.execute(
            sql: """
                DELETE FROM logs WHERE id > ?1 AND trace_id IS NULL AND EXISTS (
                    SELECT 1 FROM logs AS earlier
                    WHERE earlier.service = logs.service
                        AND earlier.time_ns BETWEEN logs.time_ns - 999999 AND logs.time_ns + 999999
                        AND earlier.id <= ?1 AND earlier.trace_id IS NULL
                        AND earlier.identity_hash = logs.identity_hash
                        AND \(sameTime("earlier", "logs", units: [1_000_000, 1_000])))
                """, arguments: [after])
        deleted += db.changesCount
        // Neither a trace ID nor a time: the same service and record.
        try db.execute(
            sql: """
                DELETE FROM logs WHERE id > ?1 AND trace_id IS NULL AND time_ns IS NULL AND EXISTS (
                    SELECT 1 FROM logs AS earlier
                    WHERE earlier.service = logs.service AND earlier.time_ns IS NULL AND earlier.id <= ?1
                        AND earlier.trace_id IS NULL AND earlier.identity_hash = logs.identity_hash)
                """, arguments: [after])
        deleted += db.changesCount
        return deleted
    }

    /// `tracedoctor_log_identity(trace_id, span_id, severity_number, body)`, for the migration
    /// that re-hashes rows stored before.
    static func register(in db: Database) throws {
        let code = sqlite3_create_function_v2(
            db.sqliteConnection, "tracedoctor_log_identity", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
            { context, _, arguments in
                guard let arguments else { return }
                func hex(_ value: OpaquePointer?) -> (UInt64, UInt64) {
                    guard let text = sqlite3_value_text(value) else { return (0, 0) }
                    let count = Int(sqlite3_value_bytes(value))
                    if count == 32 {
                        return (
                            IDParser.parseHex64(UnsafeBufferPointer(start: text, count: 16)) ?? 0,
                            IDParser.parseHex64(UnsafeBufferPointer(start: text + 16, count: 16)) ?? 0
                        )
                    }
                    if count == 16 { return (0, IDParser.parseHex64(UnsafeBufferPointer(start: text, count: 16)) ?? 0) }
                    return (0, 0)
                }
                let trace = hex(arguments[0])
                let span = hex(arguments[1]).1
                let severity = Int(sqlite3_value_int64(arguments[2]))
                let body = sqlite3_value_text(arguments[3])
                let count = Int(sqlite3_value_bytes(arguments[3]))
                let hash = LogIdentity.hash(
                    traceHigh: trace.0, traceLow: trace.1, spanID: span, severity: severity,
                    body: UnsafeRawBufferPointer(start: body, count: body == nil ? 0 : count))
                sqlite3_result_int64(context, hash)
            }, nil, nil, nil)
        if code != SQLITE_OK {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot register tracedoctor_log_identity")
        }
    }
}
