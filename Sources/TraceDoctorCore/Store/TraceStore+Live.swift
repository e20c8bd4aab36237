// A live capture (`tracedoctor receive`): export requests arrive one by one and are appended to
// one source, many requests per transaction. Each transaction goes through the same writer as
// `ingest` (IngestWriter): the same rows, the same removal of spans and logs already stored (an
// exporter's retry of a request whose answer it lost adds nothing).

import Foundation
import GRDB

/// The source row that a live capture appends to.
public struct LiveSource: Sendable, Equatable {
    public let id: Int64
    public let name: String
}

extension TraceStore {
    /// Makes every commit durable against power loss too (`synchronous = FULL`): the receiver
    /// acknowledges a request only after its commit returns. (A killed process loses nothing
    /// committed in either mode; WAL is written before the commit returns.)
    public func makeCommitsDurable() throws(TraceDoctorError) {
        try read { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    }

    /// Creates the source row of a live capture named `name` (shown by `stats`, `sql`).
    public func beginLiveSource(name: String, format: InputFormat) throws(TraceDoctorError) -> LiveSource {
        guard !readOnly else { throw .database(path: path, message: "opened read-only") }
        return try read { db in
            try db.execute(
                sql: """
                    INSERT INTO sources (path, content_hash, format, size_bytes, ingested_at, tracedoctor_version)
                    VALUES (?, ?, ?, 0, ?, ?)
                    """,
                arguments: [
                    name, "live-\(UUID().uuidString.lowercased())", format.rawValue, Self.timestamp(Date()),
                    TraceDoctorVersion.current,
                ])
            return LiveSource(id: db.lastInsertedRowID, name: name)
        }
    }

    /// Stores `exports` in one transaction: all of them or (on a database error) none. Returns
    /// what was added; records already stored by an earlier request or source are not added again.
    /// The log intervals of the lines added are built with `intervalRules` in the same transaction.
    public func append(_ exports: [DecodedExport], to source: LiveSource, intervalRules: LogIntervalRules = .defaults)
        throws(TraceDoctorError) -> IngestCounts
    {
        guard !readOnly else { throw .database(path: path, message: "opened read-only") }
        var counts = IngestCounts()
        do {
            try queue.inDatabase { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                try db.inTransaction(.immediate) {
                    let lastLog = try Int64.fetchOne(db, sql: "SELECT max(id) FROM logs") ?? 0
                    let writer = try IngestWriter(db: db, sourceID: source.id, expectedBytes: nil)
                    writer.intervalTest = IntervalCandidateTest(intervalRules)
                    for export in exports { try export.replay(into: writer) }
                    counts = try writer.finish(separatingSharedSpans: false)
                    // The log intervals of the lines added, in the same transaction: a start whose end
                    // comes in a later request stays a loose end until then, as across ingested files.
                    if counts.logs > counts.duplicateLogs, let newLast = try Int64.fetchOne(db, sql: "SELECT max(id) FROM logs"),
                        newLast > lastLog
                    {
                        _ = try Self.buildLogIntervals(
                            db, rows: (lastLog + 1)...newLast, rules: intervalRules, candidates: writer.intervalCandidates)
                    }
                    let skipped = exports.reduce(0) { $0 + $1.rejected }
                    try db.execute(
                        sql: """
                            UPDATE sources SET span_count = span_count + ?, log_count = log_count + ?,
                                duplicate_count = duplicate_count + ?, skipped_count = skipped_count + ?
                            WHERE id = ?
                            """,
                        arguments: [
                            counts.spans, counts.logs, counts.duplicateSpans + counts.duplicateLogs, skipped, source.id,
                        ])
                    return .commit
                }
            }
        } catch {
            throw Self.describe(error, path: path)
        }
        return counts
    }

    /// Sets the source's trace count once the capture ends (counting per transaction would
    /// count a trace spread over many requests many times).
    public func finishLiveSource(_ source: LiveSource) throws(TraceDoctorError) {
        guard !readOnly else { return }
        do {
            try queue.inDatabase { db in
                try db.execute(
                    sql: "UPDATE sources SET trace_count = (SELECT count(DISTINCT trace_id) FROM spans WHERE source_id = ?1) WHERE id = ?1",
                    arguments: [source.id])
            }
        } catch {
            throw Self.describe(error, path: path)
        }
    }

    /// Distinct trace IDs among the spans of `sources`.
    public func traceCount(sources: [LiveSource]) throws(TraceDoctorError) -> Int {
        guard !sources.isEmpty else { return 0 }
        let ids = sources.map { String($0.id) }.joined(separator: ",")
        return try read { db in
            try Int.fetchOne(db, sql: "SELECT count(DISTINCT trace_id) FROM spans WHERE source_id IN (\(ids))") ?? 0
        }
    }

    /// Spans of `sources` whose parent is not (yet) in the database, for the receiver's status
    /// line. During a capture a parent usually arrives after its children (it ends last): "so far".
    public func orphanCount(sources: [LiveSource]) throws(TraceDoctorError) -> Int {
        guard !sources.isEmpty else { return 0 }
        let ids = sources.map { String($0.id) }.joined(separator: ",")
        return try read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM spans AS s WHERE s.source_id IN (\(ids)) AND s.parent_span_id IS NOT NULL
                        AND NOT EXISTS (
                            SELECT 1 FROM spans AS p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_span_id)
                    """) ?? 0
        }
    }
}
