// `tracedoctor receive`: the OTLP/HTTP and OTLP/gRPC listeners, the commit queue behind them,
// and the orderly stop (stop accepting, answer what was accepted, commit, close).

import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TraceDoctorCore

/// A listener that could not start (the port is taken, the address is not this machine's…).
public struct ReceiverError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Where the receiver listens once started (the ports bound, when 0 was asked for).
public struct ReceiverEndpoints: Sendable, Equatable {
    public var http: ListenAddress?
    public var grpc: ListenAddress?
}

/// What the receiver did so far.
public struct ReceiverStatus: Sendable, Equatable, Codable {
    public var seconds: Double = 0
    /// Export requests answered (all endpoints, all outcomes).
    public var requests = 0
    /// Requests stored whole.
    public var accepted = 0
    /// Requests stored with some records rejected (partial success).
    public var partial = 0
    /// Requests refused (400, 404, 405, 413, 415).
    public var refused = 0
    /// Requests answered "retry later" (503 / UNAVAILABLE).
    public var retryLater = 0
    /// /v1/metrics requests (answered, not stored).
    public var metrics = 0
    public var spans = 0
    public var logs = 0
    /// Records rejected inside stored requests.
    public var rejectedRecords = 0
    /// Records already in the database (an exporter's retry), not stored twice.
    public var duplicates = 0
    /// Distinct trace IDs stored (counted at the end, by `stop()`).
    public var traces = 0
    public var transactions = 0

    public init() {}
}

public final class Receiver: Sendable {
    public let options: ReceiverOptions
    private let store: TraceStore
    private let queue: CommitQueue
    private let handler: ExportHandler
    private let started = ContinuousClock.now
    private let running = Mutex<Running?>(nil)
    private let readStore = Mutex<TraceStore?>(nil)

    private struct Running: Sendable {
        var httpGroup: ServiceGroup?
        var httpTask: Task<Void, any Error>?
        var grpcServer: GRPCServer<HTTP2ServerTransport.Posix>?
        var grpcTask: Task<Void, any Error>?
    }

    /// Opens (creating) the database. `sourceName` names the sources the capture appends to.
    public init(options: ReceiverOptions, sourceName: String? = nil) throws(TraceDoctorError) {
        self.options = options
        store = try TraceStore(path: options.databasePath)
        if options.durableCommits { try store.makeCommitsDurable() }
        let name = sourceName ?? "otlp receive \(ISO8601DateFormatter().string(from: Date()))"
        queue = CommitQueue(
            store: store, sourceName: name, maxPendingRecords: options.maxPendingRecords,
            maxRecordsPerTransaction: options.maxRecordsPerTransaction, intervalRules: options.intervalRules)
        handler = ExportHandler(queue: queue)
    }

    /// Starts the commit thread and the listeners; returns once both listen.
    public func start() async throws -> ReceiverEndpoints {
        queue.start()
        var endpoints = ReceiverEndpoints()
        var state = Running()
        do {
            if let http = options.http {
                let (group, task, port) = try await startHTTP(http)
                state.httpGroup = group
                state.httpTask = task
                endpoints.http = ListenAddress(host: http.host, port: port)
            }
            if let grpc = options.grpc {
                let (server, task, port) = try await startGRPC(grpc)
                state.grpcServer = server
                state.grpcTask = task
                endpoints.grpc = ListenAddress(host: grpc.host, port: port)
            }
        } catch {
            let partial = state
            running.withLock { $0 = partial }
            _ = await stop()
            throw error
        }
        let ready = state
        running.withLock { $0 = ready }
        return endpoints
    }

    private static var quietLogger: Logger {
        Logger(label: "tracedoctor.receive", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    private func startHTTP(_ address: ListenAddress) async throws -> (ServiceGroup, Task<Void, any Error>, Int) {
        let bound = OneShot<Int>()
        let app = Application(
            responder: OTLPHTTPResponder(handler: handler, maxBodyBytes: options.maxHTTPBodyBytes),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in bound.resolve(.success(channel.localAddress?.port ?? address.port)) },
            logger: Self.quietLogger)
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: Self.quietLogger)
        let task = Task {
            do {
                try await group.run()
                bound.resolve(.failure(ReceiverError(description: "the OTLP/HTTP listener on \(address) stopped")))
            } catch {
                bound.resolve(.failure(ReceiverError(description: "cannot listen for OTLP/HTTP on \(address): \(Self.reason(error))")))
                throw error
            }
        }
        let port = try await bound.value()
        return (group, task, port)
    }

