// `tracedoctor ingest`: paths in, each file stored whole or not at all (a transaction each, or a
// savepoint each in a batch of small files), a report out.

import Foundation

/// What to ingest and how.
public struct IngestRequest: Sendable {
    /// Files, directories (walked recursively) and `-` for stdin.
    public var paths: [String]
    public var databasePath: String
    /// Skip bad records (and count them) instead of rejecting the file.
    public var keepGoing: Bool
    /// Read every input as this format instead of detecting it.
    public var inputFormat: InputFormat?
    /// Read and validate only; store nothing (and do not open the database).
    public var dryRun: Bool
    /// The zone of log timestamps written without an offset; nil takes them as UTC.
    public var logTimeZone: LogTimeZone?
    /// Zones for some inputs (`--log-timezone PATH=ZONE`), instead of `logTimeZone`; each path must
    /// be an input or lie below one.
    public var fileLogTimeZones: [FileLogTimeZone]
    /// How log events become log intervals (`--interval-rules`; the built-in rules by default).
    public var intervalRules: LogIntervalRules

    public init(
        paths: [String], databasePath: String, keepGoing: Bool = false, inputFormat: InputFormat? = nil,
        dryRun: Bool = false, logTimeZone: LogTimeZone? = nil, fileLogTimeZones: [FileLogTimeZone] = [],
        intervalRules: LogIntervalRules = .defaults
    ) {
        self.fileLogTimeZones = fileLogTimeZones
        self.intervalRules = intervalRules
        self.paths = paths
        self.databasePath = databasePath
        self.keepGoing = keepGoing
        self.inputFormat = inputFormat
        self.dryRun = dryRun
        self.logTimeZone = logTimeZone
    }
}

/// Told about reading progress, to draw a progress bar.
public protocol IngestProgress: AnyObject {
    /// A new input starts; `totalBytes` is nil when unknown (stdin).
    func start(path: String, totalBytes: Int64?)
    /// `bytes` of the current input have been read.
    func advance(to bytes: Int64)
    func finish()
}

public enum Ingestor {
    /// Ingests every input named in `request`. Input problems are reported per file (the run
    /// goes on with the next file); database problems end the run by throwing.
    public static func run(
        _ request: IngestRequest, stdin: Int32 = 0, progress: IngestProgress? = nil,
        onBusy: (@Sendable () -> Void)? = nil
    ) throws(TraceDoctorError) -> IngestReport {
        let clock = ContinuousClock.now
        let inputs = try InputPaths.expand(request.paths)
        try FileLogTimeZone.check(request.fileLogTimeZones, inputs: inputs.map(\.displayPath))
        guard inputs.count > 1 else {
            return try run(request, inputs: inputs, clock: clock, stdin: stdin, progress: progress, onBusy: onBusy)
        }
        // Many files: the loop runs on a thread with a large stack, which reads small files
        // itself instead of starting a reader thread for each (`RecordPipeline.run(inline:)`).
        do {
            return try LargeStack.run {
                try run(request, inputs: inputs, clock: clock, stdin: stdin, progress: progress, onBusy: onBusy)
            }
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw TraceStore.describe(error, path: request.databasePath)
        }
    }

