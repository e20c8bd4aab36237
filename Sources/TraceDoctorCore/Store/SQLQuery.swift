// `tracedoctor sql QUERY`: check the database is tracedoctor's, then stream the query's rows.

public struct SQLRequest: Sendable {
    public var databasePath: String
    public var sql: String
    /// Stop the query after this long (nil: never).
    public var timeoutSeconds: Double?
    /// Print at most this many rows (nil: all); the writer is told when there were more.
    public var maxRows: Int?

    public init(databasePath: String, sql: String, timeoutSeconds: Double? = nil, maxRows: Int? = nil) {
        self.databasePath = databasePath
        self.sql = sql
        self.timeoutSeconds = timeoutSeconds
        self.maxRows = maxRows
    }
}

public enum SQLQuery {
    /// The default of `--timeout`: long enough for any query over a big database that is not a
    /// mistake, short enough that a runaway one (a recursive CTE without an end) stops by itself.
    public static let defaultTimeoutSeconds: Double = 300

    /// Runs the request's one statement read-only, writing the result through `writer`.
    public static func run(_ request: SQLRequest, to writer: SQLResultWriter) throws(TraceDoctorError) {
        Interruption.doing("running the query (nothing was changed)")
        // Refuses a missing database, someone else's, or one from a newer tracedoctor.
        _ = try TraceStore(path: request.databasePath, readOnly: true)
        let query = try ReadOnlyQuery(path: request.databasePath)
        do {
            let more = try query.run(
                request.sql, timeoutSeconds: request.timeoutSeconds, maxRows: request.maxRows, columns: writer.columns,
                row: writer.row)
            if more, let maxRows = request.maxRows { writer.stopped(after: maxRows) }
            try writer.finish()
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw .database(path: request.databasePath, message: "\(error)")
        }
    }
}
