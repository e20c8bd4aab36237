// `tracedoctor check PATH...`: builds a CheckRequest, calls Checker.run, hands the result to the
// report formatters (text or JSON on stdout, JUnit, baseline, GitHub annotations and job summary).

import ArgumentParser
import Foundation
import TraceDoctorClickHouse
import TraceDoctorCore

struct CheckCommand: ParsableCommand, WritesReport {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "CI gate: hold captured traces to a policy; exit 1 when an error rule is violated.",
        discussion: """
            Ingests PATH... into a temporary database (removed afterwards; put in $TMPDIR), or into --db, \
            runs every diagnosis, evaluates the policy and prints each rule with its threshold, the \
            measured value, pass/WARN/FAIL and the worst traces (with the `tracedoctor explain` command \
            for each). Without PATH it checks an existing database (--db, $TRACEDOCTOR_DB, else \
            ./tracedoctor.db). Without --policy the defaults below apply: they fail on lost context \
            (fragment_trace, unpropagated_call, low completeness or parent linkage, orphans) and on roots \
            spending over half their time unaccounted for.

            Exit codes: 0 every error rule passed (warnings never fail); 1 an error rule was violated; \
            2 input or runtime error (unreadable or rejected input, malformed policy or baseline, no spans \
            unless --allow-empty, an output file that cannot be written); \
            64 usage error.

            Outputs: --format json (docs/check.md documents the schema), -o FILE (the report to a file), \
            --junit FILE (one test case per rule), --write-baseline FILE (this capture's metrics, to compare \
            later with --baseline FILE); all are checked before anything is ingested. \
            When GITHUB_ACTIONS=true: ::error/::warning annotations (on stdout; on stderr with --format \
            json) and a Markdown summary appended to $GITHUB_STEP_SUMMARY.

            Examples:
              tracedoctor check otel-out/traces.jsonl
              tracedoctor check --policy tracedoctor.yml --junit traces.xml otel-out/
              # on main:
              tracedoctor check --write-baseline traces-baseline.json otel-out/
              # on a pull request:
              tracedoctor check --baseline traces-baseline.json otel-out/
              tracedoctor check --db shop.db --format json |
                jq '.rules[] | select(.status == "fail")'
              # production spans in ClickHouse, over TLS with a private CA:
              tracedoctor check --source clickhouses://reader@ch:8443/otel \\
                --ca-cert ca.pem --since 1d --until now

            The policy file, every key with its default:

            """ + Policy.exampleYAML
    )

    @Argument(help: ArgumentHelp("Span and log dumps to check: files, directories, or - for stdin.", valueName: "path"))
    var paths: [String] = []

    @Option(name: .long, help: ArgumentHelp("Policy file (YAML; default: the built-in policy shown above).", valueName: "file"))
    var policy: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Database to ingest into and check (kept). Default with PATH: a temporary one; without PATH: "
                + "$TRACEDOCTOR_DB, else ./tracedoctor.db.", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("Fail on regressions against this baseline file.", valueName: "file"))
    var baseline: String?

    @Option(name: .long, help: ArgumentHelp("Write this capture's metrics as a baseline file.", valueName: "file"))
    var writeBaseline: String?

    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report (one test case per rule).", valueName: "file"))
    var junit: String?

    @OptionGroup var link: LinkKeyOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var destination: ReportFileOptions

    @Flag(name: .long, help: "Skip bad records and unreadable files instead of failing with exit 2.")
    var keepGoing = false

    @Option(name: .long, help: "Read every input as this format instead of detecting it.")
    var inputFormat: InputFormat?

    @Flag(name: .long, help: "Pass (exit 0, every rule skipped) when the inputs hold no spans, instead of exit 2.")
    var allowEmpty = false

    @OptionGroup var source: SourceOptions
    @OptionGroup var serviceFilter: ServiceOption

    func validate() throws {
        try DiagnosisRun.requireSource(serviceFilter, source)
        if source.isClickHouse && (!paths.isEmpty || db != nil) {
            throw ValidationError("--source checks the spans in ClickHouse: give no PATH and no --db")
        }
    }

    func run() throws {
        // The files to write are checked (and opened as temporary files) before the work.
        let junitFile = try junit.map { path throws(TraceDoctorError) in try PendingOutput.open(path) }
        let baselineFile = try writeBaseline.map { path throws(TraceDoctorError) in try PendingOutput.open(path) }
        var request = CheckRequest(
            paths: paths, databasePath: paths.isEmpty ? TraceStore.resolvePath(db) : db, policyPath: policy,
            baselinePath: baseline, keepGoing: keepGoing, inputFormat: inputFormat, allowEmpty: allowEmpty,
            linkKeys: link.keys)
        var clickhouse: SendableSource?
        if source.isClickHouse {
            let spans = SendableSource(try source.spanSource(service: serviceFilter.service))
            request.databasePath = source.display
            request.explainArguments = try source.explainArguments(service: serviceFilter.service)
            request.diagnose = { policy throws(TraceDoctorError) in
                try ClickHouseDiagnoser.run(source: spans.value, options: policy.analysisOptions, check: policy)
            }
            clickhouse = spans
        } else if let db = request.databasePath, !paths.isEmpty {
            try OutputFile.createFolders(for: db)
        }
        defer { if let clickhouse { source.summary(clickhouse.value) } }
        let progress = Terminal.stderrIsTerminal && !output.quiet ? ProgressBar() : nil
        let result: CheckResult
        do {
            result = try Checker.run(request, progress: progress) {
                Terminal.err("tracedoctor: waiting for another tracedoctor to finish writing the database…")
            }
        } catch {
            junitFile?.discard()
            baselineFile?.discard()
            throw Terminal.fail(error)
        }

        switch output.format {
        case .json:
            Terminal.out(CheckJSON.render(result))
        case .text:
            if output.quiet && destination.output == nil {
                if result.status != .pass { Terminal.err("tracedoctor check: " + result.headline) }
            } else {
                Terminal.out(CheckTextReport.render(result, style: DiagnosisRun.style(output)))
            }
        }
        do {
            let environment = ProcessInfo.processInfo.environment
            if environment["GITHUB_ACTIONS"] == "true" {
                let annotations = GitHubAnnotations.render(result)
                if output.format == .json { Terminal.err(annotations) } else { Terminal.stdout(annotations) }
                if let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
                    try OutputFile.append(GitHubStepSummary.render(result), to: summary)
                }
            }
            if let junitFile {
                junitFile.write(JUnitReport.render(result))
                try junitFile.commit()
            }
            if let baselineFile {
                if result.isEmpty {
                    baselineFile.discard()
                    Terminal.err("tracedoctor: warning: nothing was checked, so no baseline was written to \(baselineFile.path)")
                } else {
                    baselineFile.write(JSONReport.render(result.measured))
                    try baselineFile.commit()
                }
            }
        } catch {
            throw Terminal.fail(error)
        }
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}
