import Foundation
import GRDB
import GRDBSQLite
import Testing

@testable import TraceDoctorCore

/// Small files in one transaction, a savepoint each (`TraceStore.beginBatch()`).
@Suite struct TraceStoreBatchTests {
    /// One request of two spans in a trace of its own.
    static func request(_ n: Int) -> String {
        let trace = String(format: "%032x", 0xabc0_0000 + n)
        return #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"spans":[{"traceId":"\#(trace)","spanId":"\#(String(format: "%016x", 2 * n + 1))","name":"root","startTimeUnixNano":"1","endTimeUnixNano":"9"},{"traceId":"\#(trace)","spanId":"\#(String(format: "%016x", 2 * n + 2))","parentSpanId":"\#(String(format: "%016x", 2 * n + 1))","name":"child","startTimeUnixNano":"2","endTimeUnixNano":"3"}]}]}]}"#
    }

    @discardableResult
    func ingest(_ store: TraceStore, _ text: String, hash: String, before: ((RecordSink) -> Void)? = nil) throws -> SourceOutcome {
        try store.ingest(
            SourceDescription(path: hash + ".json", format: .otlpJSON, sizeBytes: Int64(text.utf8.count), expectedBytes: Int64(text.utf8.count)),
            finished: { (hash, Int64(text.utf8.count), 0) },
            body: { sink in
                before?(sink)
                try OTLPJSONReader().read(MemorySource(text), into: sink, context: ReadContext(keepGoing: false))
            })
    }

    func count(_ store: TraceStore, _ sql: String) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    func withStore(_ body: (TraceStore, String) throws -> Void) throws {
        let dir = NSTemporaryDirectory() + "tracedoctor-batch-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try TraceStore(path: dir + "/t.db")
        defer { store.close() }
        try body(store, dir + "/t.db")
    }

    @Test func aBadFileInABatchRollsBackAloneAndTheRestIsCommitted() throws {
        try withStore { store, path in
            try store.beginBatch()
            try ingest(store, Self.request(1), hash: "h1")
            let bad = Self.request(2).replacingOccurrences(of: "\"child\"", with: "\"child")
            #expect(throws: InputError.self) { try ingest(store, bad, hash: "h2") }
            try ingest(store, Self.request(3), hash: "h3")
            // The same content again inside the batch: found by its hash, nothing added.
            guard case .alreadyIngested = try ingest(store, Self.request(3), hash: "h3") else {
                Issue.record("expected already ingested")
                return
            }
            // Nothing is visible to another connection before the commit.
            let other = try TraceStore(path: path, readOnly: true)
            #expect(try count(other, "SELECT count(*) FROM sources") == 0)
            other.close()
            #expect(try store.commitBatch())
            #expect(try count(store, "SELECT count(*) FROM spans") == 4)
            #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT content_hash FROM sources ORDER BY id") } == ["h1", "h3"])
            #expect(try count(store, "SELECT count(*) FROM spans WHERE source_id NOT IN (SELECT id FROM sources)") == 0)
            // Foreign keys are checked again after the batch.
            #expect(try count(store, "PRAGMA foreign_keys") == 1)
        }
    }

    /// SQLite rolls the whole transaction back when it interrupts a write (Ctrl-C): the commit
    /// then says the batch is lost instead of claiming its files. (A progress handler that
    /// returns non-zero interrupts the running statement as `sqlite3_interrupt` does, and can be
    /// timed: an interrupt between statements is cleared by the next one.)
    @Test func aWriteInterruptedInABatchLosesTheWholeBatchAndSaysSo() throws {
        try withStore { store, _ in
            let connection = try #require(try store.read { db in db.sqliteConnection })
            try store.beginBatch()
            try ingest(store, Self.request(1), hash: "h1")
            #expect(throws: (any Error).self) {
                try ingest(
                    store, Self.request(2), hash: "h2",
                    before: { _ in sqlite3_progress_handler(connection, 1, { _ in 1 }, nil) })
            }
            sqlite3_progress_handler(connection, 0, nil, nil)
            #expect(try !store.commitBatch())
            #expect(try count(store, "SELECT count(*) FROM sources") == 0)
            #expect(try count(store, "SELECT count(*) FROM spans") == 0)
            // The store goes on working after the loss.
            try ingest(store, Self.request(1), hash: "h1")
            #expect(try count(store, "SELECT count(*) FROM spans") == 2)
        }
    }
}
