// `tracedoctor stats`

import ArgumentParser
import TraceDoctorClickHouse
import TraceDoctorCore

struct StatsCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Quality metrics of the database and how often each diagnosis was found.",
        discussion: """
            trace completeness: share of traces with one root, no missing parent, that are not a fragment \
            and lost no fragment or call to another trace. parent linkage: share of spans that should have a \
            parent in their trace (a parent ID, or a fragment's root) whose parent is there. coverage: median \
            and 10th percentile of root coverage. log linkage: share of log lines linked to a span. timing \
            violations per 1000 spans. Then the count of every diagnosis.

            Examples:
              tracedoctor stats
              tracedoctor stats --format json | jq .trace_completeness
              tracedoctor stats --fail-on fragment_trace
              tracedoctor stats --source clickhouse://reader@ch/otel --since 1h --until now
              tracedoctor stats --source clickhouses://reader@ch:8443/otel \\
                --ca-cert ca.pem --since 1h --until now
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var destination: ReportFileOptions
    @OptionGroup var analysis: AnalysisOptionGroup
    @OptionGroup var report: ReportOptions
    @OptionGroup var source: SourceOptions
    @OptionGroup var serviceFilter: ServiceOption

    @Flag(
        name: .long,
        help: "With --source: aggregate inside ClickHouse and fetch one row (no spans): the per-trace counts only.")
    var inDatabase = false

    @OptionGroup var link: LinkKeyOptions

    func validate() throws {
        try DiagnosisRun.requireSource(serviceFilter, source)
        if inDatabase && !source.isClickHouse { throw ValidationError("--in-database needs --source clickhouse://host/database") }
    }

    func run() throws {
        if inDatabase {
            let spans = try source.spanSource(service: serviceFilter.service)
            let options = try analysis.options()
            let result: InDatabaseStats
            do {
                result = try InDatabaseStats.run(source: spans, options: options)
            } catch {
                throw Terminal.fail(error)
            }
            source.summary(spans)
            DiagnosisRun.print(output.format == .json ? result.json() : result.text(), output)
            return
        }
        let result = try DiagnosisRun.run(
            store: store, analysis: analysis, source: source, service: serviceFilter.service, linkKeys: link.keys, stats: true)
        switch output.format {
        case .json:
            DiagnosisRun.print(DiagnosisJSON.stats(result), output)
        case .text:
            DiagnosisRun.print(StatsTextReport.render(result, database: source.display ?? store.path, style: DiagnosisRun.style(output)), output)
        }
        try DiagnosisRun.applyFailOn(report, result)
    }
}
