// `tracedoctor ingest PATH...`

import ArgumentParser
import TraceDoctorClickHouse
import TraceDoctorCore

extension InputFormat: ExpressibleByArgument {}

struct IngestCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load span and log dumps into the database.",
        discussion: """
            Reads OTLP/JSON trace dumps: a TracesData / ExportTraceServiceRequest document, JSON Lines of \
            them (the OpenTelemetry Collector's file exporter), or a bare ResourceSpans per line; Jaeger \
            JSON (a trace downloaded from the Jaeger UI, an API v1 {"data": [...]} response, a span list); \
            Zipkin v2 JSON (a list of spans or of traces, or one span); and application log files: JSON \
            Lines logs, logfmt and plain text, whose trace and span IDs join the spans (a line without one \
            is stored too). Each file's format is detected from its first bytes. Files, directories \
            (walked recursively) and - (stdin); .gz is undone by itself. Each file is stored in one \
            transaction: a bad file is rejected whole and the database keeps what it had. Ingesting a file \
            with the same content again adds nothing. Paths that hold no span or log record (an empty folder) \
            exit 2 unless --allow-empty; folders missing on the --db path are created.

            Log timestamps without an offset (Python's asctime, Celery) are taken as UTC unless \
            --log-timezone names their zone, for every file or (PATH=ZONE) for one. When the lines that name a span by ID sit a constant whole \
            number of hours (or half or quarter hours) away from it, ingest says so on stderr (and in \
            --format json, under log_clock), naming the offset to pass.

            Log events become log intervals (never spans): a start and its end paired by a correlation \
            key (node_start ... node_complete with the same node_id), or one line with a duration field \
            (duration, total_duration, elapsed, took, *_ms). explain and gaps show them as evidence for \
            unaccounted time. --interval-rules FILE replaces the built-in rules (docs/log-intervals.yml).

            Examples:
              tracedoctor ingest otel-export.jsonl
              tracedoctor ingest trace-from-jaeger-ui.json zipkin-export.json
              tracedoctor ingest traces.json app.log.jsonl /var/log/myapp/
              tracedoctor ingest --db /tmp/t.db captures/   # every file below captures/
              gzip -dc dump.json.gz | tracedoctor ingest -
              tracedoctor ingest --keep-going --format json broken-dump.jsonl
              tracedoctor ingest --dry-run exporter-output/  # check, store nothing
              tracedoctor ingest --log-timezone Asia/Shanghai worker.log traces.json
              # worker.log in Shanghai time, the other logs in -05:00:
              tracedoctor ingest --log-timezone -05:00 \\
                  --log-timezone worker.log=Asia/Shanghai worker.log api.log traces.json
              tracedoctor ingest --interval-rules my-intervals.yml app.log.jsonl
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var destination: ReportFileOptions

    @Flag(
        name: .long,
        help: "Skip bad records (and report them) instead of rejecting the whole file; a file that cannot be read at all is skipped too, and the exit code stays 0.")
    var keepGoing = false

    @Flag(name: .long, help: "Read and check the inputs, store nothing.")
    var dryRun = false

    @Option(name: .long, help: "Read every input as this format instead of detecting it (\(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))).")
    var inputFormat: InputFormat?

    @Flag(name: .long, help: "Accept inputs that hold no span or log record (an empty folder) instead of exit 2.")
    var allowEmpty = false

    @Option(
        name: .customLong("log-timezone"),
        parsing: .unconditionalSingleValue,  // `-05:00` is a value, not an option
        help: ArgumentHelp(
            "The zone of log timestamps written without an offset (default: UTC): an IANA name such as Asia/Shanghai, or an offset such as +08:00. PATH=ZONE gives one input its own zone (a file, a folder for the files below it, or - for stdin); repeatable, a bare ZONE is the zone of the other files. Times that carry an offset or Z keep it.",
            valueName: "[path=]zone"),
        transform: LogTimeZoneArgument.init)
    var logTimeZones: [LogTimeZoneArgument] = []

    @OptionGroup var intervals: IntervalRulesOption

    @Argument(help: ArgumentHelp("Files, directories, or - for stdin.", valueName: "path"))
    var paths: [String] = []

    @OptionGroup var clickhouse: ClickHouseIngestOptions

    func validate() throws {
        if logTimeZones.filter({ $0.path == nil }).count > 1 {
            throw ValidationError(
                "--log-timezone without a path is given more than once; give one default zone, and PATH=ZONE for the files in another zone")
        }
        if paths.isEmpty {
            throw ValidationError("name at least one file, directory, or - for stdin")
        }
        if paths.contains(where: ClickHouseLocation.isClickHouse) {
            guard paths.count == 1 else { throw ValidationError("a clickhouse:// path is ingested on its own") }
            if clickhouse.traceId.isEmpty && (clickhouse.since == nil || clickhouse.until == nil) {
                throw ValidationError("ingest clickhouse://… needs --trace-id ID, or --since and --until (with --limit)")
            }
            if dryRun { throw ValidationError("--dry-run reads files; it does not apply to clickhouse://") }
        } else if !clickhouse.traceId.isEmpty || clickhouse.since != nil || clickhouse.until != nil || clickhouse.service != nil {
            throw ValidationError("--trace-id, --since, --until and --service apply to a clickhouse:// path")
        }
    }

    func run() throws {
        if let url = paths.first, ClickHouseLocation.isClickHouse(url) {
            return try copyFromClickHouse(url)
        }
        let rules = try intervals.rules()
        let request = IngestRequest(
            paths: paths, databasePath: store.path, keepGoing: keepGoing, inputFormat: inputFormat,
            dryRun: dryRun, logTimeZone: logTimeZones.first { $0.path == nil }?.zone,
            fileLogTimeZones: logTimeZones.compactMap { argument in
                argument.path.map { FileLogTimeZone(path: $0, zone: argument.zone) }
            },
            intervalRules: rules)
        let progress = Terminal.stderrIsTerminal && !output.quiet ? ProgressBar() : nil
        let report: IngestReport
        // Output paths follow one rule: folders missing on the way are created (removed again
        // when nothing was stored).
        let createdFolders = dryRun ? [] : try OutputFile.createFolders(for: store.path)
        do {
            let db = store.path
            report = try Ingestor.run(request, progress: progress) {
                Terminal.err("tracedoctor: waiting for another tracedoctor to finish writing \(db)…")
            }
        } catch {
            OutputFile.removeFolders(createdFolders)
            throw Terminal.fail(error)
        }
        if report.databaseNotCreated { OutputFile.removeFolders(createdFolders) }
        for file in report.files {
            if let error = file.error {
                // Under --keep-going a file that cannot be read is a counted skip, not a failure.
                Terminal.err("tracedoctor: \(keepGoing ? "warning: skipped" : "error:") \(error)")
            } else if !output.quiet {
                for problem in file.problems {
                    Terminal.err("tracedoctor: warning: skipped bad record: \(problem.description)")
                }
                if file.skippedRecords > file.problems.count {
                    Terminal.err("tracedoctor: warning: … and \(file.skippedRecords - file.problems.count) more bad records in \(file.path)")
                }
            }
        }
        if !output.quiet {
            for offset in report.logClock {
                Terminal.err("tracedoctor: notice: \(offset.advice)")
            }
        }
        switch output.format {
        case .json:
            Terminal.out(JSONReport.render(report))
        case .text:
            if !output.quiet || destination.output != nil { Terminal.out(IngestTextReport.render(report)) }
        }
        if report.interrupted {
            Terminal.err("tracedoctor: \(TraceDoctorError.interrupted)")
            throw ExitCode(Interruption.exitCode)
        }
        if report.rejectedCount > 0 && !keepGoing {
            throw ExitCode(2)
        }
        if report.loadedNothing && !allowEmpty {
            throw Terminal.fail(.nothingToLoad(paths: paths))
        }
    }

    /// `ingest clickhouse://host/database --trace-id ID…`: chosen traces and their logs into --db.
    func copyFromClickHouse(_ url: String) throws {
        let source = try clickhouse.source(url)
        let database = store.path
        do {
            var ids: [String] = []
            if clickhouse.traceId.isEmpty {
                ids = try source.traceIDs(limit: clickhouse.limit)
            } else {
                // Full IDs and no window: the exporter's lookup table says when the traces ran.
                let full = clickhouse.traceId.map { $0.lowercased() }
                if clickhouse.since == nil, full.allSatisfy({ $0.count == 32 && $0.allSatisfy(\.isHexDigit) }),
                    try source.narrowWindow(toTraces: full)
                {
                    ids = full
                } else {
                    for query in clickhouse.traceId { ids.append(try source.resolveTraceID(query)) }
                }
            }
            let copied = try source.copy(traces: ids, into: database)
            if clickhouse.verbose {
                Terminal.err(
                    "tracedoctor: clickhouse: " + source.client.summary)
            }
            switch output.format {
            case .json:
                Terminal.out(
                    JSONValue.object([
                        ("command", .string("ingest")), ("source", .string(source.client.location.display)),
                        ("database", .string(database)), ("traces", .number(String(copied.traces))),
                        ("spans", .number(String(copied.spans))), ("logs", .number(String(copied.logs))),
                    ]).rendered())
            case .text:
                if !output.quiet {
                    Terminal.out(
                        "copied \(Units.plural(copied.traces, "trace")), \(Units.plural(copied.spans, "span")) and "
                            + "\(Units.plural(copied.logs, "log line")) from \(source.client.location.display) into \(database)\n")
                }
            }
        } catch {
            throw Terminal.fail(error)
        }
    }
}

/// One `--log-timezone` value: `ZONE`, or `PATH=ZONE` (split at the last `=`: a zone has none).
struct LogTimeZoneArgument {
    var path: String?
    var zone: LogTimeZone

    init(_ text: String) throws {
        var zoneText = Substring(text)
        if let equals = text.lastIndex(of: "=") {
            let path = String(text[..<equals])
            guard !path.isEmpty else { throw ValidationError("PATH=ZONE needs a path before '='") }
            self.path = path
            zoneText = text[text.index(after: equals)...]
        }
        guard let zone = LogTimeZone(String(zoneText)) else {
            throw ValidationError(
                "not a zone\(path == nil ? "" : " ('\(zoneText)')"): give an IANA name such as Asia/Shanghai or Europe/Berlin, an offset such as +08:00 or -05:30, or UTC")
        }
        self.zone = zone
    }
}
