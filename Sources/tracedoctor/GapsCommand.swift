// `tracedoctor gaps [TRACE_ID]`

import ArgumentParser
import TraceDoctorCore

struct GapsCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Time inside spans that no child span covers, largest first.",
        discussion: """
            unaccounted_time: intervals inside a span that has children which no child covers, at least \
            --min-gap long and --min-gap-share of the span (a leaf's duration is its own work, not a gap), \
            with their offsets from the span's start. low_coverage: roots whose descendants cover less than \
            --min-coverage of them. child_before_parent / child_after_parent: children sticking out of their \
            parent, with the amount, and whether the hosts differ (likely clock skew). Times are measured \
            after clock-skew adjustment (Jaeger's: only across a host change, only when the child does not \
            fit, capped by --max-skew); every shift is listed.

            Log intervals (start/end pairs of log events, lines with a duration; see ingest) that overlap a \
            gap are listed under the table as evidence ("logs:"): those whose lines carry the trace ID, join it \
            by --link-key, or ran in the gap's service during it. The gap stays a finding: no span covers it.

            Examples:
              tracedoctor gaps
              tracedoctor gaps 936e93ca      # one trace (a unique prefix, base64, decimal)
              tracedoctor gaps --min-gap 50ms --min-gap-share 25%
              tracedoctor gaps --no-skew-adjust --format json
              tracedoctor gaps --link-key execution_id=workflow.run_id
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var destination: ReportFileOptions
    @OptionGroup var analysis: AnalysisOptionGroup
    @OptionGroup var report: ReportOptions
    @OptionGroup var source: SourceOptions
    @OptionGroup var serviceFilter: ServiceOption
    @OptionGroup var link: LinkKeyOptions

    @Argument(help: ArgumentHelp("Only this trace: a unique prefix of its ID (hex, base64 or decimal).", valueName: "trace-id"))
    var traceID: String?

    func validate() throws {
        try DiagnosisRun.requireSource(serviceFilter, source)
    }

    func run() throws {
        let result = try DiagnosisRun.run(
            store: store, analysis: analysis, traceQuery: traceID, source: source, service: serviceFilter.service,
            linkKeys: link.keys, findingsOnly: true)
        let limit = report.limit(for: output.format)
        switch output.format {
        case .json:
            DiagnosisRun.print(
                DiagnosisJSON.gaps(result, traceID: traceID == nil ? nil : result.traces.first?.traceID, limit: limit), output)
        case .text:
            DiagnosisRun.print(GapsTextReport.render(result, limit: limit, style: DiagnosisRun.style(output)), output)
        }
        try DiagnosisRun.applyFailOn(report, result)
    }
}
