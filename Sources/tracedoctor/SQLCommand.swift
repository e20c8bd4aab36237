// `tracedoctor sql QUERY`

import ArgumentParser
import TraceDoctorCore

extension SQLOutputFormat: ExpressibleByArgument {}

struct SQLCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run a read-only SQL query over the database.",
        discussion: """
            The database is opened read-only and the query may only read: ATTACH, PRAGMAs that set \
            something, extension loading and every write are refused. The schema (sources, resources, spans, \
            logs) is documented in the README; attributes are JSON objects, so `attributes->>'http.route'` \
            works.

            Examples:
              tracedoctor sql "SELECT service, count(*) FROM spans GROUP BY 1 ORDER BY 2"
              tracedoctor sql --format csv -o spans.csv \\
                "SELECT trace_id, name, (end_ns - start_ns) / 1e6 AS ms FROM spans"
              tracedoctor sql --format json "SELECT * FROM logs WHERE trace_id IS NULL"

            An empty query (only spaces or comments) is a usage error (exit 64).
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "Output format: text (aligned), csv or json.")
    var format: SQLOutputFormat = .text

    @OptionGroup var destination: ReportFileOptions

    @Option(name: .long, help: ArgumentHelp("Stop the query after this long (0: never).", valueName: "duration"))
    var timeout = "5m"

    // `.unconditional`: `--max-rows -1` is read as a value and refused with the valid range.
    @Option(
        name: .customLong("max-rows"), parsing: .unconditional,
        help: ArgumentHelp("Rows to print in text format (0: all; csv and json print all).", valueName: "n"))
    var maxRowsText = "1000"

    /// `--max-rows`, checked by `validate`.
    var maxRows: Int { Int(maxRowsText) ?? 1000 }

    @Argument(help: ArgumentHelp("One SQL statement.", valueName: "query"))
    var query: String

    func validate() throws {
        if SQLQuery.isBlank(query) {
            throw ValidationError(
                "the query is empty; give one SQL statement, e.g. tracedoctor sql \"SELECT count(*) FROM spans\"")
        }
        guard timeout == "0" || Units.parseDuration(timeout) != nil else {
            throw ValidationError("--timeout '\(timeout)' is not a duration (try 30s, 5m, 1h; 0 for none)")
        }
        guard let rows = Int(maxRowsText), rows >= 0 else {
            throw ValidationError("--max-rows '\(maxRowsText)' is not a number of rows: give 0 (all) or more")
        }
    }

    func run() throws {
        let writer = format.writer { Terminal.out($0) }
        let seconds = timeout == "0" ? nil : Units.parseDuration(timeout).map { Double($0) / 1e9 }
        let request = SQLRequest(
            databasePath: store.path, sql: query, timeoutSeconds: seconds, maxRows: format == .text && maxRows > 0 ? maxRows : nil)
        do {
            try SQLQuery.run(request, to: writer)
        } catch {
            throw Terminal.fail(error)
        }
    }
}
