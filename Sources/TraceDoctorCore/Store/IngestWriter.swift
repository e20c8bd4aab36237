// Bulk insertion: one prepared statement per table, values bound straight from the readers'
// byte buffers (measured ~6× faster than record inserts), inside the file's one transaction.

import GRDB
import GRDBSQLite

/// SQLite's "copy the bytes now" destructor. Swift strings and small arrays may live inline,
/// so `SQLITE_STATIC` would leave SQLite with a dangling pointer.
let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
/// "The bytes stay put until the statement runs again": only for memory this writer owns
/// outright (raw allocations), never for a Swift array or string.
let SQLITE_STATIC = unsafeBitCast(0, to: sqlite3_destructor_type.self)

/// Counts of what one input added.
public struct IngestCounts: Sendable, Equatable, Codable {
    /// Spans read from the input (duplicates included).
    public var spans = 0
    /// Spans not stored because an identical span was already in the database.
    public var duplicateSpans = 0
    /// Distinct trace IDs among the spans stored (a span already stored does not count).
    public var traces = 0
    public var logs = 0
    public var duplicateLogs = 0
    /// Server halves of shared client/server span IDs (Zipkin) that got their own span ID.
    public var separatedSharedSpans = 0

    public init() {}
}

/// The store's `RecordSink`: writes spans, logs and resources of one source.
final class IngestWriter: RecordSink {
    private let db: Database
    private let connection: OpaquePointer
    private let sourceID: Int64
    private let insertSpan: Statement
    private let insertLog: Statement
    private let findResource: Statement
    private let insertResource: Statement
    /// The largest row IDs before this source: its own rows are those above.
    private let spansBefore: Int64
    private let logsBefore: Int64
    /// Tables whose indexes were dropped for this load.
    private let deferredIndexes: [String]
    private var resourceIDs: [UInt64: Int64] = [:]
    private var resourceID: Int64 = 0
    private var pendingResource: (fingerprint: UInt64, service: [UInt8], attributes: [UInt8])?
    private var service: [UInt8] = []
    private var lastSpanRowID: Int64
    private(set) var lastLogRowID: Int64
    private var traceIDs = Set<TraceID>()
    /// Bit `kind.rawValue` is set once a span of that kind was written.
    private var kindsSeen: UInt8 = 0
    private(set) var counts = IngestCounts()
    /// Where IDs are rendered before binding: one 32-byte slot per bound ID, so each stays
    /// valid until the row is written (they are bound without a copy).
    private let hex = UnsafeMutablePointer<UInt8>.allocate(capacity: 32 * 8)

    /// When set, the row IDs of the lines that may make a log interval are kept in
    /// `intervalCandidates` (so that the interval pass reads only those rows).
    var intervalTest: IntervalCandidateTest?
    private(set) var intervalCandidates: [Int64] = []
    /// When set (with `intervalTest`), the candidate lines themselves go there instead of their
    /// row IDs, so that the pass neither reads them back nor parses their attributes again.
    var intervalSpill: IntervalCandidateSpill?
    /// The first log row this writer spilled, and whether a record may differ from its stored
    /// row (a resource that arrived after its lines changed their service): the pass then
    /// reads those rows from the table.
    private(set) var firstSpilledRow: Int64?
    private(set) var spilledRowsChanged = false

