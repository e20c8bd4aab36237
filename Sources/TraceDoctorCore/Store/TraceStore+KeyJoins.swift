// The values behind correlation keys (`--link-key`, `KeyJoiner`): which spans carry a value as an
// attribute (on the span or its resource), and which log lines carry it as a field. Each is one
// pass over the table with `->>`; the joining itself is `KeyJoiner`'s.

import GRDB

extension TraceStore {
    /// A span carrying a key's value.
    public struct SpanKeyValue: Sendable, Equatable {
        public var traceID: TraceID
        public var spanID: SpanID
        public var value: String
    }

    /// A log line carrying a key's value (with the IDs it has, if any).
    public struct LogKeyValue: Sendable, Equatable {
        public var rowID: Int64
        public var traceID: TraceID?
        public var spanID: SpanID?
        public var value: String
    }

    /// The spans whose attributes (or their resource's) hold `attribute`, by start.
    public func spanKeyValues(attribute: String) throws(TraceDoctorError) -> [SpanKeyValue] {
        try read { db in
            let path = LinkKey.jsonPath(attribute)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT spans.trace_id, spans.span_id,
                        CAST(coalesce(spans.attributes ->> ?1, resources.attributes ->> ?1) AS TEXT) AS value
                    FROM spans JOIN resources ON resources.id = spans.resource_id
                    WHERE value IS NOT NULL AND value != ''
                    ORDER BY spans.start_ns, spans.id
                    """, arguments: [path])
            var found: [SpanKeyValue] = []
            while let row = try rows.next() {
                guard let trace = TraceID(hex: row[0]), let span = SpanID(hex: row[1]) else { continue }
                found.append(SpanKeyValue(traceID: trace, spanID: span, value: row[2]))
            }
            return found
        }
    }

    /// The log lines whose attributes hold `field`, in row order.
    public func logKeyValues(field: String) throws(TraceDoctorError) -> [LogKeyValue] {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, trace_id, span_id, CAST(attributes ->> ? AS TEXT) AS value FROM logs
                    WHERE value IS NOT NULL AND value != '' ORDER BY id
                    """, arguments: [LinkKey.jsonPath(field)])
            var found: [LogKeyValue] = []
            while let row = try rows.next() {
                found.append(
                    LogKeyValue(
                        rowID: row[0], traceID: (row[1] as String?).flatMap { TraceID(hex: $0) },
                        spanID: (row[2] as String?).flatMap { SpanID(hex: $0) }, value: row[3]))
            }
            return found
        }
    }

    /// The log lines of rows `rowIDs`, by time then row.
    public func logs(rowIDs: [Int64]) throws(TraceDoctorError) -> [StoredLog] {
        guard !rowIDs.isEmpty else { return [] }
        return try read { db in
            var found: [StoredLog] = []
            for chunk in stride(from: 0, to: rowIDs.count, by: 500) {
                let part = Array(rowIDs[chunk..<min(chunk + 500, rowIDs.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
                found += try Row.fetchAll(
                    db,
                    sql: "SELECT \(Self.logColumns) FROM logs LEFT JOIN sources ON sources.id = logs.source_id WHERE logs.id IN (\(marks))",
                    arguments: StatementArguments(part)
                ).map(Self.storedLog)
            }
            return found.sorted { ($0.timeNs ?? Int64.min, $0.rowID) < ($1.timeNs ?? Int64.min, $1.rowID) }
        }
    }
}
