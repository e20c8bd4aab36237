// `tracedoctor record -- CMD`: receive while CMD runs, store its output, then `check`.

import ArgumentParser
import Foundation
import TraceDoctorCore
import TraceDoctorReceiver

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run a command with its traces and logs captured, then check them (CI gate).",
        discussion: """
            Starts the receiver (as `tracedoctor receive`; on 127.0.0.1:4318 and :4317, or on free ports \
            when those are taken), runs CMD with these variables set, so that an OpenTelemetry SDK exports \
            to it (a value already in the environment wins; record says so):

              OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (gRPC: :4317)
              OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
              OTEL_TRACES_EXPORTER=otlp
              OTEL_LOGS_EXPORTER=otlp
              OTEL_METRICS_EXPORTER=none

            CMD's stdout and stderr pass through unchanged and are also stored as log lines of a source \
            named after the command (a printed trace ID joins them to the trace). After CMD exits, record \
            waits --grace seconds (default 1) for the last exports, and longer while requests still \
            arrive (at most 30 s); then it checks the capture exactly as `tracedoctor check --db` does: \
            the same policy, baseline, reports (text, JSON, JUnit, GitHub annotations) and exit codes.

            Exit codes: 0 CMD succeeded and every error rule passed; 1 an error rule was violated; 2 input \
            or runtime error (no spans captured, the receiver could not listen, CMD could not start); 3 CMD \
            itself failed (non-zero exit status or killed by a signal): the check still runs and reports, \
            and 3 wins over 1; 64 usage error.

            Without --db the capture goes to a new tracedoctor-record-DATE-TIME.db in the working \
            directory; record prints its name.

            Examples:
              tracedoctor record -- pytest -q
              tracedoctor record --policy ci.yml --junit traces.xml -- go test ./...
              tracedoctor record --db ci.db --baseline traces-baseline.json -- npm test
            """
    )

    @Option(name: .long, help: ArgumentHelp("Database to capture into (default: a new one here).", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("Policy file (YAML; default: the built-in policy of `check`).", valueName: "file"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("Fail on regressions against this baseline file.", valueName: "file"))
    var baseline: String?

    @Option(name: .long, help: ArgumentHelp("Write this capture's metrics as a baseline file.", valueName: "file"))
    var writeBaseline: String?

    @Option(name: .long, help: ArgumentHelp("Write a JUnit XML report (one test case per rule).", valueName: "file"))
    var junit: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for the last exports after CMD exits.", valueName: "seconds"))
    var grace: Double = 1

    @Option(name: .long, help: ArgumentHelp("OTLP/HTTP address (default: 127.0.0.1:4318, else a free port), or off.", valueName: "addr"))
    var http: String?

    @Option(name: .long, help: ArgumentHelp("OTLP/gRPC address (default: 127.0.0.1:4317, else a free port), or off.", valueName: "addr"))
    var grpc: String?

    @OptionGroup var intervals: IntervalRulesOption
    @OptionGroup var output: OutputOptions

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command to run, after --.", valueName: "cmd"))
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("name the command to run after --, e.g. tracedoctor record -- pytest -q") }
        if grace < 0 || grace > 600 { throw ValidationError("--grace must be between 0 and 600 seconds") }
    }

    func run() throws {
        let database = db ?? Self.freshDatabasePath()
        var options = try ReceiveRun.options(database: database, http: http ?? "127.0.0.1:4318", grpc: grpc ?? "127.0.0.1:4317")
        options.intervalRules = try intervals.rules()
        // The default ports may be taken (a collector, another record): then any free port.
        if http == nil, let address = options.http { options.http = RecordSession.freeIfTaken(address) }
        if grpc == nil, let address = options.grpc { options.grpc = RecordSession.freeIfTaken(address) }
        let commandLine = command.joined(separator: " ")
        let run = try ReceiveRun.start(options, sourceName: "record: \(commandLine)", showStatus: false)
        let (environment, notices) = RecordSession.environment(
            for: run.endpoints, inherited: ProcessInfo.processInfo.environment)
        if !output.quiet {
            Terminal.err("tracedoctor record: receiving \(ReceiveRun.describe(run.endpoints)) into \(database)")
        }
        for notice in notices { Terminal.err("tracedoctor record: note: \(notice)") }

        let termination: RecordSession.Termination
        let captured: [UInt8]
        do {
            (termination, captured) = try RecordSession.run(command, environment: environment) { Interruption.isRequested }
        } catch {
            _ = run.stop()
            Terminal.err("tracedoctor: error: cannot run \(command[0]): \(error)")
            throw ExitCode(2)
        }
        if termination == .exited(127) && captured.isEmpty {
            // env(1) says 127 when CMD is not found, on stderr (passed through already).
            Terminal.err("tracedoctor record: \(command[0]) was not found or could not run (status 127)")
        }
        waitForLastExports(run)
        let status = run.stop()
        if !output.quiet {
            Terminal.err(
                "tracedoctor record: \(command[0]) \(termination.description); received \(status.spans) spans and "
                    + "\(status.logs) logs in \(status.requests) requests")
        }
        if Interruption.isRequested { throw ExitCode(130) }
        do {
            let report = try Ingestor.ingestCommandOutput(captured, name: "output of: \(commandLine)", databasePath: database)
            if let error = report.error { Terminal.err("tracedoctor record: warning: output not stored: \(error)") }
        } catch {
            throw Terminal.fail(error)
        }

        var arguments = ["--db", database, "--format", output.format.rawValue]
        if let policy { arguments += ["--policy", policy] }
        if let baseline { arguments += ["--baseline", baseline] }
        if let writeBaseline { arguments += ["--write-baseline", writeBaseline] }
        if let junit { arguments += ["--junit", junit] }
        if output.quiet { arguments.append("--quiet") }
        if output.noColor { arguments.append("--no-color") }
        var checkCode: Int32 = 0
        do {
            let check = try CheckCommand.parse(arguments)
            try check.run()
        } catch let exit as ExitCode {
            checkCode = exit.rawValue
        }
        if checkCode == 2 || checkCode == 130 { throw ExitCode(checkCode) }
        if !termination.succeeded {
            if !output.quiet { Terminal.err("tracedoctor record: exit 3: \(command[0]) \(termination.description)") }
            throw ExitCode(3)
        }
        if checkCode != 0 { throw ExitCode(checkCode) }
    }

    /// The grace period after CMD exits, extended while requests keep arriving (at most 30 s).
    private func waitForLastExports(_ run: ReceiveRun) {
        let start = ContinuousClock.now
        var requests = run.receiver.status().requests
        var quietSince = ContinuousClock.now
        while !Interruption.isRequested {
            let now = ContinuousClock.now
            if start.duration(to: now) >= .seconds(30) { break }
            let current = run.receiver.status().requests
            if current != requests {
                requests = current
                quietSince = now
            }
            if start.duration(to: now) >= .seconds(grace) && quietSince.duration(to: now) >= .milliseconds(300) { break }
            usleep(50_000)
        }
    }

    /// tracedoctor-record-YYYYMMDD-HHMMSS.db in the working directory (a suffix if it exists).
    static func freshDatabasePath() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let stamp = formatter.string(from: Date())
        var path = "tracedoctor-record-\(stamp).db"
        var n = 2
        while FileManager.default.fileExists(atPath: path) {
            path = "tracedoctor-record-\(stamp)-\(n).db"
            n += 1
        }
        return path
    }
}
