// The spans table read in row-ID windows, a trace handed out as soon as the scan has passed its
// last row: what the whole-database diagnoses hold of the table is the current window and the
// traces still open at its end, not the whole table (BENCHMARKS.md, "Analysis memory").

import GRDB
import GRDBSQLite

extension TraceStore {
    /// Rows read per window of the scan (~100 bytes each while the window is alive).
    static let scanWindowRows: Int64 = 65_536

    /// Where the scan stands when it hands out a batch (for tests and benchmarks).
    struct TraceScanPosition: Sendable, Equatable {
        /// The highest row ID read so far.
        var scannedThrough: Int64
        /// Traces seen whose last row the scan has not reached yet.
        var openTraces: Int
        /// Their spans, held until their last row is read.
        var openSpans: Int
    }

    /// Calls `body` with batches of at most `size` complete traces, in the order the scan completes
    /// them (not in trace-ID order), each trace's spans in row order. A trace is complete once the
    /// window holding its last row (`max(id)` of its trace ID, one lookup in `spans_by_trace_parent`
    /// per trace) has been read; only the traces still open at the end of a window are held.
    func forEachTraceBatch(
        size: Int, window: Int64 = scanWindowRows, _ body: (TraceBatch, TraceScanPosition) throws -> Void
    ) throws {
        try read { db in
            let before = (
                try Int64.fetchOne(db, sql: "PRAGMA mmap_size") ?? 0, try Int64.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            )
            // Through SQLite's page cache, not the memory map (see `loadSpans`).
            try db.execute(sql: "PRAGMA mmap_size = 0")
            try db.execute(sql: "PRAGMA cache_size = \(Self.scanCacheSize)")
            defer {
                try? db.execute(sql: "PRAGMA mmap_size = \(before.0)")
                try? db.execute(sql: "PRAGMA cache_size = \(before.1)")
            }
            let resources = try processes(db)
            let maxID = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM spans") ?? 0
            let lastRow = try db.makeStatement(sql: "SELECT max(id) FROM spans WHERE trace_id = ?")
            /// Traces begun in an earlier window: their last row, and their spans so far.
            var open: [TraceID: (last: Int64, spans: [AnalysisSpan])] = [:]
            var openSpans = 0
            var low: Int64 = 0
            while low < maxID {
                let high = min(low + max(1, window), maxID)
                let table = SpanTable(resources: resources, expectedRows: Int(high - low))
                try table.load(db, rows: low, high)
                let grouping = table.grouping()
                let reader = table.reader
                var complete: [(carried: [AnalysisSpan], rows: Range<Int>)] = []
                for t in 0..<grouping.count {
                    let rows = grouping.offsets[t]..<grouping.offsets[t + 1]
                    let id = table.traceID(ofRow: Int(grouping.rows[rows.lowerBound]))
                    let last: Int64
                    if let known = open[id]?.last {
                        last = known
                    } else {
                        try lastRow.setArguments([id.hex])
                        // No row with that exact spelling: held until the scan ends.
                        last = try Int64.fetchOne(lastRow) ?? Int64.max
                    }
                    if last <= high {
                        let carried = open.removeValue(forKey: id)?.spans ?? []
                        openSpans -= carried.count
                        complete.append((carried, rows))
                    } else {
                        let spans = rows.map { reader.span(Int(grouping.rows[$0])) }
                        openSpans += spans.count
                        open[id, default: (last, [])].spans += spans
                    }
                }
                let position = TraceScanPosition(scannedThrough: high, openTraces: open.count, openSpans: openSpans)
                let shared = SendableBox((reader, grouping.rows))
                for first in stride(from: 0, to: complete.count, by: max(1, size)) {
                    let part = SendableBox(Array(complete[first..<min(first + max(1, size), complete.count)]))
                    let batch = TraceBatch { each in
                        let (reader, rows) = shared.value
                        for trace in part.value {
                            each(trace.carried + trace.rows.map { reader.span(Int(rows[$0])) })
                        }
                    }
                    try body(batch, position)
                }
                low = high
            }
            // Traces whose last row the scan did not see (written after it began, or IDs spelt
            // otherwise than the store writes them): what was read of them, in trace-ID order.
            guard !open.isEmpty else { return }
            let rest = SendableBox(open.sorted { $0.key < $1.key }.map(\.value.spans))
            open = [:]
            let position = TraceScanPosition(scannedThrough: maxID, openTraces: 0, openSpans: 0)
            try body(TraceBatch { each in rest.value.forEach(each) }, position)
        }
    }
}
