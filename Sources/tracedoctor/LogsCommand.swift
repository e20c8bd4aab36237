// `tracedoctor logs TRACE_ID [--span SPAN_ID]`, `logs --unlinked`, `logs --dangling`

import ArgumentParser
import TraceDoctorClickHouse
import TraceDoctorCore

struct LogsCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "The log lines of a trace or span; lines with no trace ID; lines whose trace ID matches no trace.",
        discussion: """
            With a trace ID (any unique prefix, in hex, base64 or decimal): the trace's lines by time, with \
            their offset from the trace's first span and the span each names (--span: one span only). \
            --unlinked (log_unlinked): lines without a trace ID written while a span of their service was \
            running, each with the span(s) it may belong to. --dangling (log_dangling): lines whose trace ID \
            matches no ingested trace (a 64-bit ID matches a 128-bit trace on its low half). \
            --link-key FIELD[=ATTRIBUTE] (repeatable) joins a line without trace ID to the trace of the span \
            whose attributes (or resource attributes) carry the same value, or of a line that carries both \
            the value and a trace ID; a value on several traces joins nothing. Each line says how it was \
            joined: trace+span ID, trace ID, key (which), or time (a guess).

            Examples:
              tracedoctor logs 936e93ca
              tracedoctor logs 936e93ca --span 3f337a32a645072c
              tracedoctor logs --unlinked
              tracedoctor logs --dangling --format json
              tracedoctor logs 936e93ca --link-key request_id
              tracedoctor logs --unlinked --link-key execution_id=workflow.run_id
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var destination: ReportFileOptions

    @Option(name: .long, help: ArgumentHelp("Only the lines of this span (16 hex digits).", valueName: "span-id"))
    var span: String?

    @Flag(name: .long, help: "Lines with no trace ID written inside a span of their service (log_unlinked).")
    var unlinked = false

    @Flag(name: .long, help: "Lines whose trace ID matches no trace (log_dangling).")
    var dangling = false

    @Flag(name: .long, help: "ERROR and FATAL lines only.")
    var errors = false

    @OptionGroup var link: LinkKeyOptions

    @Argument(help: ArgumentHelp("A unique prefix of the trace ID (hex, base64 or decimal).", valueName: "trace-id"))
    var traceID: String?

    @OptionGroup var source: SourceOptions

    func validate() throws {
        let chosen = [traceID != nil, unlinked, dangling].filter { $0 }.count
        if chosen == 0 { throw ValidationError("name a trace (tracedoctor logs TRACE_ID), or pass --unlinked or --dangling") }
        if chosen > 1 { throw ValidationError("give one of: a trace ID, --unlinked, --dangling") }
        if span != nil && traceID == nil { throw ValidationError("--span needs a trace ID: tracedoctor logs TRACE_ID --span SPAN_ID") }
        if source.isClickHouse && traceID == nil {
            throw ValidationError("with --source, name a trace: tracedoctor logs TRACE_ID --source … (--unlinked and --dangling read a local database)")
        }
        if let span, SpanID(hex: span.lowercased()) == nil {
            throw ValidationError("--span '\(span)' is not a span ID (16 hex digits)")
        }
    }

    func run() throws {
        let selection: LogListing.Selection
        if unlinked {
            selection = .unlinked
        } else if dangling {
            selection = .dangling
        } else {
            selection = .trace(traceID ?? "", span: span.flatMap { SpanID(hex: $0.lowercased()) })
        }
        let listing: LogListing
        do {
            if source.isClickHouse, case .trace(let query, let spanID) = selection {
                let spans = try source.spanSource(service: nil)
                defer { source.summary(spans) }
                listing = try ClickHouseExplainer.logs(source: spans, traceQuery: query, span: spanID, errorsOnly: errors)
            } else {
                listing = try LogListing.read(
                    databasePath: store.path, selection: selection, errorsOnly: errors, linkKeys: link.keys)
            }
        } catch let error as TraceDoctorError {
            throw Terminal.fail(error)
        }
        switch output.format {
        case .json:
            Terminal.out(LogsReport.json(listing))
        case .text:
            guard !output.quiet || destination.output != nil else { return }
            Terminal.out(LogsReport.text(listing, width: Terminal.width, style: Terminal.style(noColor: output.noColor)))
        }
    }
}