    private static func run(
        _ request: IngestRequest, inputs: [InputPath], clock: ContinuousClock.Instant, stdin: Int32,
        progress: IngestProgress?, onBusy: (@Sendable () -> Void)?
    ) throws(TraceDoctorError) -> IngestReport {
        let existed = TraceStore.exists(request.databasePath)
        let store: IngestDestination = request.dryRun ? DryRunDestination() : try TraceStore(path: request.databasePath, onBusy: onBusy)
        var report = IngestReport()
        var logRows: [Int: ClosedRange<Int64>] = [:]
        // Small files of a multi-file run share transactions (`IngestBatch`).
        var batch = IngestBatch(store: inputs.count > 1 ? store as? TraceStore : nil)
        // The lines that may make log intervals are picked out as they are written.
        (store as? TraceStore)?.intervalCandidateTest = IntervalCandidateTest(request.intervalRules)
        (store as? TraceStore)?.intervalSpill = IntervalCandidateSpill()
        for input in inputs {
            if Interruption.isRequested {
                report.interrupted = true
                break
            }
            try batch.prepare(for: input, report: &report, logRows: &logRows)
            // A batch committed before this input was found rolled back by Ctrl-C.
            if report.interrupted { break }
            let fileClock = ContinuousClock.now
            let rowsBefore = try (store as? TraceStore)?.lastLogRow()
            var file = try ingestOne(input, request: request, store: store, stdin: stdin, progress: progress)
            file.seconds = fileClock.duration(to: .now).seconds
            if let rowsBefore, file.status == .ingested, file.counts.logs > file.counts.duplicateLogs,
                let rowsAfter = try (store as? TraceStore)?.lastLogRow(), rowsAfter > rowsBefore
            {
                logRows[report.files.count] = (rowsBefore + 1)...rowsAfter
            }
            report.files.append(file)
            try batch.added(report.files.count - 1, report: &report, logRows: &logRows)
            if file.status == .interrupted || report.interrupted {
                report.interrupted = true
                break
            }
        }
        try batch.commit(report: &report, logRows: &logRows)
        report.database = request.databasePath
        report.seconds = clock.duration(to: .now).seconds
        report.dryRun = request.dryRun
        if let store = store as? TraceStore {
            report.logClock = try checkLogClocks(of: report.files, rows: logRows, in: store)
            if let first = logRows.values.map(\.lowerBound).min(), let last = logRows.values.map(\.upperBound).max() {
                Interruption.doing("building log intervals (the files are stored; their intervals are not)")
                let counts = try store.buildLogIntervals(rows: first...last, rules: request.intervalRules)
                if !counts.isEmpty {
                    report.logIntervals = Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
                }
            }
            report.databaseTotals = try store.totals()
            if !existed && report.databaseTotals.sources == 0 {
                // Nothing was stored: leave the disk as it was, without an empty database.
                report.databaseNotCreated = store.removeIfEmpty()
            }
            // The last connection checkpoints and removes the -wal: one file, readable anywhere.
            store.close()
        }
        return report
    }

    /// The files whose lines sit a constant zone offset away from the spans they name (spans
    /// stored before or in this run).
    static func checkLogClocks(of files: [FileReport], rows: [Int: ClosedRange<Int64>], in store: TraceStore)
        throws(TraceDoctorError) -> [LogClockOffset]
    {
        var found: [LogClockOffset] = []
        for (index, range) in rows.sorted(by: { $0.key < $1.key }) {
            let samples = try store.logClockSamples(rows: range)
            guard let (seconds, lines) = LogClockCheck.offset(of: samples) else { continue }
            found.append(
                LogClockOffset(
                    path: files[index].path, offsetSeconds: seconds, lines: lines, examinedLines: samples.count,
                    localTimeLines: files[index].localTimeLogs))
        }
        return found
    }