    init(db: Database, sourceID: Int64, expectedBytes: Int64?) throws {
        self.db = db
        connection = db.sqliteConnection!
        self.sourceID = sourceID
        // Cached on the connection: a directory of small files prepares them once, not per file.
        insertSpan = try db.cachedStatement(
            sql: """
                INSERT INTO spans (trace_id, span_id, parent_span_id, original_span_id, name, kind, service,
                    resource_id, scope_name, scope_version, start_ns, end_ns, status_code, status_message, flags,
                    trace_state, attributes, events, links, source_id, identity_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        insertLog = try db.cachedStatement(
            sql: """
                INSERT INTO logs (time_ns, observed_time_ns, severity_number, severity_text, body, trace_id, span_id,
                    flags, service, resource_id, scope_name, attributes, source_id, source_line, identity_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        findResource = try db.cachedStatement(sql: "SELECT id FROM resources WHERE fingerprint = ?")
        insertResource = try db.cachedStatement(
            sql: "INSERT INTO resources (service, attributes, fingerprint) VALUES (?, ?, ?)")
        lastSpanRowID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM spans")) ?? 0
        lastLogRowID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM logs")) ?? 0
        spansBefore = lastSpanRowID
        logsBefore = lastLogRowID
        deferredIndexes = try Self.deferIndexes(db, expectedBytes: expectedBytes)
    }

    /// Rows in a table below which a load of `bytes` is "large": then the table's indexes are
    /// dropped for the load and rebuilt once after it, which is several times faster than
    /// updating them row by row. A small file into a big database keeps them.
    private static func deferIndexes(_ db: Database, expectedBytes: Int64?) throws -> [String] {
        guard let bytes = expectedBytes, bytes >= 16 << 20 else { return [] }
        var deferred: [String] = []
        for table in ["spans", "logs"] {
            // Upper bound on the rows of a table: cheaper than count(*) on a big table.
            let rows = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM \(table)") ?? 0
            // ~400 bytes of input per record is the lower end of real dumps.
            guard rows < bytes / 400 else { continue }
            for index in Schema.indexes[table] ?? [] {
                try db.execute(sql: "DROP INDEX IF EXISTS \(index.name)")
            }
            deferred.append(table)
        }
        return deferred
    }

    deinit {
        // The cached statements outlive this writer: no binding may point into its buffers.
        sqlite3_clear_bindings(insertSpan.sqliteStatement)
        sqlite3_clear_bindings(insertLog.sqliteStatement)
        sqlite3_reset(insertSpan.sqliteStatement)
        sqlite3_reset(insertLog.sqliteStatement)
        hex.deallocate()
    }

    func makeMark() -> RecordMark { RecordMark(spans: lastSpanRowID, logs: lastLogRowID) }

    /// Rebuilds dropped indexes, separates shared client/server span IDs when the format has
    /// them (`SharedSpanPairs`), and removes the spans and logs that another source had already
    /// stored (the same span exported twice; the same log record in an application's log file
    /// and in the Collector's OTLP copy). Copies a dump itself repeats stay.
    func finish(separatingSharedSpans: Bool) throws -> IngestCounts {
        for table in deferredIndexes {
            for index in Schema.indexes[table] ?? [] {
                try db.execute(sql: index.sql)
            }
        }
        let clientAndServer: UInt8 = 1 << SpanKind.client.rawValue | 1 << SpanKind.server.rawValue
        if separatingSharedSpans && kindsSeen & clientAndServer == clientAndServer {
            counts.separatedSharedSpans = try SharedSpanPairs.separate(db, after: spansBefore)
        }
        try db.cachedStatement(sql: Schema.updateSpanBounds).execute(arguments: [spansBefore])
        // The same span from an earlier source is in the same trace: the trace index finds it.
        if spansBefore > 0 {
            try db.cachedStatement(
                sql: """
                    DELETE FROM spans WHERE id > ?1 AND EXISTS (
                        SELECT 1 FROM spans AS earlier
                        WHERE earlier.trace_id = spans.trace_id AND earlier.id <= ?1
                            AND earlier.identity_hash = spans.identity_hash)
                    """
            ).execute(arguments: [spansBefore])
            counts.duplicateSpans = db.changesCount
        }
        if logsBefore > 0 {
            counts.duplicateLogs = try LogIdentity.deleteRepeats(db, after: logsBefore)
        }
        var result = counts
        result.traces = traceIDs.count
        if counts.duplicateSpans > 0 {
            // The traces this file added spans to, not those whose spans were all stored before.
            result.traces = try Int.fetchOne(db, sql: "SELECT count(DISTINCT trace_id) FROM spans WHERE id > ?", arguments: [spansBefore]) ?? 0
        }
        return result
    }

    // MARK: Binding

    @inline(__always)
    private func check(_ code: Int32) throws {
        if code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
        }
    }

    @inline(__always)
    private func bind(_ s: OpaquePointer, _ i: Int32, _ bytes: [UInt8], nullIfEmpty: Bool = false) {
        if nullIfEmpty && bytes.isEmpty {
            sqlite3_bind_null(s, i)
            return
        }
        bytes.withUnsafeBufferPointer { b in
            // An empty array may have no storage; bind the empty string then.
            if let base = b.baseAddress {
                _ = sqlite3_bind_text(s, i, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(b.count), SQLITE_TRANSIENT)
            } else {
                _ = sqlite3_bind_text(s, i, "", 0, SQLITE_TRANSIENT)
            }
        }
    }

    /// A JSON buffer, bound without a copy: the record that owns it outlives the step.
    @inline(__always)
    private func bind(_ s: OpaquePointer, _ i: Int32, _ json: JSONBuffer) {
        sqlite3_bind_text(
            s, i, UnsafeRawPointer(json.storage).assumingMemoryBound(to: CChar.self), Int32(json.count), SQLITE_STATIC)
    }

    @inline(__always)
    private func bind(_ s: OpaquePointer, _ i: Int32, _ id: TraceID) {
        let slot = hex + 32 * Int(i)
        HexID.write(id.high, to: slot)
        HexID.write(id.low, to: slot + 16)
        sqlite3_bind_text(s, i, UnsafeRawPointer(slot).assumingMemoryBound(to: CChar.self), 32, SQLITE_STATIC)
    }

    @inline(__always)
    private func bind(_ s: OpaquePointer, _ i: Int32, _ id: SpanID?) {
        guard let id else {
            sqlite3_bind_null(s, i)
            return
        }
        let slot = hex + 32 * Int(i)
        HexID.write(id.value, to: slot)
        sqlite3_bind_text(s, i, UnsafeRawPointer(slot).assumingMemoryBound(to: CChar.self), 16, SQLITE_STATIC)
    }

    @inline(__always)
    private func bind(_ s: OpaquePointer, _ i: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(s, i, value) } else { sqlite3_bind_null(s, i) }
    }

