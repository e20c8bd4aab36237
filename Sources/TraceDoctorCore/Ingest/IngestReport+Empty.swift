// Whether an ingest found anything to load: the rule `ingest` and `check` share (an empty capture
// is an error unless `--allow-empty`).

extension IngestReport {
    /// True when the inputs hold no span and no log record: no file at all, only files that are
    /// not dumps, or dumps without records. A file whose content is already in the database was
    /// loaded before, so it counts as something; a rejected file is an error of its own.
    public var loadedNothing: Bool {
        files.allSatisfy { file in
            switch file.status {
            case .notADump: true
            case .ingested: file.counts.spans == 0 && file.counts.logs == 0 && file.skippedRecords == 0
            case .alreadyIngested, .rejected, .interrupted: false
            }
        }
    }
}
