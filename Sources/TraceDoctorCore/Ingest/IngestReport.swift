// What `ingest` did, file by file: the value the text and JSON formatters print.

/// A problem in an input, located.
public struct Problem: Sendable, Equatable, Codable {
    public var path: String
    public var line: Int?
    public var column: Int?
    public var offset: Int64?
    public var message: String

    public init(_ error: InputError, path: String) {
        self.path = path
        if let position = error.position, !position.isByteOffset {
            line = position.line
            column = position.column
        }
        offset = error.position?.offset
        message = error.message
    }

    /// `file:line:col: message`, or `file:byte N: message` in binary input.
    public var description: String {
        if let line, let column { return "\(path):\(line):\(column): \(message)" }
        if let offset { return "\(path):\(SourcePosition.byteOffset(offset)): \(message)" }
        return "\(path): \(message)"
    }
}

public struct FileReport: Sendable, Equatable, Encodable {
    public enum Status: String, Sendable, Codable {
        /// Stored (possibly with bad records skipped under --keep-going).
        case ingested
        /// Same content as a file already in the database: nothing added.
        case alreadyIngested = "already_ingested"
        /// Bad input: nothing from this file was stored.
        case rejected
        /// Found in a directory but not a dump tracedoctor reads (a README, say): passed over.
        case notADump = "not_a_dump"
        /// Ctrl-C while reading: nothing from this file was stored.
        case interrupted
    }

    public var path: String
    public var status: Status = .rejected
    public var format: String?
    public var counts = IngestCounts()
    /// Bad records skipped under --keep-going.
    public var skippedRecords = 0
    /// The first skipped records (or the error that rejected the file).
    public var problems: [Problem] = []
    /// For `already_ingested`: the path the content was first ingested from.
    public var sameAs: String?
    /// For `rejected`: the full message.
    public var error: String?
    /// For `not_a_dump`: why, when more can be said ("empty").
    public var note: String?
    /// Log lines whose time named no zone (read as UTC, or in `--log-timezone`).
    public var localTimeLogs = 0
    public var seconds: Double = 0

    public init(path: String) { self.path = path }
}

public struct IngestReport: Sendable, Equatable, Encodable {
    public var database = ""
    public var files: [FileReport] = []
    public var seconds: Double = 0
    /// What the whole database holds after the run.
    public var databaseTotals = TraceStore.Totals(sources: 0, spans: 0, traces: 0, logs: 0)
    /// True when the database did not exist and, nothing being stored, was not created.
    public var databaseNotCreated = false
    /// True for `--dry-run`: inputs were read and checked, nothing was stored.
    public var dryRun = false
    /// True when Ctrl-C stopped the run: files before the current one are stored, the rest not.
    public var interrupted = false
    /// Files whose lines sit a constant zone offset away from the spans they name.
    public var logClock: [LogClockOffset] = []
    /// Log intervals built or rebuilt from the lines of this run, by kind (`pair`, `duration`,
    /// `unfinished`, `end_without_start`); nil when none.
    public var logIntervals: [String: Int]?

    public init() {}

    /// The sum over files.
    public var total: IngestCounts {
        var sum = IngestCounts()
        for file in files {
            sum.spans += file.counts.spans
            sum.duplicateSpans += file.counts.duplicateSpans
            sum.traces += file.counts.traces
            sum.logs += file.counts.logs
            sum.duplicateLogs += file.counts.duplicateLogs
            sum.separatedSharedSpans += file.counts.separatedSharedSpans
        }
        return sum
    }

    public var rejectedCount: Int { files.filter { $0.status == .rejected }.count }
}