    // MARK: RecordSink

    /// The resource of the records that follow. Its row is written only when a record uses
    /// it, so a resource without spans or logs leaves no trace in the database.
    func resource(_ resource: ResourceRecord) throws {
        let fingerprint = Self.fingerprint(resource)
        if let id = resourceIDs[fingerprint] {
            resourceID = id
            pendingResource = nil
        } else {
            resourceID = 0
            pendingResource = (fingerprint, resource.service, resource.attributes.bytes)
        }
        service = resource.service
    }

    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws {
        try self.resource(resource)
        try ensureResource()
        if firstSpilledRow != nil { spilledRowsChanged = true }
        try db.execute(
            sql: "UPDATE spans SET resource_id = ?, service = ? WHERE id > ? AND source_id = ?",
            arguments: [resourceID, String(decoding: service, as: UTF8.self), mark.spans, sourceID])
        try db.execute(
            sql: "UPDATE logs SET resource_id = ?, service = CASE WHEN service = '' THEN ? ELSE service END WHERE id > ? AND source_id = ?",
            arguments: [resourceID, String(decoding: service, as: UTF8.self), mark.logs, sourceID])
    }

    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {
        try db.execute(
            sql: "UPDATE spans SET scope_name = ?, scope_version = ? WHERE id > ? AND source_id = ?",
            arguments: [
                name.isEmpty ? nil : String(decoding: name, as: UTF8.self),
                version.isEmpty ? nil : String(decoding: version, as: UTF8.self), mark.spans, sourceID,
            ])
        try db.execute(
            sql: "UPDATE logs SET scope_name = ? WHERE id > ? AND source_id = ?",
            arguments: [name.isEmpty ? nil : String(decoding: name, as: UTF8.self), mark.logs, sourceID])
    }

    static func fingerprint(_ resource: ResourceRecord) -> UInt64 {
        var hasher = XXH64(seed: 0x7265_736F)
        var serviceLength = UInt64(resource.service.count)
        withUnsafeBytes(of: &serviceLength) { hasher.update($0) }
        resource.service.withUnsafeBytes { hasher.update($0) }
        hasher.update(UnsafeRawBufferPointer(resource.attributes.buffer))
        return hasher.finalize()
    }

    /// The row of the current resource, written now if it is new.
    @inline(__always)
    private func ensureResource() throws {
        if resourceID != 0 { return }
        guard let (fingerprint, service, attributes) = pendingResource else {
            let empty = ResourceRecord()
            empty.attributes.append("{}")
            try resource(empty)
            return try ensureResource()
        }
        let signed = Int64(bitPattern: fingerprint)
        let find = findResource.sqliteStatement
        sqlite3_reset(find)
        sqlite3_bind_int64(find, 1, signed)
        if sqlite3_step(find) == SQLITE_ROW {
            resourceID = sqlite3_column_int64(find, 0)
        } else {
            let insert = insertResource.sqliteStatement
            sqlite3_reset(insert)
            bind(insert, 1, service)
            bind(insert, 2, attributes)
            sqlite3_bind_int64(insert, 3, signed)
            try check(sqlite3_step(insert))
            resourceID = sqlite3_last_insert_rowid(connection)
        }
        sqlite3_reset(find)
        resourceIDs[fingerprint] = resourceID
        pendingResource = nil
    }

