// One input file, one transaction (or one savepoint of a batch of small files): either everything it
// holds is stored or nothing is.

import Foundation
import GRDB
import GRDBSQLite

/// What the store knows about an input before reading it.
public struct SourceDescription: Sendable {
    public var path: String
    public var format: InputFormat
    public var sizeBytes: Int64
    /// How much input to expect (the file's size; nil for stdin): a large load is written
    /// without indexes, which are rebuilt after it.
    public var expectedBytes: Int64?

    public init(path: String, format: InputFormat, sizeBytes: Int64, expectedBytes: Int64? = nil) {
        self.path = path
        self.format = format
        self.sizeBytes = sizeBytes
        self.expectedBytes = expectedBytes
    }
}

/// A source already in the database.
public struct StoredSource: Sendable, Equatable, Codable {
    public var id: Int64
    public var path: String
    public var contentHash: String
    public var format: String
    public var ingestedAt: String
}

public enum SourceOutcome: Sendable {
    case ingested(IngestCounts)
    /// Same content as a source already stored: nothing was added.
    case alreadyIngested(StoredSource)
}

extension TraceStore {
    /// The stored source with this content hash, if any.
    public func source(contentHash: String) throws(TraceDoctorError) -> StoredSource? {
        try read { db in try Self.fetchSource(db, contentHash: contentHash) }
    }

    /// Whether any stored source has this size (a file of another size cannot be the same).
    /// The sizes are read once per store (`size_bytes` has no index: a query per file would scan
    /// the sources table for every file of a directory); sources another process adds meanwhile
    /// are missed here, which costs only the shortcut: `ingest` still finds the content hash in
    /// its transaction and stores nothing twice.
    public func hasSource(sizeBytes: Int64) throws(TraceDoctorError) -> Bool {
        if sourceSizes == nil {
            sourceSizes = Set(try read { db in try Int64.fetchAll(db, sql: "SELECT DISTINCT size_bytes FROM sources") })
        }
        return sourceSizes!.contains(sizeBytes)
    }

