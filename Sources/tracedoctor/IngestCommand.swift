// `tracedoctor ingest PATH...`

import ArgumentParser
import TraceDoctorCore

extension InputFormat: ExpressibleByArgument {}

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load span and log dumps into the database.",
        discussion: """
            Reads OTLP/JSON trace dumps: a TracesData / ExportTraceServiceRequest document, JSON Lines of
            them (the OpenTelemetry Collector's file exporter), or a bare ResourceSpans per line; Jaeger
            JSON (a trace downloaded from the Jaeger UI, an API v1 {"data": [...]} response, a span list);
            Zipkin v2 JSON (a list of spans or of traces, or one span); and application log files: JSON
            Lines logs, logfmt and plain text, whose trace and span IDs join the spans (a line without one
            is stored too). Each file's format is detected from its first bytes. Files, directories
            (walked recursively) and - (stdin); .gz is undone by itself. Each file is stored in one
            transaction: a bad file is rejected whole and the database keeps what it had. Ingesting a file
            with the same content again adds nothing.

            Examples:
              tracedoctor ingest otel-export.jsonl
              tracedoctor ingest trace-from-jaeger-ui.json zipkin-export.json
              tracedoctor ingest traces.json app.log.jsonl /var/log/myapp/
              tracedoctor ingest --db /tmp/t.db captures/          # every file below captures/
              gzip -dc dump.json.gz | tracedoctor ingest -
              tracedoctor ingest --keep-going --format json broken-dump.jsonl
              tracedoctor ingest --dry-run exporter-output/       # check the files, store nothing
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Flag(
        name: .long,
        help: "Skip bad records (and report them) instead of rejecting the whole file; a file that cannot be read at all is skipped too, and the exit code stays 0.")
    var keepGoing = false

    @Flag(name: .long, help: "Read and check the inputs, store nothing.")
    var dryRun = false

    @Option(name: .long, help: "Read every input as this format instead of detecting it (\(InputFormat.allCases.map(\.rawValue).joined(separator: ", "))).")
    var inputFormat: InputFormat?

    @Argument(help: ArgumentHelp("Files, directories, or - for stdin.", valueName: "path"))
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty {
            throw ValidationError("name at least one file, directory, or - for stdin")
        }
    }

    func run() throws {
        let request = IngestRequest(
            paths: paths, databasePath: store.path, keepGoing: keepGoing, inputFormat: inputFormat,
            dryRun: dryRun)
        let progress = Terminal.stderrIsTerminal && !output.quiet ? ProgressBar() : nil
        let report: IngestReport
        do {
            let db = store.path
            report = try Ingestor.run(request, progress: progress) {
                Terminal.err("tracedoctor: waiting for another tracedoctor to finish writing \(db)…")
            }
        } catch {
            throw Terminal.fail(error)
        }
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
        switch output.format {
        case .json:
            Terminal.out(JSONReport.render(report))
        case .text:
            if !output.quiet { Terminal.out(IngestTextReport.render(report)) }
        }
        if report.interrupted {
            Terminal.err("tracedoctor: \(TraceDoctorError.interrupted)")
            throw ExitCode(Interruption.exitCode)
        }
        if report.rejectedCount > 0 && !keepGoing {
            throw ExitCode(2)
        }
    }
}
