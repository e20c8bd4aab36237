// `tracedoctor orphans`

import ArgumentParser
import TraceDoctorCore

struct OrphansCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "orphans",
        abstract: "Spans whose parent is missing, and traces split off other traces (lost context).",
        discussion: """
            missing_parent: spans naming a parent span ID that is not in their trace, summed by service and \
            child operations (with a likely cause), then one line per missing parent with its children. \
            fragment_trace: traces whose root is not an entry point (INTERNAL, CLIENT, PRODUCER) and that \
            started inside a span of the same process in another trace: work handed to a thread pool, \
            goroutine or task without its context. The suspected parent is named with a confidence and the \
            evidence. unpropagated_call: a client call whose callee started a new trace. Also cycle, \
            duplicate_span_id and multiple_roots. remote_parent_missing (an ingress span whose caller was \
            not captured) is listed apart and is not a defect unless --include-remote.

            Examples:
              tracedoctor orphans
              tracedoctor orphans --include-remote --limit 0
              tracedoctor orphans --format json | jq '.fragment_trace[].suspected_parent'
              # CI: exit 1 when one is found
              tracedoctor orphans --fail-on fragment_trace --fail-on missing_parent
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var destination: ReportFileOptions
    @OptionGroup var analysis: AnalysisOptionGroup
    @OptionGroup var report: ReportOptions
    @OptionGroup var source: SourceOptions
    @OptionGroup var serviceFilter: ServiceOption

    func validate() throws {
        try DiagnosisRun.requireSource(serviceFilter, source)
    }

    func run() throws {
        let result = try DiagnosisRun.run(store: store, analysis: analysis, source: source, service: serviceFilter.service,
            findingsOnly: true, gapsCounted: true)
        let limit = report.limit(for: output.format)
        switch output.format {
        case .json:
            DiagnosisRun.print(DiagnosisJSON.orphans(result, limit: limit), output)
        case .text:
            DiagnosisRun.print(OrphansTextReport.render(result, limit: limit, style: DiagnosisRun.style(output)), output)
        }
        try DiagnosisRun.applyFailOn(report, result)
    }
}