    static func fetchSource(_ db: Database, contentHash: String) throws -> StoredSource? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, path, content_hash, format, ingested_at FROM sources WHERE content_hash = ?"),
                arguments: [contentHash])
        else { return nil }
        return StoredSource(
            id: row[0], path: row[1], contentHash: row[2], format: row[3], ingestedAt: row[4])
    }

    /// Stores one input in one transaction (or, inside a batch, in one savepoint of the batch's
    /// transaction). `body` reads the input into the sink it is given; if it throws, nothing of
    /// the input is kept. `finished` is asked after `body` for what is only known at the end
    /// (stdin is hashed and measured as it is read); a source with the same content hash already
    /// stored makes the whole input a no-op.
    public func ingest(
        _ source: SourceDescription,
        finished: () -> (contentHash: String, sizeBytes: Int64, skippedRecords: Int),
        body: @escaping (RecordSink) throws -> Void
    ) throws -> SourceOutcome {
        guard !readOnly else { throw TraceDoctorError.database(path: path, message: "opened read-only") }
        var outcome: SourceOutcome?
        var storedSize: Int64?
        var candidates: [Int64] = []
        // The spilled candidate lines of this file are kept only if the file is.
        let spillMark = intervalSpill?.end
        var spilledRows: ClosedRange<Int64>?
        var spilledRowsChanged = false
        var kept = false
        defer { if !kept, let spillMark { intervalSpill?.truncate(to: spillMark) } }
        do {
            try queue.inDatabase { db in
                let store = { () throws -> Database.TransactionCompletion in
                    let pending = "pending-\(UInt64.random(in: 0...UInt64.max))"
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO sources (path, content_hash, format, size_bytes, ingested_at, tracedoctor_version)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """
                    ).execute(
                        arguments: [
                            source.path, pending, source.format.rawValue, source.sizeBytes,
                            Self.timestamp(Date()), TraceDoctorVersion.current,
                        ])
                    let sourceID = db.lastInsertedRowID
                    let writer = try IngestWriter(db: db, sourceID: sourceID, expectedBytes: source.expectedBytes)
                    writer.intervalTest = self.intervalCandidateTest
                    writer.intervalSpill = self.intervalSpill
                    // Read on another thread while this one writes (a small file on this one).
                    let small = (source.expectedBytes ?? .max) < Self.inlineReadBytes
                    try RecordPipeline.run(into: writer, inline: small, read: body)
                    let (hash, size, skipped) = finished()
                    if let existing = try Self.fetchSource(db, contentHash: hash) {
                        outcome = .alreadyIngested(existing)
                        return .rollback
                    }
                    let counts = try writer.finish(separatingSharedSpans: source.format.sharesClientServerSpanIDs)
                    try db.cachedStatement(
                        sql: """
                            UPDATE sources SET content_hash = ?, span_count = ?, trace_count = ?, log_count = ?,
                                duplicate_count = ?, skipped_count = ?, size_bytes = ?
                            WHERE id = ?
                            """
                    ).execute(
                        arguments: [
                            hash, counts.spans, counts.traces, counts.logs,
                            counts.duplicateSpans + counts.duplicateLogs, skipped, size, sourceID,
                        ])
                    outcome = .ingested(counts)
                    storedSize = size
                    candidates = writer.intervalCandidates
                    if let first = writer.firstSpilledRow { spilledRows = first...max(first, writer.lastLogRowID) }
                    // Repeats deleted (`finish`) or a late resource: the records of those rows are stale.
                    spilledRowsChanged = writer.spilledRowsChanged || counts.duplicateLogs > 0
                    return .commit
                }
                if batchOpen {
                    try Self.inFileSavepoint(db, store)
                } else {
                    // The writer makes every reference itself (resources, sources); checking each
                    // row's foreign keys costs two lookups per span. Restored after the load.
                    try db.execute(sql: "PRAGMA foreign_keys = OFF")
                    defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                    try db.inTransaction(.immediate, store)
                }
            }
        } catch let error as InputError {
            throw error
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path)
        }
        if let storedSize { sourceSizes?.insert(storedSize) }
        // Committed: the file's candidate rows wait for the interval pass.
        if intervalCandidateTest != nil { intervalCandidates += candidates }
        if case .ingested = outcome {
            kept = true
            if spilledRowsChanged, let spilledRows { intervalSpillStaleRows.append(spilledRows) }
        }
        return outcome!
    }

    // MARK: Batches of small files

    /// Opens a batch: the files ingested until `commitBatch()` share one transaction, each in a
    /// savepoint of its own, so that a bad file still rolls back alone while the commit (and the
    /// WAL pages it writes) is paid once for many small files. Nothing of the batch is visible to
    /// other connections, or durable, before `commitBatch()`.
    public func beginBatch() throws(TraceDoctorError) {
        guard !readOnly else { throw .database(path: path, message: "opened read-only") }
        guard !batchOpen else { return }
        try read { db in
            // A no-op inside a transaction: set before it (see `ingest`), restored after it.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.beginTransaction(.immediate)
        }
        batchOpen = true
        batchSpillMark = intervalSpill?.end
    }

    /// Commits the open batch. Returns false when its transaction had already been rolled back
    /// whole (SQLite does that to a write it interrupts, on Ctrl-C): then nothing of the batch is
    /// stored.
    @discardableResult
    public func commitBatch() throws(TraceDoctorError) -> Bool {
        guard batchOpen else { return true }
        batchOpen = false
        // A commit that fails leaves the batch uncommitted: its candidate lines go too.
        var committed = false
        defer { if !committed, let batchSpillMark { intervalSpill?.truncate(to: batchSpillMark) } }
        committed = try read { db in
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            guard let connection = db.sqliteConnection, sqlite3_get_autocommit(connection) == 0 else { return false }
            var attempt = 0
            while true {
                do {
                    try db.commit()
                    return true
                } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT && attempt < 3 {
                    // A signal that arrived while COMMIT ran: what was read is kept (SQLite clears
                    // the interruption once no statement runs).
                    attempt += 1
                }
            }
        }
        return committed
    }

    /// One file of a batch: `body` in a savepoint, released on `.commit`, rolled back on
    /// `.rollback` or an error.
    private static func inFileSavepoint(_ db: Database, _ body: () throws -> Database.TransactionCompletion) throws {
        try db.cachedStatement(sql: "SAVEPOINT source_file").execute()
        let completion: Database.TransactionCompletion
        do {
            completion = try body()
        } catch {
            try rollBackFile(db)
            throw error
        }
        switch completion {
        case .commit: try db.cachedStatement(sql: "RELEASE source_file").execute()
        case .rollback: try rollBackFile(db)
        }
    }

    private static func rollBackFile(_ db: Database) throws {
        // An interrupted write rolls the whole transaction back: then no savepoint is left, and
        // `commitBatch()` reports the batch lost.
        guard let connection = db.sqliteConnection, sqlite3_get_autocommit(connection) == 0 else { return }
        // Ctrl-C interrupts the statements that start while another still runs (an interrupted
        // read is not reset yet): the rollback is tried again once it has been.
        for _ in 0..<3 {
            do {
                try db.cachedStatement(sql: "ROLLBACK TO source_file").execute()
                try db.cachedStatement(sql: "RELEASE source_file").execute()
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
                continue
            }
        }
        // The file cannot be undone alone: the whole batch is, so that its commit never stores
        // part of a file (`commitBatch()` then reports the batch lost).
        sqlite3_exec(connection, "ROLLBACK", nil, nil, nil)
        if sqlite3_get_autocommit(connection) == 0 {
            throw DatabaseError(resultCode: .SQLITE_INTERRUPT, message: "a file of the batch could not be rolled back")
        }
    }

    /// `2026-12-03T13:56:13Z` (RFC 3339 in UTC, whole seconds). Formatted by hand: making an
    /// `ISO8601DateFormatter` costs ~0.4 ms, once per ingested file.
    /// Inputs below this size are read on the writer's thread when its stack allows
    /// (`RecordPipeline.run(inline:)`).
    static let inlineReadBytes: Int64 = 1 << 20

    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(1900 + Int(t.tm_year))
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(t.tm_mon + 1) + "-" + two(t.tm_mday)
            + "T" + two(t.tm_hour) + ":" + two(t.tm_min) + ":" + two(t.tm_sec) + "Z"
    }
}
