// `tracedoctor explain TRACE_ID`

import ArgumentParser
import Foundation
import TraceDoctorClickHouse
import TraceDoctorCore

extension ExplainRequest.Logs: ExpressibleByArgument {}

/// The formats `explain` writes.
enum ExplainFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, html
}

struct ExplainCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "One trace as a ranked diagnosis, a waterfall and its log lines.",
        discussion: """
            The header (root, start, duration, spans, services, how much of the root its spans account \
            for); the findings ranked by the time at stake, each naming the span, why, and what to check — \
            with the log lines written inside an unaccounted gap quoted; then the waterfall: one line per \
            span with its duration, self time and a bar showing where in the trace it ran, gaps in a \
            lighter fill (░), spans whose parent never arrived under a placeholder, traces that split off \
            this one (fragments, calls sent without context) under their suspected parent, * on the \
            critical path, ~ clock-skew adjusted, ! error; each span's log lines under it; the trace's lines \
            that match no span at the end. Lines without a trace ID that a service of the trace wrote \
            during one of its gaps are shown at the gap, marked "no trace ID". --link-key request_id (or \
            execution_id=workflow.run_id) joins lines without a trace ID whose key value a span of the \
            trace carries; each line says how it joined. Log intervals (a start/end pair of log events, \
            or a line with a duration; see ingest) are drawn under the span they ran in (⊢…⊣ rows), and \
            an unaccounted gap says how much of it they cover.

            The trace ID may be any unique prefix, in hex (16 digits match a 64-bit ID), base64, or a \
            decimal Datadog ID. An unknown or ambiguous ID exits 2 and names the closest IDs. \
            --format json writes the whole explanation as one object; --format html one self-contained \
            page (no network): click a span for its attributes and logs. Text is coloured on a terminal \
            (never with --no-color or NO_COLOR) and fits $COLUMNS, else the terminal, else 100 columns.

            Examples:
              tracedoctor explain 936e93ca
              tracedoctor explain --most-broken
              tracedoctor explain 936e93ca --min-duration 1ms --depth 4
              tracedoctor explain 936e93ca --logs errors
              tracedoctor explain 936e93ca --link-key execution_id=workflow.run_id
              tracedoctor explain 936e93ca --all             # every span, no folding
              tracedoctor explain 936e93ca -o trace.html     # the page, as --format html
              tracedoctor explain 936e93ca --format json | jq '.findings[0]'
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(
        name: .customLong("format"),
        help: "Output format: text, json or html (default: text; html or json for an -o file named so).")
    var explicitFormat: ExplainFormat?

    /// `--format`, else what the `-o` file's name says (`-o trace.html`), else text.
    var format: ExplainFormat {
        if let explicitFormat { return explicitFormat }
        let name = destination.output?.lowercased() ?? ""
        return name.hasSuffix(".html") || name.hasSuffix(".htm") ? .html : name.hasSuffix(".json") ? .json : .text
    }

    @OptionGroup var destination: ReportFileOptions

    @Flag(name: .long, help: "Never colour the output (NO_COLOR is honoured too).")
    var noColor = false

    @Flag(name: .shortAndLong, help: "Print only errors (json, html and -o files are always written).")
    var quiet = false

    @OptionGroup var analysis: AnalysisOptionGroup

    @Option(name: .long, help: "Log lines to show: all, errors (ERROR and FATAL), none.")
    var logs: ExplainRequest.Logs = .all

    @Option(
        name: .customLong("depth"), parsing: .unconditional,
        help: ArgumentHelp("Show this many levels of the tree (text and html).", valueName: "n"))
    var depthText: String?

    /// `--depth`, checked by `validate`.
    var depth: Int? { depthText.flatMap { Int($0) } }

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Fold spans shorter than this (text and html), unless they have something to say.", valueName: "duration"))
    var minDuration: String?

    @Flag(
        name: .long,
        help: "Show every span (text and html): never summarise a trace of more than \(ExplainWaterfall.defaultRowBudget) rows.")
    var all = false

    @Flag(name: .long, help: "Explain the trace with the most kinds of defect instead of a named one.")
    var mostBroken = false

    @Argument(help: ArgumentHelp("A unique prefix of the trace ID (hex, base64 or decimal).", valueName: "trace-id"))
    var traceID: String?

    @OptionGroup var source: SourceOptions
    @OptionGroup var serviceFilter: ServiceOption
    @OptionGroup var linkKeys: LinkKeyOptions

    func validate() throws {
        if !linkKeys.keys.isEmpty && source.isClickHouse {
            throw ValidationError("--link-key reads the logs of the --db database; it does not apply with --source")
        }
        if mostBroken && traceID != nil { throw ValidationError("give a trace ID or --most-broken, not both") }
        if !mostBroken && traceID == nil { throw ValidationError("name a trace: tracedoctor explain TRACE_ID (or --most-broken)") }
        if let depthText, (Int(depthText) ?? 0) < 1 {
            throw ValidationError("--depth '\(depthText)' is not a number of levels: give 1 or more")
        }
        _ = try minDurationNs()
        try DiagnosisRun.requireSource(serviceFilter, source)
    }

    /// Rows before a big trace is summarised: none with --all or --depth (the user chose what to see).
    var rowBudget: Int? { all || depth != nil ? nil : ExplainWaterfall.defaultRowBudget }

    func minDurationNs() throws -> Int64 {
        guard let minDuration else { return 0 }
        guard let ns = Units.parseDuration(minDuration) else {
            throw ValidationError("--min-duration '\(minDuration)' is not a duration of 0 or more (try 1ms, 500us)")
        }
        return ns
    }

    func run() throws {
        let request = ExplainRequest(
            databasePath: store.path, target: mostBroken ? .mostBroken : .trace(traceID ?? ""),
            options: try analysis.options(), logs: logs, linkKeys: linkKeys.keys)
        let explanation: Explanation
        do {
            if source.isClickHouse {
                let spans = try source.spanSource(service: serviceFilter.service)
                defer { source.summary(spans) }
                explanation = try ClickHouseExplainer.explain(
                    source: spans, target: request.target, options: request.options, logs: logs)
            } else {
                explanation = try Explainer.explain(request)
            }
        } catch let error as TraceDoctorError {
            throw Terminal.fail(error)
        }
        let renderStart = ContinuousClock.now
        defer {
            if ProcessInfo.processInfo.environment["TRACEDOCTOR_TIMINGS"].map({ !$0.isEmpty }) ?? false {
                let render = renderStart.duration(to: .now).components
                let phases = explanation.phaseSeconds + [("render", Double(render.seconds) + Double(render.attoseconds) / 1e18)]
                Terminal.err(
                    "tracedoctor: timings: "
                        + phases.map { "\($0.phase) " + Units.duration(seconds: $0.seconds) }.joined(separator: ", "))
            }
        }
        switch format {
        case .text:
            guard !quiet || destination.output != nil else { return }
            let layout = ExplainTextReport.Layout(
                width: Terminal.width, maxDepth: depth, minDurationNs: try minDurationNs(), rowBudget: rowBudget)
            Terminal.out(ExplainTextReport.render(explanation, layout: layout, style: Terminal.style(noColor: noColor)))
        case .json:
            // Streamed: a 100,000-span trace's document is tens of MB, never held whole.
            ExplainJSON.write(explanation, rowBudget: all ? nil : ExplainWaterfall.defaultRowBudget, to: Terminal.out(bytes:))
        case .html:
            Terminal.out(
                ExplainHTMLReport.render(
                    explanation, maxDepth: depth, minDurationNs: try minDurationNs(), rowBudget: rowBudget))
        }
    }
}
