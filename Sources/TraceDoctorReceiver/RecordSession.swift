// The parts of `tracedoctor record -- CMD` around the receiver: free ports, the OTEL_*
// environment that points CMD's SDK at the receiver, and running CMD with its output passed
// through and kept.

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

public enum RecordSession {
    /// `address` if it can be bound now, else the same host on a free port (0).
    public static func freeIfTaken(_ address: ListenAddress) -> ListenAddress {
        canBind(address) ? address : ListenAddress(host: address.host, port: 0)
    }

    static func canBind(_ address: ListenAddress) -> Bool {
        guard address.port != 0, !address.host.contains(":") else { return true }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(address.port).bigEndian)
        let host = address.host == "localhost" ? "127.0.0.1" : address.host
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return true }
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }

    /// The variables `record` sets for CMD, with the user's own values kept (each kept one is
    /// named in `notices`). With OTEL_EXPORTER_OTLP_PROTOCOL=grpc already set, the endpoint is
    /// the gRPC listener.
    public static func environment(
        for endpoints: ReceiverEndpoints, inherited: [String: String]
    ) -> (environment: [String: String], notices: [String]) {
        var environment = inherited
        var notices: [String] = []
        let userProtocol = inherited["OTEL_EXPORTER_OTLP_PROTOCOL"].flatMap { $0.isEmpty ? nil : $0 }
        let wantsGRPC = userProtocol == "grpc"
        let endpoint: String?
        if wantsGRPC, let grpc = endpoints.grpc {
            endpoint = "http://\(grpc)"
        } else if let http = endpoints.http {
            endpoint = "http://\(http)"
        } else if let grpc = endpoints.grpc {
            endpoint = "http://\(grpc)"
        } else {
            endpoint = nil
        }
        let protocolValue = endpoints.http == nil || wantsGRPC ? "grpc" : "http/protobuf"
        var wanted: [(String, String)] = [
            ("OTEL_EXPORTER_OTLP_PROTOCOL", protocolValue),
            ("OTEL_TRACES_EXPORTER", "otlp"),
            ("OTEL_LOGS_EXPORTER", "otlp"),
            ("OTEL_METRICS_EXPORTER", "none"),
        ]
        if let endpoint { wanted.insert(("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint), at: 0) }
        for (name, value) in wanted {
            if let own = inherited[name], !own.isEmpty {
                if own != value { notices.append("keeping your \(name)=\(own) (record would set \(value))") }
            } else {
                environment[name] = value
            }
        }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "OTEL_SDK_DISABLED"] {
            if let own = inherited[name], !own.isEmpty {
                notices.append("keeping your \(name)=\(own): spans or logs may not reach the receiver")
            }
        }
        return (environment, notices)
    }

    /// How CMD ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        public var succeeded: Bool { self == .exited(0) }

        public var description: String {
            switch self {
            case let .exited(code): "exited with status \(code)"
            case let .signalled(signal): "was killed by signal \(signal)"
            }
        }
    }

    /// Runs `arguments` (found on PATH) with `environment`, copying its stdout and stderr to
    /// ours as they arrive and keeping both, whole lines interleaved in arrival order. While it runs,
    /// `shouldForwardTerminate` is polled: when true, CMD gets SIGTERM (once).
    public static func run(
        _ arguments: [String], environment: [String: String], shouldForwardTerminate: @escaping @Sendable () -> Bool
    ) throws -> (Termination, [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let captured = OutputCapture()
        try process.run()
        let readers = [(out.fileHandleForReading.fileDescriptor, Int32(1)), (err.fileHandleForReading.fileDescriptor, Int32(2))]
            .map { source, target in
                let thread = PumpThread(source: source, target: target, captured: captured)
                thread.start()
                return thread
            }
        var forwarded = false
        while process.isRunning {
            if !forwarded && shouldForwardTerminate() {
                forwarded = true
                kill(process.processIdentifier, SIGTERM)
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        for reader in readers { reader.join() }
        let termination: Termination =
            process.terminationReason == .uncaughtSignal
            ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
        return (termination, captured.bytes.withLock { $0 })
    }
}

/// Copies one pipe to one of our descriptors and into the capture.
private final class PumpThread: @unchecked Sendable {
    let source: Int32
    let target: Int32
    let captured: OutputCapture
    private let done = DispatchSemaphore(value: 0)

    init(source: Int32, target: Int32, captured: OutputCapture) {
        self.source = source
        self.target = target
        self.captured = captured
    }

    func start() {
        Thread.detachNewThread { [self] in
            let size = 64 * 1024
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
            defer { buffer.deallocate() }
            // The capture takes whole lines only: a line this pipe has begun is held back until its
            // newline, so that the other pipe's lines never land in the middle of it.
            var partial: [UInt8] = []
            while true {
                let n = read(source, buffer, size)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                var offset = 0
                while offset < n {
                    let w = write(target, buffer + offset, n - offset)
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { break }  // our stdout closed: keep capturing
                    offset += w
                }
                partial.append(contentsOf: UnsafeBufferPointer(start: buffer, count: n))
                if let newline = partial.lastIndex(of: 0x0A) {
                    captured.bytes.withLock { $0.append(contentsOf: partial[...newline]) }
                    partial.removeSubrange(...newline)
                }
            }
            if !partial.isEmpty {
                captured.bytes.withLock { $0.append(contentsOf: partial + [0x0A]) }
            }
            done.signal()
        }
    }

    func join() { done.wait() }
}

/// CMD's output so far, from both pipes.
private final class OutputCapture: Sendable {
    let bytes = Mutex<[UInt8]>([])
}
