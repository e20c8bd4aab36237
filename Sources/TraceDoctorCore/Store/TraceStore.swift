// The SQLite database: opening, migrating, refusing what is not ours or too new. The only
// part of tracedoctor that speaks SQL is this folder.

import CSQLiteTuning
import Foundation
import GRDB
import GRDBSQLite

public final class TraceStore: @unchecked Sendable {
    /// The path the user named (":memory:" for an in-memory database).
    public let path: String
    let queue: DatabaseQueue
    public let readOnly: Bool
    private var closed = false
    /// The connection's registration with `Interruption` (a signal interrupts its query).
    private var interruptToken: Int?
    /// How a reader opened the file (nil for a writer).
    let access: ReadAccess?
    /// The sizes of the stored sources, read at the first `hasSource(sizeBytes:)`.
    var sourceSizes: Set<Int64>?
    /// Whether a batch of small files shares one open transaction (`beginBatch()`).
    var batchOpen = false
    /// Rows per window of the diagnoses' scan (`forEachTraceBatch`); tests make it small.
    var scanWindow = TraceStore.scanWindowRows
    /// Set by `ingest` to keep the rows that may make log intervals as files are written
    /// (`intervalCandidates`, row IDs of committed files, ascending).
    var intervalCandidateTest: IntervalCandidateTest?
    var intervalCandidates: [Int64] = []
    /// When set, the candidate lines themselves are kept (`IntervalCandidateSpill`) instead of
    /// `intervalCandidates`; `intervalSpillStaleRows` are the rows whose records must be read
    /// from the table instead (repeats deleted, a late resource); `batchSpillMark` is where the
    /// open batch's records begin.
    var intervalSpill: IntervalCandidateSpill?
    var intervalSpillStaleRows: [ClosedRange<Int64>] = []
    var batchSpillMark: Int64?

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
        let access = readOnly ? ReadAccess.choose(path: path) : nil
        self.access = access
        var config = Configuration()
        config.readonly = readOnly && access != .queryOnly
        config.busyMode = .callback { attempts in
            if Interruption.isRequested { return false }
            if attempts == 20 { onBusy?() }
            // 1 ms, doubling to 100 ms between tries.
            usleep(UInt32(min(100_000, 1_000 << min(attempts, 7))))
            return true
        }
        config.foreignKeysEnabled = true
        // A batch of small files keeps one transaction open across accesses (`beginBatch()`).
        config.allowsUnsafeTransactions = !readOnly
        config.label = "tracedoctor"
        config.prepareDatabase { db in
            if readOnly {
                if access == .queryOnly { try db.execute(sql: "PRAGMA query_only = ON") }
                try db.execute(sql: "PRAGMA cache_size = -65536")
                // Reading maps the file instead of copying each page out of the kernel's cache.
                try db.execute(sql: "PRAGMA mmap_size = \(Self.readMapSize)")
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            } else {
                // WAL: readers go on reading while a file is written.
                try Self.useWAL(db)
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // Checkpoint every 64 MB of WAL rather than SQLite's 4 MB: each checkpoint syncs the
                // file twice, and a directory of small files (a commit each) rewrites the same index
                // pages many times between checkpoints; measured 6.7 → 4.3 ms per small file.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
                try db.execute(sql: "PRAGMA cache_size = -16384")
                // Sorts for index builds spill to temporary files, not to memory: RSS stays bounded.
                try db.execute(sql: "PRAGMA temp_store = FILE")
            }
        }
        do {
            queue = try DatabaseQueue(path: access?.filename(path) ?? path, configuration: config)
        } catch {
            throw Self.describe(error, path: path, access: access)
        }
        interruptToken = queue.inDatabase { db in db.sqliteConnection.map(Interruption.add) }
        try checkAndMigrate()
    }

    /// An empty in-memory database (tests).
    public init(inMemory: Void = ()) throws(TraceDoctorError) {
        _ = Self.configured
        path = ":memory:"
        readOnly = false
        access = nil
        do {
            queue = try DatabaseQueue()
        } catch {
            throw Self.describe(error, path: ":memory:")
        }
        try checkAndMigrate()
    }

    private func checkAndMigrate() throws(TraceDoctorError) {
        do {
            if readOnly {
                try queue.inDatabase { db in
                    let applied = try Schema.check(db, path: path)
                    if applied.count < Schema.knownMigrations.count {
                        throw TraceDoctorError.database(
                            path: path,
                            message: "written by an older tracedoctor; run `tracedoctor ingest` once (it upgrades the schema)")
                    }
                }
            } else {
                try queue.inDatabase { db in try Schema.migrate(db, path: path) }
            }
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Puts the database in WAL mode (kept in the file). Switching takes an exclusive lock that
    /// SQLite does not wait for: when several processes open a new database at once, the switch is
    /// retried until one of them has made it (the others then find WAL already set).
    static func useWAL(_ db: Database) throws {
        var attempt = 0
        while true {
            do {
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" { return }
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                return
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) {
                attempt += 1
                if attempt > 400 || Interruption.isRequested { throw error }
                usleep(UInt32(min(50_000, 1_000 << min(attempt, 6))))
            }
        }
    }

    /// A user-facing error for a database failure.
    static func describe(_ error: Error, path: String, access: ReadAccess? = nil) -> TraceDoctorError {
        if let error = error as? TraceDoctorError { return error }
        if let error = error as? DatabaseError {
            if access == .readOnly, [.SQLITE_CANTOPEN, .SQLITE_READONLY].contains(error.resultCode) {
                return .database(path: path, message: ReadAccess.pendingWALMessage)
            }
            switch error.resultCode {
            case .SQLITE_INTERRUPT:
                return .interrupted
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

    /// Closes the connection (further use fails). The last connection to close a WAL database
    /// checkpoints it and removes its -wal and -shm files (SQLite's rule; a reader that could
    /// write opens with `ReadAccess.queryOnly` so that it does too): what is left is one file that
    /// needs no recovery and that a reader opens even where it cannot write.
    public func close() {
        guard !closed else { return }
        closed = true
        if let interruptToken { Interruption.remove(interruptToken) }
        try? queue.close()
    }

    deinit { close() }

    /// Deletes the database at `path` if it holds no source and no other process has it open:
    /// an `ingest` that stored nothing leaves no empty database behind, but never removes one
    /// another `ingest` has just created.
    func removeIfEmpty() -> Bool {
        guard !readOnly, !closed else { return false }
        var empty = false
        try? queue.inDatabase { db in
            // Never wait; leaving WAL mode fails while another connection has the file open.
            if let connection = db.sqliteConnection { sqlite3_busy_timeout(connection, 0) }
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") == "delete" else { return }
            try db.inTransaction(.exclusive) {
                empty = try Int.fetchOne(db, sql: "SELECT count(*) FROM sources") == 0
                return .commit
            }
        }
        closed = true
        if let interruptToken { Interruption.remove(interruptToken) }
        try? queue.close()
        if empty { Self.remove(path) }
        return empty
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
