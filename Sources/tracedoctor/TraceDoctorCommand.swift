// The `tracedoctor` command: subcommands, shared options, and the mapping of errors to exit
// codes. No diagnosis logic lives here; each subcommand calls one TraceDoctorCore function.

import ArgumentParser
import TraceDoctorCore

#if canImport(Glibc)
import Glibc
#endif

@main
struct TraceDoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracedoctor",
        abstract: "Diagnose broken distributed traces: orphans, lost context, unaccounted time.",
        discussion: """
            Load span and log dumps into one SQLite file, then ask what is broken.

              tracedoctor ingest collector-dump.jsonl    # load dumps (dirs, .gz, -)
              tracedoctor stats                          # quality, each diagnosis
              tracedoctor orphans                        # missing parents, lost context
              tracedoctor gaps                           # time no span accounts for
              tracedoctor traces --sort coverage         # one line per trace
              tracedoctor explain 936e93ca               # diagnosis, waterfall, logs
              tracedoctor explain 936e93ca -o trace.html # the same as a web page
              tracedoctor logs 936e93ca                  # the log lines of a trace
              tracedoctor check --junit report.xml dump/ # CI gate: policy, baseline
              tracedoctor receive                        # OTLP endpoint (4318, 4317)
              tracedoctor record -- pytest -q            # run, capture, check

            Every command that prints a report takes --format json, and -o FILE to write it to a file \
            instead of stdout (folders missing on the path are created; the file is replaced only once \
            complete).

            Exit codes: 0 ok, 1 findings at or above the threshold, 2 input or runtime error (nothing to \
            load is one, unless --allow-empty), 64 usage error. Errors start with "tracedoctor: error:".
            """,
        version: TraceDoctorVersion.current,
        subcommands: [
            IngestCommand.self, TracesCommand.self, OrphansCommand.self, GapsCommand.self, ExplainCommand.self, LogsCommand.self,
            StatsCommand.self, CheckCommand.self, SQLCommand.self, ReceiveCommand.self, RecordCommand.self,
        ]
    )

    static func main() {
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C and SIGTERM: the first stops what runs (exit 130/143), a second ends at once.
        Interruption.install()
        do {
            var command = try parseAsRoot()
            // `-o FILE`: checked (created as a temporary file next to it) before any work.
            if let path = (command as? WritesReport)?.destination.output {
                Terminal.reportFile = try PendingOutput.open(path)
            }
            try command.run()
            try Terminal.finishReport(complete: true)
        } catch {
            end(error)
        }
    }

    /// Usage errors get the prefix of every other error: `tracedoctor: error: `.
    static var _errorPrefix: String { Terminal.errorPrefix }

    /// Ends the process after `error`: a report already written in full (exit 1 for findings, 2 for
    /// rejected inputs listed in it) is kept; after an error printed, a usage error or Ctrl-C the
    /// `-o` file is left as it was.
    private static func end(_ error: Error) -> Never {
        if let error = error as? TraceDoctorError {
            try? Terminal.finishReport(complete: false)
            exit(withError: Terminal.fail(error))
        }
        if let code = error as? ExitCode, ![ExitCode.validationFailure.rawValue, 130, 143].contains(code.rawValue) {
            do {
                try Terminal.finishReport(complete: true)
            } catch {
                exit(withError: Terminal.fail(error))
            }
            exit(withError: code)
        }
        try? Terminal.finishReport(complete: false)
        exit(withError: error)
    }
}
