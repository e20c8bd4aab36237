// The database schema, created by named migrations. A shipped migration is never edited:
// changes come as new migrations appended at the end. The schema is a public interface
// (`tracedoctor sql` exposes it); the README documents it.

import GRDB

enum Schema {
    /// `PRAGMA application_id` of a tracedoctor database ("TrDc").
    static let applicationID: Int32 = 0x5472_4463

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_sources_spans_logs") { db in
            try db.execute(sql: v1)
        }
        return migrator
    }

    static var knownMigrations: [String] { migrator.migrations }

    /// The indexes of a table, as created by the migrations (`ingest` drops and rebuilds them
    /// around a load that is large next to what the table holds).
    static let indexes: [String: [(name: String, sql: String)]] = [
        "spans": [
            ("spans_by_trace_parent", "CREATE INDEX spans_by_trace_parent ON spans(trace_id, parent_span_id)"),
        ],
        "logs": [
            ("logs_by_trace_span", "CREATE INDEX logs_by_trace_span ON logs(trace_id, span_id) WHERE trace_id IS NOT NULL"),
            ("logs_by_service_time", "CREATE INDEX logs_by_service_time ON logs(service, time_ns)"),
        ],
    ]

    static let v1 = """
        PRAGMA application_id = \(applicationID);

        -- One row per ingested input file (or stdin).
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            content_hash TEXT NOT NULL UNIQUE,
            format TEXT NOT NULL,
            size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
            span_count INTEGER NOT NULL DEFAULT 0,
            trace_count INTEGER NOT NULL DEFAULT 0,
            log_count INTEGER NOT NULL DEFAULT 0,
            duplicate_count INTEGER NOT NULL DEFAULT 0,
            skipped_count INTEGER NOT NULL DEFAULT 0,
            ingested_at TEXT NOT NULL,
            tracedoctor_version TEXT NOT NULL
        ) STRICT;

        -- The processes that produced spans and logs (OTLP resources), stored once each.
        CREATE TABLE resources (
            id INTEGER PRIMARY KEY,
            service TEXT NOT NULL,
            attributes TEXT NOT NULL CHECK (json_valid(attributes)),
            fingerprint INTEGER NOT NULL UNIQUE
        ) STRICT;

        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            trace_id TEXT NOT NULL CHECK (length(trace_id) = 32),
            span_id TEXT NOT NULL CHECK (length(span_id) = 16),
            parent_span_id TEXT CHECK (parent_span_id IS NULL OR length(parent_span_id) = 16),
            original_span_id TEXT CHECK (original_span_id IS NULL OR length(original_span_id) = 16),
            name TEXT NOT NULL,
            kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 5),
            service TEXT NOT NULL,
            resource_id INTEGER NOT NULL REFERENCES resources(id),
            scope_name TEXT,
            scope_version TEXT,
            start_ns INTEGER,
            end_ns INTEGER,
            status_code INTEGER NOT NULL DEFAULT 0 CHECK (status_code BETWEEN 0 AND 2),
            status_message TEXT,
            flags INTEGER NOT NULL DEFAULT 0,
            parent_is_remote INTEGER GENERATED ALWAYS AS
                (CASE WHEN flags & 256 THEN (flags >> 9) & 1 END) VIRTUAL,
            trace_state TEXT,
            attributes TEXT NOT NULL DEFAULT '{}',
            events TEXT NOT NULL DEFAULT '[]',
            links TEXT NOT NULL DEFAULT '[]',
            source_id INTEGER NOT NULL REFERENCES sources(id),
            identity_hash INTEGER NOT NULL
        ) STRICT;
        -- All spans of a trace, and the children of a span.
        CREATE INDEX spans_by_trace_parent ON spans(trace_id, parent_span_id);

        CREATE TABLE logs (
            id INTEGER PRIMARY KEY,
            time_ns INTEGER,
            observed_time_ns INTEGER,
            severity_number INTEGER NOT NULL DEFAULT 0 CHECK (severity_number BETWEEN 0 AND 24),
            severity_text TEXT,
            body TEXT NOT NULL,
            trace_id TEXT CHECK (trace_id IS NULL OR length(trace_id) = 32),
            span_id TEXT CHECK (span_id IS NULL OR length(span_id) = 16),
            flags INTEGER NOT NULL DEFAULT 0,
            service TEXT NOT NULL,
            resource_id INTEGER REFERENCES resources(id),
            scope_name TEXT,
            attributes TEXT NOT NULL DEFAULT '{}',
            source_id INTEGER NOT NULL REFERENCES sources(id),
            source_line INTEGER,
            identity_hash INTEGER NOT NULL
        ) STRICT;
        -- The logs of a trace (and of a span in it).
        CREATE INDEX logs_by_trace_span ON logs(trace_id, span_id) WHERE trace_id IS NOT NULL;
        -- The logs of a service in a time window (unlinked logs inside a span).
        CREATE INDEX logs_by_service_time ON logs(service, time_ns);
        """
}
