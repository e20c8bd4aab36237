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

              tracedoctor ingest collector-dump.jsonl      # load spans (OTLP/JSON, .gz, dirs, -)
              tracedoctor ingest --format json dumps/      # the same, reported as JSON
              tracedoctor stats                            # quality metrics, count of each diagnosis
              tracedoctor orphans                          # missing parents, lost-context fragments
              tracedoctor gaps                             # time no span accounts for
              tracedoctor traces --sort coverage           # one line per trace
              tracedoctor explain 936e93ca                 # one trace: diagnosis, waterfall, logs
              tracedoctor logs 936e93ca                    # the log lines of a trace
              tracedoctor check --junit report.xml dump/   # CI gate: policy, baseline, JUnit

            Exit codes: 0 ok, 1 findings at or above the threshold, 2 input or runtime error, 64 usage error.
            """,
        version: TraceDoctorVersion.current,
        subcommands: [
            IngestCommand.self, TracesCommand.self, OrphansCommand.self, GapsCommand.self, ExplainCommand.self, LogsCommand.self,
            StatsCommand.self, CheckCommand.self, SQLCommand.self,
        ]
    )

    static func main() {
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C and SIGTERM: the first stops what runs (exit 130/143), a second ends at once.
        Interruption.install()
        do {
            var command = try parseAsRoot()
            try command.run()
            Terminal.flush()
        } catch {
            Terminal.flush()
            exit(withError: error)
        }
    }
}
