// The descriptive columns of the spans of a few traces (attributes, events, links, status message,
// scope, resource), read only for what `explain` shows, through the trace index.

import GRDB

extension TraceStore {
    /// The details of every span of the traces `ids`, by row ID.
    public func spanDetails(ofTraces ids: [TraceID]) throws(TraceDoctorError) -> SpanDetailsTable {
        try read { db in
            var details: [SpanDetails] = []
            var resources: [Int64: String] = [:]
            let statement = try db.makeStatement(
                sql: """
                    SELECT id, attributes, events, links, status_message, scope_name, scope_version, resource_id
                    FROM spans WHERE trace_id = ?
                    """)
            for id in ids {
                let rows = try Row.fetchCursor(statement, arguments: [id.hex])
                while let row = try rows.next() {
                    let resource: Int64 = row[7]
                    if resources[resource] == nil {
                        resources[resource] =
                            try String.fetchOne(db, sql: "SELECT attributes FROM resources WHERE id = ?", arguments: [resource])
                            ?? "{}"
                    }
                    let rowID: Int64 = row[0]
                    details.append(SpanDetails(
                        rowID: rowID, attributes: row[1], events: row[2], links: row[3], statusMessage: row[4], scopeName: row[5],
                        scopeVersion: row[6], resourceAttributes: resources[resource] ?? "{}"))
                }
            }
            return SpanDetailsTable(details)
        }
    }
}