    private func startGRPC(_ address: ListenAddress) async throws
        -> (GRPCServer<HTTP2ServerTransport.Posix>, Task<Void, any Error>, Int)
    {
        let host = address.host == "localhost" ? "127.0.0.1" : address.host
        let socket: GRPCNIOTransportCore.SocketAddress =
            host.contains(":") ? .ipv6(host: host, port: address.port) : .ipv4(host: host, port: address.port)
        let maxBytes = options.maxGRPCMessageBytes
        let transport = HTTP2ServerTransport.Posix(
            address: socket, transportSecurity: .plaintext,
            config: .defaults { config in
                config.compression.enabledAlgorithms = .all
                // grpc-swift resets the stream of a message over its limit (the exporter sees
                // UNAVAILABLE and retries it for ever): its limit is set higher, and the service
                // answers RESOURCE_EXHAUSTED itself up to there.
                config.rpc.maxRequestPayloadSize = max(maxBytes, OTLPGRPCService.transportLimit)
            })
        let server = GRPCServer(
            transport: transport, services: [OTLPGRPCService(handler: handler, maxMessageBytes: maxBytes)])
        let task = Task { try await server.serve() }
        do {
            let listening = try await transport.listeningAddress
            let port = listening.ipv4?.port ?? listening.ipv6?.port ?? address.port
            return (server, task, port)
        } catch {
            server.beginGracefulShutdown()
            let served = await task.result
            var why = Self.reason(error)
            if case let .failure(serveError) = served { why = Self.reason(serveError) }
            throw ReceiverError(description: "cannot listen for OTLP/gRPC on \(address): \(why)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("errno: 98") {
            return "the port is taken (another receiver or collector?); pick another with HOST:PORT, or off"
        }
        if text.contains("Cannot assign requested address") || text.contains("errno: 99") {
            return "this machine has no such address"
        }
        return text
    }

    /// What was received and stored so far.
    public func status() -> ReceiverStatus {
        let counters = handler.counters.withLock { $0 }
        let totals = queue.snapshot
        var status = ReceiverStatus()
        status.seconds = started.duration(to: .now).asSeconds
        status.requests = counters.requests
        status.accepted = counters.accepted
        status.partial = counters.partial
        status.refused = counters.refused
        status.retryLater = counters.retryLater
        status.metrics = counters.metrics
        status.spans = totals.spans
        status.logs = totals.logs
        status.rejectedRecords = totals.rejected
        status.duplicates = totals.duplicates
        status.transactions = totals.transactions
        return status
    }

    /// Traces stored so far, and spans whose parent is not in the database yet (read on a
    /// connection of its own: WAL lets it run beside the writer). nil when it cannot be read.
    public func sampleDatabase() -> (traces: Int, orphans: Int)? {
        let sources = queue.liveSources
        return readStore.withLock { reader -> (traces: Int, orphans: Int)? in
            if reader == nil { reader = try? TraceStore(path: options.databasePath, readOnly: true) }
            guard let reader, let traces = try? reader.traceCount(sources: sources),
                let orphans = try? reader.orphanCount(sources: sources)
            else { return nil }
            return (traces, orphans)
        }
    }

    /// Stops accepting connections, lets requests in progress finish (at most `grace`), commits
    /// everything accepted and closes the database. Returns the final status.
    public func stop(grace: Duration = .seconds(10)) async -> ReceiverStatus {
        let state = running.withLock {
            let state = $0
            $0 = nil
            return state
        }
        if let state {
            if let group = state.httpGroup { await group.triggerGracefulShutdown() }
            state.grpcServer?.beginGracefulShutdown()
            let tasks = [state.httpTask, state.grpcTask].compactMap { $0 }
            let watchdog = Task {
                try await Task.sleep(for: grace)
                for task in tasks { task.cancel() }
            }
            for task in tasks { _ = await task.result }
            watchdog.cancel()
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let queue = self.queue
            Thread.detachNewThread {
                queue.drain()
                done.resume()
            }
        }
        readStore.withLock { reader in
            reader?.close()
            reader = nil
        }
        var status = status()
        status.traces = (try? store.traceCount(sources: queue.liveSources)) ?? 0
        store.close()
        return status
    }
}

/// A value set once, awaited by one caller.
final class OneShot<Value: Sendable>: Sendable {
    private let state = Mutex<(Result<Value, any Error>?, CheckedContinuation<Value, any Error>?)>((nil, nil))

    func resolve(_ result: Result<Value, any Error>) {
        let waiter: CheckedContinuation<Value, any Error>? = state.withLock {
            if $0.0 != nil { return nil }
            $0.0 = result
            let waiter = $0.1
            $0.1 = nil
            return waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Value, any Error>? = state.withLock {
                if let result = $0.0 { return result }
                $0.1 = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

extension Duration {
    var asSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
