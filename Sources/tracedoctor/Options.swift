// Option groups every command shares: where the database is, and how to print.

import ArgumentParser
import TraceDoctorCore

struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The SQLite database (default: $TRACEDOCTOR_DB, else ./tracedoctor.db).", valueName: "path"))
    var db: String?

    var path: String { TraceStore.resolvePath(db) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Never colour the output (NO_COLOR is honoured too).")
    var noColor = false

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false
}

/// `-o/--output FILE`: the report goes to a file instead of stdout.
struct ReportFileOptions: ParsableArguments {
    @Option(
        name: [.customShort("o"), .long],
        help: ArgumentHelp(
            "Write the report to this file instead of stdout: folders missing on its path are created, and "
                + "it is replaced only once complete (on an error it is left as it was).", valueName: "file"))
    var output: String?
}

/// A command that writes a report, to stdout or to `-o FILE`.
protocol WritesReport {
    var destination: ReportFileOptions { get }
}

/// `--interval-rules FILE` (ingest, receive, record): how log lines become log intervals.
struct IntervalRulesOption: ParsableArguments {
    @Option(
        name: .customLong("interval-rules"),
        help: ArgumentHelp(
            "A YAML file of log interval rules (event fields, start and end suffixes, pairing keys, duration fields and units) instead of the built-in ones (docs/log-intervals.yml); keys left out keep the default.",
            valueName: "file"))
    var path: String?

    /// The rules read from the file, else the built-in ones; a bad file exits with its error.
    func rules() throws -> LogIntervalRules {
        guard let path else { return .defaults }
        switch LogIntervalRules.read(path: path) {
        case .success(let read): return read
        case .failure(let error): throw Terminal.fail(error)
        }
    }
}
