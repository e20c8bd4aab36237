// Whether an ingest found anything to load: the rule `ingest` and `check` share (an empty capture
// is an error unless `--allow-empty`).

extension IngestReport {
    /// True when the inputs gave no span and no log record: no file at all, only files that are
    /// not dumps, dumps without records, or (under `--keep-going`, where a rejected file is a
    /// skip) nothing but skipped files. A file whose content is already in the database was loaded
    /// before, so it counts as something.
    public var loadedNothing: Bool {
        files.allSatisfy { file in
            switch file.status {
            case .notADump, .rejected: true
            case .ingested: file.counts.spans == 0 && file.counts.logs == 0
            case .alreadyIngested, .interrupted: false
            }
        }
    }
}
