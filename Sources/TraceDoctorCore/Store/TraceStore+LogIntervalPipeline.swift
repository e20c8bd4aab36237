// The interval pass over spilled candidate lines, on both cores: a worker thread decodes each
// slice of records and builds its intervals (`LogIntervalBuilder`), carrying the loose ends
// (starts without their end, ends without their start, noted pairs) to the next slice in memory,
// while this thread inserts what the slice before settled. The slices, and so the intervals,
// are those of the one-thread pass (`buildLogIntervalSlice`); only loose ends are stored once,
// at the end, instead of again after every slice.

import Foundation
import GRDB

extension TraceStore {
    static func buildSpilledLogIntervals(
        _ db: Database, rows: ClosedRange<Int64>, rules: LogIntervalRules, spilled: SpilledCandidates, sliceRows: Int64
    ) throws -> [LogInterval.Kind: Int] {
        // The loose ends stored before this run: their lines open the first slice.
        let stored = try Row.fetchAll(
            db, sql: "SELECT id, coalesce(start_log_id, end_log_id) AS row FROM log_intervals WHERE \(looseEnds)")
        let storedRows = stored.map { $0["row"] as Int64 }
        var initial: [LogIntervalBuilder.Line] = []
        for chunk in stride(from: 0, to: storedRows.count, by: 500) {
            let part = Array(storedRows[chunk..<min(chunk + 500, storedRows.count)])
            let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
            let sql = "SELECT id, time_ns, service, body, attributes, trace_id, span_id FROM logs WHERE id IN (\(marks))"
            for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(part)) {
                if let line = storedLine(row) { initial.append(line) }
            }
        }
        let worker = SpilledIntervalWorker(
            spilled: spilled, rules: rules, rows: rows, sliceRows: max(1, sliceRows), loose: initial)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            worker.run()
            done.signal()
        }
        var counts: [LogInterval.Kind: Int] = [:]
        do {
            var first = true
            while let batch = worker.channel.receive() {
                if first {
                    // Built again with this run's lines: the stored copies go.
                    first = false
                    let ids = stored.map { $0["id"] as Int64 }
                    for chunk in stride(from: 0, to: ids.count, by: 500) {
                        let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
                        let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
                        try db.execute(sql: "DELETE FROM log_intervals WHERE id IN (\(marks))", arguments: StatementArguments(part))
                    }
                }
                try batch.insert(db) { _, _, kind in counts[kind, default: 0] += 1 }
            }
        } catch {
            worker.channel.cancel()
            done.wait()
            throw error
        }
        done.wait()
        if let error = worker.error { throw error }
        return counts.filter { $0.value > 0 }
    }

    /// A stored log row as a builder line (nil without a time).
    static func storedLine(_ row: Row) -> LogIntervalBuilder.Line? {
        guard let time: Int64 = row["time_ns"] else { return nil }
        let text: String = row["attributes"]
        let attributes =
            text == "{}" ? [:] : ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:])
        return LogIntervalBuilder.Line(
            rowID: row["id"], timeNs: time, service: row["service"], body: row["body"], attributes: attributes,
            traceID: (row["trace_id"] as String?).flatMap { TraceID(hex: $0) },
            spanID: (row["span_id"] as String?).flatMap { SpanID(hex: $0) })
    }
}

/// Builds the intervals of spilled candidates slice by slice on its own thread; `channel` hands
/// each slice's settled intervals to the inserting thread, and the loose ends last.
/// Only the worker thread touches its state until `run()` returns.
final class SpilledIntervalWorker: @unchecked Sendable {
    let channel = IntervalChannel()
    private(set) var error: Error?
    private let spilled: TraceStore.SpilledCandidates
    private let rules: LogIntervalRules
    private let rows: ClosedRange<Int64>
    private let sliceRows: Int64
    private var loose: [LogIntervalBuilder.Line]

    init(
        spilled: TraceStore.SpilledCandidates, rules: LogIntervalRules, rows: ClosedRange<Int64>, sliceRows: Int64,
        loose: [LogIntervalBuilder.Line]
    ) {
        self.spilled = spilled
        self.rules = rules
        self.rows = rows
        self.sliceRows = sliceRows
        self.loose = loose
    }

    func run() {
        defer { channel.finish() }
        do {
            var looseIntervals: [LogInterval] = []
            var built = false
            var low = rows.lowerBound
            while low <= rows.upperBound {
                let high = min(rows.upperBound, low &+ sliceRows &- 1)
                var lines: [LogIntervalBuilder.Line] = []
                while let row = try spilled.reader.peekRowID(), row <= high {
                    guard let record = try spilled.reader.next() else { break }
                    guard row >= low else { continue }
                    let attributes =
                        spilled.filter.members(of: record.attributes)
                        ?? ((try? JSONSerialization.jsonObject(with: Data(record.attributes))) as? [String: Any] ?? [:])
                    lines.append(
                        LogIntervalBuilder.Line(
                            rowID: row, timeNs: record.timeNs, service: record.service, body: record.body,
                            attributes: attributes, traceID: record.traceID, spanID: record.spanID))
                }
                if !lines.isEmpty {
                    lines += loose
                    var byRow: [Int64: Int] = [:]
                    for (k, line) in lines.enumerated() { byRow[line.rowID] = k }
                    var settled: [LogInterval] = []
                    looseIntervals = []
                    for interval in LogIntervalBuilder.build(lines, rules: rules) {
                        if TraceStore.isLooseEnd(interval) { looseIntervals.append(interval) } else { settled.append(interval) }
                    }
                    loose = looseIntervals.compactMap { interval in
                        (interval.startRow ?? interval.endRow).flatMap { byRow[$0] }.map { lines[$0] }
                    }
                    built = true
                    guard channel.send(LogIntervalBatch(settled)) else { return }
                }
                if high == rows.upperBound { break }
                low = high + 1
            }
            if built { _ = channel.send(LogIntervalBatch(looseIntervals)) }
        } catch {
            self.error = error
        }
    }
}

/// A queue of two batches between the building and the inserting thread.
final class IntervalChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [LogIntervalBatch] = []
    private var finished = false
    private var cancelled = false
    static let depth = 2

    /// Waits for room; false once the receiver has cancelled.
    func send(_ batch: LogIntervalBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= Self.depth && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        batches = []
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, or nil once the sender finished and all were taken.
    func receive() -> LogIntervalBatch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        guard !batches.isEmpty else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }
}