    static func ingestOne(
        _ input: InputPath, request: IngestRequest, store: IngestDestination, stdin: Int32, progress: IngestProgress?
    ) throws(TraceDoctorError) -> FileReport {
        var file = FileReport(path: input.displayPath)
        Interruption.doing("ingesting \(input.displayPath) (its transaction was rolled back: nothing of it is stored)")
        do {
            let raw: FileDescriptorSource
            var size: Int64?
            var knownHash: String?
            switch input {
            case .stdin:
                raw = FileDescriptorSource(fd: stdin, ownsDescriptor: false)
                raw.hasher = XXH64()
            case let .unreadable(path, reason):
                throw TraceDoctorError.unreadable(path: path, reason: reason)
            case .special:
                file.status = .notADump
                file.note = "not a regular file"
                return file
            case let .file(path, _):
                raw = try FileDescriptorSource(path: path)
                let info = try FileInfo.of(fd: raw.fd, path: path)
                size = info.size
                // Same content means same size: only then is a first hashing pass worth it
                // (it makes re-ingesting a big file instant). Otherwise hash while reading.
                if info.isRegular, try store.hasSource(sizeBytes: info.size) {
                    let hash = try ContentHash.ofFile(path: path)
                    knownHash = hash
                    if let existing = try store.source(contentHash: hash) {
                        file.status = .alreadyIngested
                        file.sameAs = existing.path
                        file.format = existing.format
                        return file
                    }
                } else {
                    raw.hasher = XXH64()
                }
            }
            let progressSource = ProgressSource(upstream: raw, progress: progress)
            progress?.start(path: input.displayPath, totalBytes: size)
            defer { progress?.finish() }
            let (source, format) = try open(progressSource, path: input.displayPath, forced: request.inputFormat)
            file.format = format.rawValue
            let context = ReadContext(keepGoing: request.keepGoing)
            var clockSink: LogClockSink?
            let outcome = try store.ingest(
                SourceDescription(path: input.displayPath, format: format, sizeBytes: size ?? 0, expectedBytes: size),
                finished: {
                    (knownHash ?? ContentHash.format(raw.hasher!.finalize()), size ?? raw.bytesRead, context.skippedCount)
                },
                body: { sink in
                    let clocked = LogClockSink(
                        sink,
                        zone: FileLogTimeZone.zone(
                            for: input.displayPath, in: request.fileLogTimeZones, fallback: request.logTimeZone))
                    clockSink = clocked
                    try format.reader.read(source, into: clocked, context: context)
                })
            switch outcome {
            case let .ingested(counts):
                file.status = .ingested
                file.counts = counts
            case let .alreadyIngested(existing):
                file.status = .alreadyIngested
                file.sameAs = existing.path
            }
            file.skippedRecords = context.skippedCount
            file.localTimeLogs = clockSink?.localTimeLines ?? 0
            file.problems = context.skipped.map { Problem($0, path: input.displayPath) }
        } catch let error as InputError where error.isInterruption {
            file.status = .interrupted
        } catch let error as InputError {
            file.status = .rejected
            file.problems = [Problem(error, path: input.displayPath)]
            file.error = TraceDoctorError.malformedInput(
                path: input.displayPath, position: error.position, message: error.message
            ).description
        } catch let error as TraceDoctorError {
            switch error {
            case .interrupted:
                file.status = .interrupted
            case .database, .databaseFromNewerVersion, .notATraceDoctorDatabase:
                throw error
            case .unknownFormat where input.wasFound, .emptyInput where input.wasFound:
                // A README, a script or an empty file next to the dumps in a directory: not an error.
                file.status = .notADump
                if case .emptyInput = error { file.note = "empty" }
            default:
                file.status = .rejected
                file.error = error.description
            }
        } catch {
            throw TraceStore.describe(error, path: request.databasePath)
        }
        return file
    }

    /// Undoes gzip and picks the reader: detected from the first bytes unless `forced`.
    static func open(_ raw: ByteSource, path: String, forced: InputFormat?) throws -> (ByteSource, InputFormat) {
        var rest: ByteSource = raw
        var prefix = try raw.readFully(upTo: FormatDetector.prefixLength)
        if GzipSource.isGzip(prefix) {
            rest = try GzipSource(upstream: PrefixedSource(prefix: prefix, rest: raw))
            prefix = try rest.readFully(upTo: FormatDetector.prefixLength)
        }
        // A UTF-8 byte order mark (Windows tools write one): RFC 8259 lets a parser ignore it,
        // and every reader here reads UTF-8 anyway.
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { prefix.removeFirst(3) }
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        if prefix.allSatisfy(blank.contains) && prefix.count < FormatDetector.prefixLength {
            throw TraceDoctorError.emptyInput(path: path)
        }
        let source = PrefixedSource(prefix: prefix, rest: rest)
        if let forced { return (source, forced) }
        switch FormatDetector.detect(prefix) {
        case let .success(format):
            return (source, format)
        case let .failure(attempts):
            throw TraceDoctorError.unknownFormat(path: path, attempts: attempts.attempts)
        }
    }
}

/// Where `ingest` puts what it reads: the database, or nowhere (`--dry-run`).
protocol IngestDestination {
    func hasSource(sizeBytes: Int64) throws(TraceDoctorError) -> Bool
    func source(contentHash: String) throws(TraceDoctorError) -> StoredSource?
    func ingest(
        _ source: SourceDescription,
        finished: () -> (contentHash: String, sizeBytes: Int64, skippedRecords: Int),
        body: @escaping (RecordSink) throws -> Void
    ) throws -> SourceOutcome
}

extension TraceStore: IngestDestination {}

/// Reads and counts, stores nothing: `ingest --dry-run`, and the parse-only benchmark.
final class DryRunDestination: IngestDestination {
    func hasSource(sizeBytes: Int64) throws(TraceDoctorError) -> Bool { false }
    func source(contentHash: String) throws(TraceDoctorError) -> StoredSource? { nil }

