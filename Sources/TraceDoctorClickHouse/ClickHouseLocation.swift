// Where the spans are: `clickhouse://[user@]host[:port]/database` (HTTP, default port 8123) or
// `clickhouses://…` (HTTPS, default port 8443), the exporter's table names, and the time window.

import Foundation
import TraceDoctorCore

/// A ClickHouse server's HTTP interface and the database holding the exporter's tables.
public struct ClickHouseLocation: Sendable, Equatable {
    public var secure: Bool
    public var user: String
    public var host: String
    public var port: Int
    public var database: String

    /// Whether `source` names a ClickHouse server rather than a file.
    public static func isClickHouse(_ source: String) -> Bool {
        let lower = source.lowercased()
        return lower.hasPrefix("clickhouse://") || lower.hasPrefix("clickhouses://")
    }

    /// Parses `clickhouse://[user@]host[:port]/database`. A password in the URL is refused: it would
    /// show in shell history, process lists and logs.
    public init(parsing text: String) throws(TraceDoctorError) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("clickhouses://") {
            secure = true
            rest = text.dropFirst("clickhouses://".count)
        } else if lower.hasPrefix("clickhouse://") {
            secure = false
            rest = text.dropFirst("clickhouse://".count)
        } else {
            throw .usage("--source '\(text)' is not a ClickHouse URL: clickhouse://[user@]host[:port]/database")
        }
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<query] }
        var hostPort = authority
        user = "default"
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if userInfo.contains(":") {
                throw .usage(
                    "--source: put the ClickHouse password in $CLICKHOUSE_PASSWORD (or type it when asked), not in the URL")
            }
            if !userInfo.isEmpty { user = String(userInfo).removingPercentEncoding ?? String(userInfo) }
            hostPort = authority[authority.index(after: at)...]
        }
        let defaultPort = secure ? 8443 : 8123
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw .usage("--source '\(Self.display(secure: secure, rest: rest))': unclosed [ in the host")
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else if after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) {
                port = p
            } else {
                throw .usage("--source: '\(after)' is not a port")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            let portText = hostPort[hostPort.index(after: colon)...]
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw .usage("--source: '\(portText)' is not a port (1-65535)")
            }
            port = p
        } else {
            host = String(hostPort)
            port = defaultPort
        }
        guard !host.isEmpty else { throw .usage("--source '\(text)' names no host: clickhouse://[user@]host[:port]/database") }
        let name = String(path).removingPercentEncoding ?? String(path)
        database = name.isEmpty ? "default" : name
    }

    private static func display(secure: Bool, rest: Substring) -> String {
        (secure ? "clickhouses://" : "clickhouse://") + rest
    }

    /// `clickhouse://user@host:port/database`: what messages show (never a password).
    public var display: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return (secure ? "clickhouses://" : "clickhouse://") + "\(user)@\(hostText):\(port)/\(database)"
    }

    /// The HTTP endpoint queries are posted to.
    var endpoint: URL {
        var components = URLComponents()
        components.scheme = secure ? "https" : "http"
        components.host = host.contains(":") ? "[\(host)]" : host
        components.port = port
        components.path = "/"
        return components.url!
    }
}

/// The tables the Collector's clickhouseexporter writes (names overridable).
public struct ClickHouseTables: Sendable, Equatable {
    public var traces: String
    public var logs: String
    /// `<traces>_trace_id_ts`: each trace's first and last span time, for lookups by trace ID.
    public var traceIDTimes: String

    public init(traces: String = "otel_traces", logs: String = "otel_logs", traceIDTimes: String? = nil) {
        self.traces = traces
        self.logs = logs
        self.traceIDTimes = traceIDTimes ?? traces + "_trace_id_ts"
    }
}

/// The time window read: traces with a span starting in `[since, until)` are diagnosed; their
/// spans are read from `[since − margin, until + margin)` so that a parent or child exported a
/// little outside the window is not reported missing.
public struct ClickHouseWindow: Sendable, Equatable {
    public var sinceNs: Int64
    public var untilNs: Int64
    public var marginNs: Int64
    /// Only traces with a span of this service.
    public var service: String?

    public init(sinceNs: Int64, untilNs: Int64, marginNs: Int64 = 300_000_000_000, service: String? = nil) {
        self.sinceNs = sinceNs
        self.untilNs = untilNs
        self.marginNs = marginNs
        self.service = service
    }

    var readSinceNs: Int64 { sinceNs &- marginNs }
    var readUntilNs: Int64 { untilNs &+ marginNs }
}
