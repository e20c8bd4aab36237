// What the diagnosis commands do around the one Core call: build the request, map errors to exit
// codes, choose colour, apply `--fail-on`.

import ArgumentParser
import Foundation
import TraceDoctorClickHouse
import TraceDoctorCore

enum DiagnosisRun {
    /// Runs the diagnoses; a failure is printed and becomes exit code 2 (64 for usage errors).
    static func run(
        store: StoreOptions, analysis: AnalysisOptionGroup, traceQuery: String? = nil, source: SourceOptions? = nil,
        service: String? = nil, linkKeys: [LinkKey] = [], findingsOnly: Bool = false,
        listing: ClickHouseSpanSource.Listing? = nil, stats: Bool = false, gapsCounted: Bool = false
    ) throws -> DiagnosisReport {
        if let source, source.isClickHouse {
            return try runClickHouse(
                source, analysis: analysis, traceQuery: traceQuery, service: service, findingsOnly: findingsOnly,
                listing: listing, stats: stats, gapsCounted: gapsCounted)
        }
        // Only the summaries the command prints (a listing's few, stats' huge traces, none for
        // findings); one trace's report names its trace from its summary, so it keeps them.
        let summaries: SummaryNeed =
            if let listing { .listing(sort: listing.sort, service: listing.service, limit: listing.limit) } else if stats {
                .huge
            } else if findingsOnly && traceQuery == nil { .none } else { .all }
        let request = DiagnosisRequest(
            databasePath: store.path, options: try analysis.options(), traceQuery: traceQuery, linkKeys: linkKeys,
            summaries: summaries)
        let report: DiagnosisReport
        do {
            report = try Diagnoser.run(request)
        } catch {
            throw Terminal.fail(error)
        }
        if ProcessInfo.processInfo.environment["TRACEDOCTOR_TIMINGS"].map({ !$0.isEmpty }) ?? false {
            Terminal.err(
                "tracedoctor: timings: "
                    + report.phaseSeconds.map { "\($0.phase) " + Units.duration(seconds: $0.seconds) }.joined(separator: ", "))
        }
        return report
    }

    /// The same diagnoses over the spans of a ClickHouse window.
    static func runClickHouse(
        _ options: SourceOptions, analysis: AnalysisOptionGroup, traceQuery: String?, service: String?,
        findingsOnly: Bool = false, listing: ClickHouseSpanSource.Listing? = nil, stats: Bool = false, gapsCounted: Bool = false
    ) throws -> DiagnosisReport {
        let source = try options.spanSource(service: service)
        defer { options.summary(source) }
        let analysisOptions = try analysis.options()
        do {
            return try ClickHouseDiagnoser.run(
                source: source, options: analysisOptions, traceQuery: traceQuery, findingsOnly: findingsOnly,
                listing: listing, stats: stats, gapsCounted: gapsCounted)
        } catch {
            throw Terminal.fail(error)
        }
    }

    /// `--service` is a ClickHouse filter except where a command lists by service itself.
    static func requireSource(_ service: ServiceOption, _ source: SourceOptions) throws {
        if service.service != nil && !source.isClickHouse {
            throw ValidationError("--service needs --source clickhouse://host/database")
        }
    }

    /// Colour only on a terminal, and never with --no-color or NO_COLOR.
    static func style(_ output: OutputOptions) -> TextStyle {
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return TextStyle(enabled: Terminal.stdoutIsTerminal && !output.noColor && !noColor)
    }

    /// Prints `text` unless --quiet asks for errors only (JSON and `-o` files are always written).
    static func print(_ text: String, _ output: OutputOptions) {
        if output.format == .json || !output.quiet || Terminal.reportFile != nil { Terminal.out(text) }
    }

    /// Exit 1 when a `--fail-on` diagnosis was found.
    static func applyFailOn(_ options: ReportOptions, _ report: DiagnosisReport) throws {
        let found = options.failures(in: report)
        guard !found.isEmpty else { return }
        Terminal.err(
            "tracedoctor: found " + found.map { "\($0.name) (\(report.quality.count($0)))" }.joined(separator: ", ")
                + " (--fail-on)")
        throw ExitCode(1)
    }
}
