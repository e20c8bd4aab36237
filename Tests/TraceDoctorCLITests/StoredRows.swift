// Whole stored rows of spans and logs, read with the sqlite3 CLI, to check that two encodings
// of the same data (OTLP protobuf and OTLP/JSON) store exactly the same thing.

enum StoredRows {
    /// Every column of every span that comes from the data (not row, source or resource IDs),
    /// with its resource's service and attributes, one JSON array per span, in ID order.
    static func spans(_ db: String) throws -> [String] {
        try sqlite(
            db,
            """
            SELECT json_array(s.trace_id, s.span_id, s.parent_span_id, s.original_span_id, s.name, s.kind, s.service,
                s.scope_name, s.scope_version, s.start_ns, s.end_ns, s.status_code, s.status_message, s.flags,
                s.parent_is_remote, s.trace_state, s.attributes, s.events, s.links, s.identity_hash, r.service, r.attributes)
            FROM spans s JOIN resources r ON r.id = s.resource_id ORDER BY s.trace_id, s.span_id, s.id
            """)
    }

    /// The same for logs, in reading order; `source_line` is left out (a line in JSON, a record
    /// number in protobuf).
    static func logs(_ db: String) throws -> [String] {
        try sqlite(
            db,
            """
            SELECT json_array(l.time_ns, l.observed_time_ns, l.severity_number, l.severity_text, l.body, l.trace_id,
                l.span_id, l.flags, l.service, l.scope_name, l.attributes, l.identity_hash, r.service, r.attributes)
            FROM logs l LEFT JOIN resources r ON r.id = l.resource_id ORDER BY l.id
            """)
    }
}
