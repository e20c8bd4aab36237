// The `tracedoctor` command: subcommands, shared options, and the mapping of errors to exit
// codes. No diagnosis logic lives here; each subcommand calls one TraceDoctorCore function.

import ArgumentParser
import TraceDoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// Asks running work to stop; a second Ctrl-C ends the process at once.
private func interruptHandler(_ signal: Int32) {
    if Interruption.isRequested { _exit(130) }
    Interruption.request()
}

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
              tracedoctor receive                          # be the OTLP endpoint (4318, 4317)
              tracedoctor record -- pytest -q              # run, capture its traces, check them

            Exit codes: 0 ok, 1 findings at or above the threshold, 2 input or runtime error, 64 usage error.
            """,
        version: TraceDoctorVersion.current,
        subcommands: [
            IngestCommand.self, TracesCommand.self, OrphansCommand.self, GapsCommand.self, ExplainCommand.self, LogsCommand.self,
            StatsCommand.self, CheckCommand.self, SQLCommand.self, ReceiveCommand.self, RecordCommand.self,
        ]
    )

    static func main() {
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C and SIGTERM: finish cleanly (the current transaction rolls back) and report.
        signal(SIGINT, interruptHandler)
        signal(SIGTERM, interruptHandler)
        // A parent may have started us with these blocked (inherited masks); take them back.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
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
