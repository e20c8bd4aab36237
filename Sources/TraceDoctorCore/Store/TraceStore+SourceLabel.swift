// Where rows came from, renamed: rows copied out of a trace store (ClickHouse) are ingested from
// temporary files, whose paths mean nothing once they are gone; they are labelled with the store.

extension TraceStore {
    /// Sets the path of every source whose path starts with `prefix` to `label`.
    public func relabelSources(withPrefix prefix: String, as label: String) throws(TraceDoctorError) {
        try read { db in
            try db.execute(
                sql: "UPDATE sources SET path = ? WHERE substr(path, 1, length(?)) = ?", arguments: [label, prefix, prefix])
        }
    }
}
