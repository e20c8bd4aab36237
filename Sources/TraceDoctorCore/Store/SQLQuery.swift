// `tracedoctor sql QUERY`: check the database is tracedoctor's, then stream the query's rows.

public struct SQLRequest: Sendable {
    public var databasePath: String
    public var sql: String

    public init(databasePath: String, sql: String) {
        self.databasePath = databasePath
        self.sql = sql
    }
}

public enum SQLQuery {
    /// Runs the request's one statement read-only, writing the result through `writer`.
    public static func run(_ request: SQLRequest, to writer: SQLResultWriter) throws(TraceDoctorError) {
        // Refuses a missing database, someone else's, or one from a newer tracedoctor.
        _ = try TraceStore(path: request.databasePath, readOnly: true)
        let query = try ReadOnlyQuery(path: request.databasePath)
        do {
            try query.run(request.sql, columns: writer.columns, row: writer.row)
            try writer.finish()
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw .database(path: request.databasePath, message: "\(error)")
        }
    }
}
