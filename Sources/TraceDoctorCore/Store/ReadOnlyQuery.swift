// `tracedoctor sql`: a user's query over the documented schema, read-only by construction.
// The database is opened read-only, and an authorizer refuses everything but reading:
// no ATTACH, no PRAGMA that sets something, no extension loading, no writes.

import GRDBSQLite

/// One value of a result row.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// What a query may ask for. Anything not listed is refused before the query runs.
enum QueryPolicy {
    /// Pragmas that only read.
    static let readPragmas: Set<String> = [
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
        "database_list", "collation_list", "function_list", "pragma_list", "compile_options", "user_version",
        "application_id", "page_count", "page_size", "freelist_count", "schema_version", "data_version", "encoding",
        "integrity_check", "quick_check",
    ]
    /// Of those, the ones that would set something when given a value.
    static let settablePragmas: Set<String> = ["user_version", "application_id", "page_size", "schema_version", "encoding"]

    static let actionNames: [Int32: String] = [
        SQLITE_ATTACH: "ATTACH", SQLITE_DETACH: "DETACH", SQLITE_INSERT: "INSERT", SQLITE_UPDATE: "UPDATE",
        SQLITE_DELETE: "DELETE", SQLITE_TRANSACTION: "a transaction", SQLITE_SAVEPOINT: "a savepoint",
        SQLITE_ANALYZE: "ANALYZE", SQLITE_REINDEX: "REINDEX", SQLITE_ALTER_TABLE: "ALTER TABLE",
        SQLITE_CREATE_TABLE: "CREATE TABLE", SQLITE_CREATE_INDEX: "CREATE INDEX", SQLITE_CREATE_VIEW: "CREATE VIEW",
        SQLITE_CREATE_TRIGGER: "CREATE TRIGGER", SQLITE_CREATE_VTABLE: "CREATE VIRTUAL TABLE",
        SQLITE_DROP_TABLE: "DROP TABLE", SQLITE_DROP_INDEX: "DROP INDEX", SQLITE_DROP_VIEW: "DROP VIEW",
        SQLITE_DROP_TRIGGER: "DROP TRIGGER", SQLITE_CREATE_TEMP_TABLE: "CREATE TEMP TABLE",
        SQLITE_CREATE_TEMP_VIEW: "CREATE TEMP VIEW", SQLITE_CREATE_TEMP_INDEX: "CREATE TEMP INDEX",
        SQLITE_CREATE_TEMP_TRIGGER: "CREATE TEMP TRIGGER", SQLITE_DROP_TEMP_TABLE: "DROP TEMP TABLE",
        SQLITE_DROP_TEMP_VIEW: "DROP TEMP VIEW", SQLITE_DROP_TEMP_INDEX: "DROP TEMP INDEX",
        SQLITE_DROP_TEMP_TRIGGER: "DROP TEMP TRIGGER", SQLITE_DROP_VTABLE: "DROP VIRTUAL TABLE",
    ]

    static let schemaTables: Set = ["sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"]

    /// Nil when allowed; otherwise what is refused.
    static func refusal(action: Int32, _ a: String?, _ b: String?) -> String? {
        switch action {
        case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE:
            return nil
        case SQLITE_INSERT where schemaTables.contains(a ?? ""), SQLITE_UPDATE where schemaTables.contains(a ?? ""),
            SQLITE_DELETE where schemaTables.contains(a ?? ""):
            // SQLite asks these while compiling table-valued pragmas (pragma_table_info()) and as
            // the first step of DDL, whose own action is refused next; the connection is
            // read-only and a statement that would write is refused anyway.
            return nil
        case SQLITE_FUNCTION:
            let name = (b ?? a ?? "").lowercased()
            return name == "load_extension" ? "load_extension()" : nil
        case SQLITE_PRAGMA:
            let name = (a ?? "").lowercased()
            guard readPragmas.contains(name) else { return "PRAGMA \(name)" }
            if settablePragmas.contains(name), let value = b {
                return "PRAGMA \(name) = \(value)"
            }
            return nil
        default:
            return actionNames[action] ?? "this statement (SQLite action \(action))"
        }
    }
}

/// Refusals recorded by the authorizer while a statement compiles.
private final class AuthorizerLog {
    var refused: [String] = []
}

private func authorize(
    _ context: UnsafeMutableRawPointer?, _ action: Int32, _ a: UnsafePointer<CChar>?, _ b: UnsafePointer<CChar>?,
    _ database: UnsafePointer<CChar>?, _ trigger: UnsafePointer<CChar>?
) -> Int32 {
    let refusal = QueryPolicy.refusal(action: action, a.map { String(cString: $0) }, b.map { String(cString: $0) })
    guard let refusal else { return SQLITE_OK }
    if let context {
        Unmanaged<AuthorizerLog>.fromOpaque(context).takeUnretainedValue().refused.append(refusal)
    }
    return SQLITE_DENY
}

/// A read-only connection for user queries.
public final class ReadOnlyQuery {
    public let path: String
    private var connection: OpaquePointer?
    private var interruptToken: Int?
    private let log = AuthorizerLog()

