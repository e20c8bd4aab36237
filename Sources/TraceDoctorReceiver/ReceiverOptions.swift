// What `tracedoctor receive` listens on and how much it accepts.

import TraceDoctorCore

/// A host and port to listen on (`--http ADDR`, `--grpc ADDR`).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    /// 0: any free port (the one bound is reported once listening).
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public static let defaultHTTP = ListenAddress(host: "127.0.0.1", port: 4318)
    public static let defaultGRPC = ListenAddress(host: "127.0.0.1", port: 4317)

    /// `HOST:PORT`, `[IPv6]:PORT` or a bare `PORT` (on 127.0.0.1). nil for `off`. Throws a
    /// message for anything else.
    public static func parse(_ text: String) throws(TraceDoctorError) -> ListenAddress? {
        if text == "off" { return nil }
        func port(_ p: Substring) throws(TraceDoctorError) -> Int {
            guard let n = Int(p), (0...65535).contains(n) else {
                throw .usage("'\(text)' is not HOST:PORT (the port must be 0–65535; 0 picks a free one), nor off")
            }
            return n
        }
        if let n = Int(text) { return ListenAddress(host: "127.0.0.1", port: try port(Substring(String(n)))) }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), !host.isEmpty else {
                throw .usage("'\(text)' is not [IPv6]:PORT")
            }
            return ListenAddress(host: String(host), port: try port(rest.dropFirst()))
        }
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else {
            throw .usage("'\(text)' is not HOST:PORT (for example 127.0.0.1:4318), a port, nor off")
        }
        return ListenAddress(host: String(text[..<colon]), port: try port(text[text.index(after: colon)...]))
    }

    /// Whether only this machine can reach it.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// How `receive` runs.
public struct ReceiverOptions: Sendable {
    public var databasePath: String
    /// nil: no OTLP/HTTP listener.
    public var http: ListenAddress?
    /// nil: no OTLP/gRPC listener.
    public var grpc: ListenAddress?
    /// The largest OTLP/HTTP body, compressed or not (the Collector's default, 20 MiB).
    public var maxHTTPBodyBytes: Int
    /// The largest OTLP/gRPC message (grpc's and the Collector's default, 4 MiB).
    public var maxGRPCMessageBytes: Int
    /// Records decoded but not yet committed above which requests are refused with 503 /
    /// UNAVAILABLE and a retry delay: the store is behind.
    public var maxPendingRecords: Int
    /// Records written in one transaction at most (requests are never split).
    public var maxRecordsPerTransaction: Int
    /// fsync every commit (survive power loss, not only a killed process).
    public var durableCommits: Bool
    /// The rules the log intervals of the lines received are built with.
    public var intervalRules: LogIntervalRules = .defaults

    public init(
        databasePath: String, http: ListenAddress? = .defaultHTTP, grpc: ListenAddress? = .defaultGRPC,
        maxHTTPBodyBytes: Int = OTLPRequestDecoder.defaultMaxBodyBytes, maxGRPCMessageBytes: Int = 4 << 20,
        maxPendingRecords: Int = 200_000, maxRecordsPerTransaction: Int = 50_000, durableCommits: Bool = true
    ) {
        self.databasePath = databasePath
        self.http = http
        self.grpc = grpc
        self.maxHTTPBodyBytes = maxHTTPBodyBytes
        self.maxGRPCMessageBytes = maxGRPCMessageBytes
        self.maxPendingRecords = maxPendingRecords
        self.maxRecordsPerTransaction = maxRecordsPerTransaction
        self.durableCommits = durableCommits
    }
}