    func ingest(
        _ source: SourceDescription,
        finished: () -> (contentHash: String, sizeBytes: Int64, skippedRecords: Int),
        body: @escaping (RecordSink) throws -> Void
    ) throws -> SourceOutcome {
        let sink = CountingSink()
        try body(sink)
        _ = finished()
        var counts = IngestCounts()
        counts.spans = sink.spans
        counts.logs = sink.logs
        counts.traces = sink.traceIDs.count
        return .ingested(counts)
    }
}

/// A sink that only counts.
final class CountingSink: RecordSink {
    var spans = 0
    var logs = 0
    var traceIDs = Set<TraceID>()
    func makeMark() -> RecordMark { RecordMark(spans: Int64(spans), logs: Int64(logs)) }
    func resource(_ resource: ResourceRecord) throws {}
    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws {}
    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {}
    func span(_ span: SpanRecord) throws {
        spans += 1
        traceIDs.insert(span.traceID)
    }
    func log(_ log: LogRecord) throws { logs += 1 }
}

/// Reports bytes read to an `IngestProgress`.
final class ProgressSource: ByteSource {
    private let upstream: FileDescriptorSource
    private let progress: IngestProgress?

    init(upstream: FileDescriptorSource, progress: IngestProgress?) {
        self.upstream = upstream
        self.progress = progress
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        if Interruption.isRequested { throw .interrupted }
        let n = try upstream.read(into: buffer, count: count)
        progress?.advance(to: upstream.bytesRead)
        return n
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

/// Many small files, one transaction: the files of a multi-file run smaller than
/// `TraceStore.inlineReadBytes` are ingested in batches, each file in a savepoint of its own (a
/// bad file still rolls back alone and is reported as before), the batch committed every
/// `maxSeconds` or `maxFiles` files, before any larger file or stdin, and at the end of the run.
/// A commit per small file cost more than the file itself (the WAL pages of every index it
/// touched, written again for each file). A crash loses at most the files of the open batch,
/// never part of a file; a rerun ingests them (the others are found by their content hash).
struct IngestBatch {
    static let maxSeconds: Duration = .milliseconds(250)
    static let maxFiles = 2000

    private let store: TraceStore?
    private var started: ContinuousClock.Instant?
    /// The report rows of the files stored in the open batch.
    private var files: [Int] = []

    init(store: TraceStore?) { self.store = store }

    /// Opens a batch for a small regular file, or commits the open one before any other input.
    mutating func prepare(for input: InputPath, report: inout IngestReport, logRows: inout [Int: ClosedRange<Int64>])
        throws(TraceDoctorError)
    {
        guard let store else { return }
        if Self.isSmallFile(input) {
            if started == nil {
                try store.beginBatch()
                started = .now
            }
        } else {
            try commit(report: &report, logRows: &logRows)
        }
    }

    /// The file at `index` of the report was read; commits the batch when it is due.
    mutating func added(_ index: Int, report: inout IngestReport, logRows: inout [Int: ClosedRange<Int64>])
        throws(TraceDoctorError)
    {
        guard let started else { return }
        if report.files[index].status == .ingested { files.append(index) }
        if started.duration(to: .now) >= Self.maxSeconds || files.count >= Self.maxFiles {
            try commit(report: &report, logRows: &logRows)
        }
    }

    /// Commits the open batch. When Ctrl-C had interrupted a write, SQLite rolled the batch's
    /// transaction back whole: its files are then reported as interrupted (nothing stored).
    mutating func commit(report: inout IngestReport, logRows: inout [Int: ClosedRange<Int64>]) throws(TraceDoctorError) {
        guard let store, started != nil else { return }
        started = nil
        let lost = files
        files = []
        if try store.commitBatch() { return }
        for index in lost {
            report.files[index].status = .interrupted
            report.files[index].counts = IngestCounts()
            report.files[index].problems = []
            report.files[index].skippedRecords = 0
            logRows[index] = nil
        }
        report.interrupted = true
    }

    /// A regular file below the size that is read on the writer's thread.
    static func isSmallFile(_ input: InputPath) -> Bool {
        guard case let .file(path, _) = input else { return false }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return Int64(st.st_size) < TraceStore.inlineReadBytes
    }
}
