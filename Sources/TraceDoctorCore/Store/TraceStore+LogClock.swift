// The samples behind the log-clock check (`LogClockCheck`): log lines of one ingested file
// joined by trace and span ID to a span with both times.

import GRDB

extension TraceStore {
    /// The highest row of `logs` (0 when empty): the lines a file adds are the rows after it.
    public func lastLogRow() throws(TraceDoctorError) -> Int64 {
        // Cached: asked twice per file, and a directory of small files has thousands.
        try read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM logs")) ?? 0 }
    }

    /// Lines among rows `rows` of `logs` (at most `scanLimit` rows from the first, read by row
    /// id) that name a span with both times, with that span's times; at most `limit`. Each line
    /// finds its span through `spans_by_trace_parent` (trace ID, then the trace's spans): the
    /// limit keeps a file of lines in one huge trace cheap.
    public func logClockSamples(rows: ClosedRange<Int64>, scanLimit: Int64 = 100_000, limit: Int = 1_000)
        throws(TraceDoctorError) -> [LogClockCheck.Sample]
    {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT logs.time_ns, spans.start_ns, spans.end_ns FROM logs
                    JOIN spans ON spans.trace_id = logs.trace_id AND spans.span_id = logs.span_id
                    WHERE logs.id BETWEEN ? AND ? AND logs.span_id IS NOT NULL AND logs.time_ns IS NOT NULL
                    AND spans.start_ns > 0 AND spans.end_ns >= spans.start_ns
                    LIMIT ?
                    """, arguments: [rows.lowerBound, min(rows.upperBound, rows.lowerBound &+ scanLimit - 1), limit])
            var samples: [LogClockCheck.Sample] = []
            while let row = try rows.next() {
                samples.append(LogClockCheck.Sample(logNs: row[0], spanStartNs: row[1], spanEndNs: row[2]))
            }
            return samples
        }
    }
}
