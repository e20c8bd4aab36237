// `tracedoctor receive`: an OTLP endpoint that stores what SDKs export, until Ctrl-C.

import ArgumentParser
import Foundation
import TraceDoctorCore
import TraceDoctorReceiver

struct ReceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Be an OTLP endpoint: store the spans and logs SDKs export, until Ctrl-C.",
        discussion: """
            Serves OTLP/HTTP (POST /v1/traces and /v1/logs; application/x-protobuf or application/json; \
            Content-Encoding: gzip) on 127.0.0.1:4318 and OTLP/gRPC (TraceService and LogsService Export; \
            gzip) on 127.0.0.1:4317, and stores every request through the same readers and writer as \
            `ingest`. A request is answered with success only once its records are committed (and \
            fsynced); concurrent requests share a transaction. The database is in WAL mode: `traces`, \
            `explain`, `orphans` and the rest read it while `receive` writes.

            Answers, as the OTLP specification asks: 200 with the Export*ServiceResponse (partial_success \
            names the records rejected, e.g. an invalid trace ID); 400 with a google.rpc.Status for a body \
            that does not decode; 413 over 20 MiB (the OpenTelemetry Collector's default; 4 MiB per gRPC \
            message), compressed or not; 415 for another Content-Type or Content-Encoding; 404/405 for \
            other paths and methods; 503 with Retry-After (gRPC UNAVAILABLE with RetryInfo) when the store \
            is behind, so exporters retry instead of dropping. /v1/metrics is answered 200 with a \
            partial_success message saying that metrics are not stored (an SDK does not retry it).

            Ctrl-C or SIGTERM: stops accepting, answers and commits what was accepted, prints a summary \
            (stdout; --format json) and exits 0. On a terminal, stderr shows one status line (requests, \
            spans and logs per second, traces, orphans so far); --quiet for none.

            Examples:
              tracedoctor receive                  # ./tracedoctor.db, 4318 and 4317
              tracedoctor receive --db traces.db --grpc off
              tracedoctor receive --http 0.0.0.0:4318   # other machines may send
              # in another shell:
              OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 python app.py
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(
        name: .long,
        help: ArgumentHelp("OTLP/HTTP address: HOST:PORT, a port (on 127.0.0.1), or off.", valueName: "addr"))
    var http = "127.0.0.1:4318"

    @Option(
        name: .long,
        help: ArgumentHelp("OTLP/gRPC address: HOST:PORT, a port (on 127.0.0.1), or off.", valueName: "addr"))
    var grpc = "127.0.0.1:4317"

    @OptionGroup var intervals: IntervalRulesOption

    func run() throws {
        var options = try ReceiveRun.options(database: store.path, http: http, grpc: grpc)
        options.intervalRules = try intervals.rules()
        let run = try ReceiveRun.start(options, sourceName: nil, showStatus: !output.quiet)
        if !output.quiet {
            Terminal.err("tracedoctor: receiving \(ReceiveRun.describe(run.endpoints)) into \(store.path); Ctrl-C to stop")
        }
        while !Interruption.isRequested {
            run.tick()
            usleep(100_000)
        }
        let status = run.stop()
        switch output.format {
        case .json: Terminal.out(ReceiveRun.json(status, database: store.path, endpoints: run.endpoints))
        case .text: if !output.quiet { Terminal.out(ReceiveRun.summary(status, database: store.path)) }
        }
    }
}

/// A running receiver driven from the (synchronous) command line: start, status line, stop.
final class ReceiveRun {
    let receiver: Receiver
    let endpoints: ReceiverEndpoints
    private let showStatus: Bool
    private var lastDraw = ContinuousClock.now
    private var last = ReceiverStatus()
    private var sample: (traces: Int, orphans: Int)?
    private var lastOrphanCount = ContinuousClock.now - .seconds(10)
    private var drawn = false

    private init(receiver: Receiver, endpoints: ReceiverEndpoints, showStatus: Bool) {
        self.receiver = receiver
        self.endpoints = endpoints
        self.showStatus = showStatus && Terminal.stderrIsTerminal
    }

    static func options(database: String, http: String, grpc: String) throws -> ReceiverOptions {
        let httpAddress: ListenAddress?
        let grpcAddress: ListenAddress?
        do {
            httpAddress = try ListenAddress.parse(http)
            grpcAddress = try ListenAddress.parse(grpc)
        } catch {
            throw ValidationError("\(error)")
        }
        if httpAddress == nil && grpcAddress == nil {
            throw ValidationError("--http off and --grpc off leave nothing to listen on")
        }
        for address in [httpAddress, grpcAddress].compactMap({ $0 }) where !address.isLoopback {
            Terminal.err("tracedoctor: note: listening on \(address): other machines can send to it")
        }
        return ReceiverOptions(databasePath: database, http: httpAddress, grpc: grpcAddress)
    }

    static func start(_ options: ReceiverOptions, sourceName: String?, showStatus: Bool) throws -> ReceiveRun {
        let receiver: Receiver
        do {
            receiver = try Receiver(options: options, sourceName: sourceName)
        } catch {
            throw Terminal.fail(error)
        }
        do {
            let endpoints = try blocking { try await receiver.start() }
            return ReceiveRun(receiver: receiver, endpoints: endpoints, showStatus: showStatus)
        } catch {
            Terminal.err("tracedoctor: error: \(error)")
            throw ExitCode(2)
        }
    }

    static func describe(_ endpoints: ReceiverEndpoints) -> String {
        var parts: [String] = []
        if let http = endpoints.http { parts.append("OTLP/HTTP on http://\(http)") }
        if let grpc = endpoints.grpc { parts.append("OTLP/gRPC on \(grpc)") }
        return parts.joined(separator: " and ")
    }

    /// Redraws the status line once a second (stderr, a terminal only).
    func tick() {
        guard showStatus, lastDraw.duration(to: .now) >= .seconds(1) else { return }
        let now = receiver.status()
        let elapsed = max(0.001, lastDraw.duration(to: .now).asSeconds)
        lastDraw = .now
        if lastOrphanCount.duration(to: .now) >= .seconds(5) {
            sample = receiver.sampleDatabase()
            lastOrphanCount = .now
        }
        let spansPerSecond = Double(now.spans - last.spans) / elapsed
        let logsPerSecond = Double(now.logs - last.logs) / elapsed
        last = now
        var line = "receiving: \(now.requests) requests · \(Int(spansPerSecond.rounded())) spans/s · "
            + "\(Int(logsPerSecond.rounded())) logs/s · \(now.spans) spans · \(now.logs) logs"
        if let sample { line += " · \(sample.traces) traces · \(sample.orphans) orphans so far" }
        Terminal.status(line)
        drawn = true
    }

    /// Stops the receiver (commits what it accepted) and clears the status line.
    func stop() -> ReceiverStatus {
        if drawn { Terminal.status(nil) }
        let receiver = self.receiver
        return (try? blocking { await receiver.stop() }) ?? receiver.status()
    }

    static func summary(_ status: ReceiverStatus, database: String) -> String {
        """
        tracedoctor receive: stopped after \(String(format: "%.1f", status.seconds)) s
          requests  \(status.requests) (\(status.accepted) stored, \(status.partial) partly, \(status.refused) refused, \
        \(status.retryLater) told to retry, \(status.metrics) metrics not stored)
          stored    \(status.spans) spans in \(status.traces) traces, \(status.logs) logs (\(status.transactions) transactions)
          rejected  \(status.rejectedRecords) records; \(status.duplicates) already stored
          database  \(database)

        """
    }

    static func json(_ status: ReceiverStatus, database: String, endpoints: ReceiverEndpoints) -> String {
        struct Report: Encodable {
            var database: String
            var http: String?
            var grpc: String?
            var status: ReceiverStatus
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let report = Report(
            database: database, http: endpoints.http?.description, grpc: endpoints.grpc?.description, status: status)
        let data = (try? encoder.encode(report)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Runs async work to completion from synchronous code (the command line's main thread).
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// The result of work done on another thread, read after it signalled.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

extension Duration {
    fileprivate var asSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

extension Terminal {
    /// One status line on stderr, redrawn in place; nil clears it.
    static func status(_ line: String?) {
        flush()
        var text = "\r\u{1B}[K"
        if let line { text += String(line.prefix(max(20, width - 1))) }
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress!, bytes.count) }
    }
}
