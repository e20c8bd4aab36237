// The SQLite database: opening, migrating, refusing what is not ours or too new. The only
// part of tracedoctor that speaks SQL is this folder.

import CSQLiteTuning
import Foundation
import GRDB

public final class TraceStore: @unchecked Sendable {
    /// The path the user named (":memory:" for an in-memory database).
    public let path: String
    let queue: DatabaseQueue
    public let readOnly: Bool

    /// How much of the file a read-only connection maps (SQLite's `mmap_size`).
    static let readMapSize: Int64 = 1 << 34

    /// Where the database is when neither `--db` nor `TRACEDOCTOR_DB` says.
    public static let defaultPath = "tracedoctor.db"

    /// The database path from an explicit option, else `TRACEDOCTOR_DB`, else the default.
    public static func resolvePath(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let option, !option.isEmpty { return option }
        if let env = environment["TRACEDOCTOR_DB"], !env.isEmpty { return env }
        return defaultPath
    }

    /// SQLite's process-wide configuration, applied before the first connection opens.
    private static let configured: Int32 = tracedoctor_sqlite_configure()

    /// Opens (and, for writing, creates and migrates) the database at `path`. When another
    /// process holds the write lock, the connection waits (calling `onBusy` once) for as long
    /// as it takes, unless the user interrupts.
    public init(path: String, readOnly: Bool = false, onBusy: (@Sendable () -> Void)? = nil) throws(TraceDoctorError) {
        _ = Self.configured
        self.path = path
        self.readOnly = readOnly
        let exists = FileManager.default.fileExists(atPath: path)
        if readOnly && !exists {
            throw .database(path: path, message: "no database here; run `tracedoctor ingest FILE...` first (or pass --db)")
        }
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .callback { attempts in
            if Interruption.isRequested { return false }
            if attempts == 20 { onBusy?() }
            // 1 ms, doubling to 100 ms between tries.
            usleep(UInt32(min(100_000, 1_000 << min(attempts, 7))))
            return true
        }
        config.foreignKeysEnabled = true
        config.label = "tracedoctor"
        config.prepareDatabase { db in
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            if db.configuration.readonly {
                try db.execute(sql: "PRAGMA cache_size = -65536")
                // Reading maps the file instead of copying each page out of the kernel's cache.
                try db.execute(sql: "PRAGMA mmap_size = \(Self.readMapSize)")
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            } else {
                try db.execute(sql: "PRAGMA cache_size = -16384")
                // Sorts for index builds spill to temporary files, not to memory: RSS stays bounded.
                try db.execute(sql: "PRAGMA temp_store = FILE")
            }
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw Self.describe(error, path: path)
        }
        try checkAndMigrate()
    }

    /// An empty in-memory database (tests).
    public init(inMemory: Void = ()) throws(TraceDoctorError) {
        _ = Self.configured
        path = ":memory:"
        readOnly = false
        do {
            queue = try DatabaseQueue()
        } catch {
            throw Self.describe(error, path: ":memory:")
        }
        try checkAndMigrate()
    }

    private func checkAndMigrate() throws(TraceDoctorError) {
        let migrator = Schema.migrator
        do {
            try queue.inDatabase { db in
                let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tableCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                if applicationID != Schema.applicationID && tableCount > 0 {
                    throw TraceDoctorError.notATraceDoctorDatabase(
                        path: path, reason: "it is an SQLite database with other tables")
                }
                let applied = try migrator.appliedIdentifiers(db)
                let unknown = applied.subtracting(Schema.knownMigrations)
                if !unknown.isEmpty {
                    throw TraceDoctorError.databaseFromNewerVersion(path: path, unknownMigrations: unknown.sorted())
                }
                if readOnly {
                    if applied.count < Schema.knownMigrations.count {
                        throw TraceDoctorError.database(
                            path: path,
                            message: "written by an older tracedoctor; run `tracedoctor ingest` once (it upgrades the schema)")
                    }
                }
            }
            if !readOnly {
                try migrator.migrate(queue)
            }
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// A user-facing error for a database failure.
    static func describe(_ error: Error, path: String) -> TraceDoctorError {
        if let error = error as? TraceDoctorError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB:
                return .notATraceDoctorDatabase(path: path, reason: "not an SQLite file")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return .database(path: path, message: "the database is busy (another tracedoctor is writing); try again")
            case .SQLITE_CANTOPEN:
                return .database(path: path, message: "cannot open (does the folder exist, and may you write to it?)")
            case .SQLITE_READONLY:
                return .database(path: path, message: "the database file is read-only")
            case .SQLITE_FULL:
                return .database(path: path, message: "the disk is full")
            default:
                return .database(path: path, message: error.message ?? "\(error.resultCode)")
            }
        }
        return .database(path: path, message: "\(error)")
    }

    /// Whether a database file exists at `path`.
    public static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// Deletes a database file and its WAL companions.
    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Closes the connection (further use fails).
    public func close() {
        try? queue.close()
    }

    /// Runs `body` with read access.
    func read<T>(_ body: (Database) throws -> T) throws(TraceDoctorError) -> T {
        do {
            return try queue.inDatabase(body)
        } catch {
            throw Self.describe(error, path: path)
        }
    }
}

extension TraceStore {
    /// Row counts of the main tables.
    public struct Totals: Sendable, Equatable, Codable {
        public var sources: Int
        public var spans: Int
        public var traces: Int
        public var logs: Int
    }

    public func totals() throws(TraceDoctorError) -> Totals {
        try read { db in
            Totals(
                sources: try Int.fetchOne(db, sql: "SELECT count(*) FROM sources") ?? 0,
                spans: try Int.fetchOne(db, sql: "SELECT count(*) FROM spans") ?? 0,
                traces: try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT DISTINCT trace_id FROM spans)") ?? 0,
                logs: try Int.fetchOne(db, sql: "SELECT count(*) FROM logs") ?? 0)
        }
    }
}
