// The database schema, created by named migrations. A shipped migration is never edited:
// changes come as new migrations appended at the end. The schema is a public interface
// (`tracedoctor sql` exposes it); the README documents it.

import GRDB

enum Schema {
    /// `PRAGMA application_id` of a tracedoctor database ("TrDc").
    static let applicationID: Int32 = 0x5472_4463

    /// The migrations, in order: (identifier, SQL). Their identifiers are recorded in
    /// `grdb_migrations` (the table GRDB's migrator kept, so databases written before stay valid).
    static let migrations: [(identifier: String, run: @Sendable (Database) throws -> Void)] = [
        ("v1_sources_spans_logs", { db in try db.execute(sql: v1) }),
        ("v2_spans_by_time", { db in try db.execute(sql: v2) }),
        ("v3_log_identity_across_formats", v3),
        ("v4_log_intervals", v4),
        ("v5_log_interval_indexes", { db in try db.execute(sql: v5) }),
    ]

    static var knownMigrations: [String] { migrations.map(\.identifier) }

    /// The identifiers of the migrations a database has applied (none for a new file).
    static func appliedMigrations(_ db: Database) throws -> Set<String> {
        guard try db.tableExists("grdb_migrations") else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
    }

    /// Creates or upgrades the schema inside one `BEGIN IMMEDIATE` transaction: the write lock is
    /// taken before anything is read, so any number of processes opening a new path at once take
    /// turns (each waits in the busy handler), and every one after the first finds the schema
    /// complete. Refuses a file that is another application's database or from a newer tracedoctor.
    static func migrate(_ db: Database, path: String) throws {
        try db.inTransaction(.immediate) {
            try check(db, path: path)
            let applied = try appliedMigrations(db)
            guard applied.count < migrations.count else { return .commit }
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            for migration in migrations where !applied.contains(migration.identifier) {
                try migration.run(db)
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
            }
            return .commit
        }
    }

    /// Refuses what tracedoctor must not read or write: another application's database, one
    /// written by a newer tracedoctor. Returns the migrations applied.
    @discardableResult
    static func check(_ db: Database, path: String) throws -> Set<String> {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tableCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        if applicationID != Schema.applicationID && tableCount > 0 {
            throw TraceDoctorError.notATraceDoctorDatabase(path: path, reason: "it is an SQLite database with other tables")
        }
        let applied = try appliedMigrations(db)
        let unknown = applied.subtracting(knownMigrations)
        if !unknown.isEmpty {
            throw TraceDoctorError.databaseFromNewerVersion(path: path, unknownMigrations: unknown.sorted())
        }
        return applied
    }

    /// The indexes of a table, as created by the migrations (`ingest` drops and rebuilds them
    /// around a load that is large next to what the table holds).
    static let indexes: [String: [(name: String, sql: String)]] = [
        "spans": [
            ("spans_by_trace_parent", "CREATE INDEX spans_by_trace_parent ON spans(trace_id, parent_span_id)"),
            ("spans_by_time", "CREATE INDEX spans_by_time ON spans(start_ns, end_ns, trace_id)"),
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

extension Schema {
    /// The spans running at a time (issue 5): `explain` looks for the traces running alongside the
    /// one it explains (fragments, calls sent without context) with a range of `start_ns`; the
    /// index holds `end_ns` and `trace_id` so the query never reads the table. Without it that query
    /// scans every span (0.25 s on 1 M spans).
    ///
    /// With it, the longest span ever stored: a span running at time t started at most that long
    /// before t, which bounds the range of `start_ns` to read (`ingest` keeps it up to date).
    static let v2 = """
        -- The spans by start time (the traces running at the same time as one trace).
        CREATE INDEX spans_by_time ON spans(start_ns, end_ns, trace_id);

        -- One row: the longest span stored (start_ns > 0), an upper bound that only grows.
        CREATE TABLE span_bounds (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            max_duration_ns INTEGER NOT NULL CHECK (max_duration_ns >= 0)
        ) STRICT;
        INSERT INTO span_bounds (id, max_duration_ns)
            SELECT 1, coalesce(max(end_ns - start_ns), 0) FROM spans WHERE start_ns > 0 AND end_ns >= start_ns;
        """

    /// Raises `span_bounds.max_duration_ns` to the longest of the spans stored after row `after`.
    /// `NOT INDEXED`: the rows after `after` are read by row ID. Left to itself SQLite reads the
    /// covering `spans_by_time` index for `start_ns > 0` instead, which is every span of the
    /// database: 14 ms per ingested file at 180 k spans, most of the cost of a small file.
    static let updateSpanBounds = """
        UPDATE span_bounds SET max_duration_ns = max(max_duration_ns, (
            SELECT coalesce(max(end_ns - start_ns), 0) FROM spans NOT INDEXED
            WHERE id > ?1 AND start_ns > 0 AND end_ns >= start_ns))
        """
}


extension Schema {
    /// The same log record arriving in two formats (an application's JSON log file and the
    /// Collector's OTLP copy) is one record (issue 19): `logs.identity_hash` becomes what both
    /// copies share — trace and span IDs, severity number and body (`LogIdentity`) — and no longer
    /// the observed time or the service, which only one of them has. Existing rows are re-hashed.
    static func v3(_ db: Database) throws {
        try LogIdentity.register(in: db)
        try db.execute(sql: "UPDATE logs SET identity_hash = tracedoctor_log_identity(trace_id, span_id, severity_number, body)")
    }
}
