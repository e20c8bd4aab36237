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

    @Argument(help: ArgumentHelp("One SQL statement.", valueName: "query"))
    var query: String

    func validate() throws {
        if SQLQuery.isBlank(query) {
            throw ValidationError(
                "the query is empty; give one SQL statement, e.g. tracedoctor sql \"SELECT count(*) FROM spans\"")
        }
    }

    func run() throws {
        let writer = format.writer { Terminal.out($0) }
        do {
            try SQLQuery.run(SQLRequest(databasePath: store.path, sql: query), to: writer)
        } catch {
            throw Terminal.fail(error)
        }
    }
}