    /// What makes two reports the same span: a re-export of it in another file is skipped.
    private func identity(of span: SpanRecord) -> Int64 {
        var fields: (UInt64, UInt64, UInt64, UInt64, Int64, Int64, UInt64) = (
            span.traceID.high, span.traceID.low, span.spanID.value, span.parentSpanID?.value ?? 0,
            span.startNs ?? -1, span.endNs ?? -1, UInt64(span.kind.rawValue)
        )
        var hasher = XXH64(seed: 0x7370_616E)
        withUnsafeBytes(of: &fields) { hasher.update($0) }
        span.name.withUnsafeBytes { hasher.update($0) }
        return Int64(bitPattern: hasher.finalize())
    }

    func span(_ span: SpanRecord) throws {
        try ensureResource()
        counts.spans += 1
        traceIDs.insert(span.traceID)
        kindsSeen |= 1 << UInt8(span.kind.rawValue)
        let s = insertSpan.sqliteStatement
        sqlite3_reset(s)
        bind(s, 1, span.traceID)
        bind(s, 2, span.spanID)
        bind(s, 3, span.parentSpanID)
        bind(s, 4, span.originalSpanID)
        bind(s, 5, span.name)
        sqlite3_bind_int64(s, 6, Int64(span.kind.rawValue))
        bind(s, 7, service)
        sqlite3_bind_int64(s, 8, resourceID)
        bind(s, 9, span.scopeName, nullIfEmpty: true)
        bind(s, 10, span.scopeVersion, nullIfEmpty: true)
        bind(s, 11, span.startNs)
        bind(s, 12, span.endNs)
        sqlite3_bind_int64(s, 13, Int64(span.statusCode.rawValue))
        bind(s, 14, span.statusMessage, nullIfEmpty: true)
        sqlite3_bind_int64(s, 15, Int64(span.flags))
        bind(s, 16, span.traceState, nullIfEmpty: true)
        bind(s, 17, span.attributes)
        bind(s, 18, span.events)
        bind(s, 19, span.links)
        sqlite3_bind_int64(s, 20, sourceID)
        sqlite3_bind_int64(s, 21, identity(of: span))
        try check(sqlite3_step(s))
        lastSpanRowID = sqlite3_last_insert_rowid(connection)
    }

    /// What makes two reports the same log record, in whichever format each came (`LogIdentity`).
    private func identity(of log: LogRecord) -> Int64 {
        log.body.withUnsafeBytes { body in
            LogIdentity.hash(
                traceHigh: log.traceID?.high ?? 0, traceLow: log.traceID?.low ?? 0, spanID: log.spanID?.value ?? 0,
                severity: log.severityNumber, body: body)
        }
    }

    func log(_ log: LogRecord) throws {
        try ensureResource()
        counts.logs += 1
        let s = insertLog.sqliteStatement
        sqlite3_reset(s)
        bind(s, 1, log.timeNs ?? log.observedTimeNs)
        bind(s, 2, log.observedTimeNs)
        sqlite3_bind_int64(s, 3, Int64(log.severityNumber))
        bind(s, 4, log.severityText, nullIfEmpty: true)
        bind(s, 5, log.body)
        if let traceID = log.traceID { bind(s, 6, traceID) } else { sqlite3_bind_null(s, 6) }
        bind(s, 7, log.spanID)
        sqlite3_bind_int64(s, 8, Int64(log.flags))
        bind(s, 9, log.service.isEmpty ? service : log.service)
        sqlite3_bind_int64(s, 10, resourceID)
        bind(s, 11, log.scopeName, nullIfEmpty: true)
        if log.attributes.isEmpty { log.attributes.append("{}") }
        bind(s, 12, log.attributes)
        sqlite3_bind_int64(s, 13, sourceID)
        sqlite3_bind_int64(s, 14, Int64(log.line))
        sqlite3_bind_int64(s, 15, identity(of: log))
        try check(sqlite3_step(s))
        lastLogRowID = sqlite3_last_insert_rowid(connection)
        if let test = intervalTest, let time = log.timeNs ?? log.observedTimeNs,
            log.body.withUnsafeBufferPointer({ test.matches(body: $0, attributes: log.attributes.buffer) })
        {
            if let spill = intervalSpill {
                if firstSpilledRow == nil { firstSpilledRow = lastLogRowID }
                try (log.service.isEmpty ? service : log.service).withUnsafeBufferPointer { service in
                    try log.body.withUnsafeBufferPointer { body in
                        try spill.append(
                            rowID: lastLogRowID, timeNs: time, traceID: log.traceID, spanID: log.spanID, service: service,
                            body: body, attributes: log.attributes.buffer)
                    }
                }
            } else {
                intervalCandidates.append(lastLogRowID)
            }
        }
    }
}
