// `tracedoctor traces`

import ArgumentParser
import TraceDoctorClickHouse
import TraceDoctorCore

extension TraceSummary.Sort: ExpressibleByArgument {}

struct TracesCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "List traces: root, start, duration, spans, orphans, coverage, errors, diagnoses.",
        discussion: """
            One line per trace: root service and operation, start (UTC), duration, span count, spans whose \
            parent is missing, coverage of the root by its descendants, spans with status ERROR; the \
            diagnoses found in the trace follow on an indented line.

            Examples:
              tracedoctor traces                          # the 20 longest
              tracedoctor traces --sort coverage --limit 5
              tracedoctor traces --service checkout --sort orphans
              tracedoctor traces --limit 0 --format json
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var destination: ReportFileOptions
    @OptionGroup var analysis: AnalysisOptionGroup
    @OptionGroup var report: ReportOptions
    @OptionGroup var source: SourceOptions

    @Option(name: .long, help: "Order: duration (longest first), coverage (lowest first), orphans (most first), start.")
    var sort: TraceSummary.Sort = .duration

    @Option(name: .long, help: ArgumentHelp("Only traces with a span of this service.", valueName: "service"))
    var service: String?

    func run() throws {
        let limit = report.limit(for: output.format)
        // With a limit, a ClickHouse source reads the traces the listing shows (and those with a
        // finding), not the whole window.
        let listing = limit > 0 ? ClickHouseSpanSource.Listing(sort: sort, service: service, limit: limit) : nil
        let result = try DiagnosisRun.run(store: store, analysis: analysis, source: source, listing: listing)
        switch output.format {
        case .json:
            DiagnosisRun.print(DiagnosisJSON.traces(result, sort: sort, service: service, limit: limit), output)
        case .text:
            DiagnosisRun.print(
                TracesTextReport.render(result, sort: sort, service: service, limit: limit, style: DiagnosisRun.style(output)),
                output)
        }
        try DiagnosisRun.applyFailOn(report, result)
    }
}