    /// Opens `path` read-only. The caller has already checked that it is a tracedoctor
    /// database (`TraceStore(path:readOnly:)`).
    public init(path: String) throws(TraceDoctorError) {
        self.path = path
        var db: OpaquePointer?
        let access = ReadAccess.choose(path: path)
        let status = sqlite3_open_v2(access.filename(path), &db, access.flags | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw .database(path: path, message: message)
        }
        connection = db
        interruptToken = Interruption.add(db)
        if access == .queryOnly { sqlite3_exec(db, "PRAGMA query_only = ON", nil, nil, nil) }
        sqlite3_busy_timeout(db, 30_000)
        sqlite3_set_authorizer(db, authorize, Unmanaged.passUnretained(log).toOpaque())
    }

    deinit {
        if let interruptToken { Interruption.remove(interruptToken) }
        sqlite3_close(connection)
    }

    /// Runs one statement. `columns` receives the column names first; then `row` each row, at
    /// most `maxRows` of them: returns true when the query had more. Stops with an error after
    /// `timeoutSeconds`, and when a signal interrupts it (`Interruption`).
    @discardableResult
    public func run(
        _ sql: String, timeoutSeconds: Double? = nil, maxRows: Int? = nil, columns: ([String]) throws -> Void,
        row: ([SQLValue]) throws -> Void
    ) throws -> Bool {
        let deadline = Deadline(seconds: timeoutSeconds)
        // Every 10,000 virtual machine steps: has the time run out? A nonzero answer interrupts.
        sqlite3_progress_handler(
            connection, 10_000,
            { context in
                guard let context else { return 0 }
                return Unmanaged<Deadline>.fromOpaque(context).takeUnretainedValue().hasPassed ? 1 : 0
            }, Unmanaged.passUnretained(deadline).toOpaque())
        defer { sqlite3_progress_handler(connection, 0, nil, nil) }
        log.refused = []
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let status = sql.withCString { text in
            let result = sqlite3_prepare_v2(connection, text, -1, &statement, &tail)
            if let tail {
                // Anything after the first statement must be blank (or a lone semicolon).
                let rest = String(cString: tail).trimmingCharacters(in: [" ", "\n", "\t", "\r", ";"])
                if result == SQLITE_OK && !rest.isEmpty {
                    return SQLITE_MISUSE
                }
            }
            return result
        }
        defer { sqlite3_finalize(statement) }
        if status == SQLITE_MISUSE {
            throw TraceDoctorError.query(
                message: "give one statement at a time", sql: sql, offset: nil)
        }
        guard status == SQLITE_OK else {
            if !log.refused.isEmpty {
                // DROP TABLE also deletes from sqlite_master: name the statement, not its side effects.
                let rowWrites: Set = ["INSERT", "UPDATE", "DELETE"]
                let refused = log.refused.first { !rowWrites.contains($0) } ?? log.refused[0]
                throw TraceDoctorError.query(
                    message: "tracedoctor sql is read-only: \(refused) is not allowed", sql: sql, offset: nil)
            }
            let offset = Int(sqlite3_error_offset(connection))
            throw TraceDoctorError.query(
                message: String(cString: sqlite3_errmsg(connection)), sql: sql, offset: offset >= 0 ? offset : nil)
        }
        guard let statement else { return false }  // an empty statement (only a comment)
        if sqlite3_stmt_readonly(statement) == 0 {
            throw TraceDoctorError.query(message: "tracedoctor sql is read-only: this statement writes", sql: sql, offset: nil)
        }
        let count = sqlite3_column_count(statement)
        try columns((0..<count).map { String(cString: sqlite3_column_name(statement, $0)) })
        var values = [SQLValue](repeating: .null, count: Int(count))
        var rows = 0
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else {
                if step == SQLITE_INTERRUPT {
                    if Interruption.isRequested { throw TraceDoctorError.interrupted }
                    if deadline.hasPassed {
                        throw TraceDoctorError.query(
                            message: "the query ran longer than --timeout \(Units.duration(seconds: timeoutSeconds ?? 0)) and was stopped; narrow it (a WHERE on trace_id, a LIMIT) or pass a longer --timeout (0: none)",
                            sql: sql, offset: nil)
                    }
                }
                throw TraceDoctorError.query(message: String(cString: sqlite3_errmsg(connection)), sql: sql, offset: nil)
            }
            if let maxRows, rows == maxRows { return true }
            rows += 1
            for i in 0..<count {
                switch sqlite3_column_type(statement, i) {
                case SQLITE_INTEGER: values[Int(i)] = .integer(sqlite3_column_int64(statement, i))
                case SQLITE_FLOAT: values[Int(i)] = .real(sqlite3_column_double(statement, i))
                case SQLITE_TEXT:
                    values[Int(i)] = .text(String(cString: sqlite3_column_text(statement, i)))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(statement, i))
                    let p = sqlite3_column_blob(statement, i)
                    values[Int(i)] = .blob(n > 0 && p != nil ? Array(UnsafeRawBufferPointer(start: p, count: n)) : [])
                default: values[Int(i)] = .null
                }
            }
            try row(values)
        }
        return false
    }
}

/// When a query must stop: a time (or never), or a signal.
private final class Deadline {
    private let end: ContinuousClock.Instant?

    init(seconds: Double?) {
        end = seconds.flatMap { $0 > 0 ? ContinuousClock.now + .milliseconds(Int64($0 * 1000)) : nil }
    }

    var hasPassed: Bool {
        if Interruption.isRequested { return true }
        guard let end else { return false }
        return ContinuousClock.now >= end
    }
}

import Foundation
