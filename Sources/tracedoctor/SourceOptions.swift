// `--source clickhouse://…` and its window: the diagnosis commands read spans where the
// OpenTelemetry Collector's clickhouseexporter wrote them instead of from the SQLite database.

import ArgumentParser
import Foundation
import TraceDoctorClickHouse
import TraceDoctorCore

#if canImport(Glibc)
import Glibc
#endif

struct SourceOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Read spans from ClickHouse instead of the database: clickhouse://[user@]host[:port]/database "
                + "(HTTP, port 8123; clickhouses:// for TLS, 8443). Password: $CLICKHOUSE_PASSWORD, else a prompt.",
            valueName: "url"))
    var source: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --source: traces with a span from this time (1h = an hour ago, 2d, 2026-12-03T10:00:00Z).",
            valueName: "time"))
    var since: String?

    @Option(
        name: .long,
        help: ArgumentHelp("With --source: … to this time, exclusive (now, 30m, 2026-12-03 11:00).", valueName: "time"))
    var until: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --source: spans this far outside --since/--until still count for the traces read (late spans).",
            valueName: "duration"))
    var lateMargin = "5m"

    @Option(name: .long, help: ArgumentHelp("With --source: the spans table.", valueName: "table"))
    var tracesTable = "otel_traces"

    @Option(name: .long, help: ArgumentHelp("With --source: the log table (missing = no logs).", valueName: "table"))
    var logsTable = "otel_logs"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --source clickhouses://: also trust the CA certificates in this PEM file (a private CA, or a "
                + "self-signed server certificate).", valueName: "path"))
    var caCert: String?

    @Flag(name: .long, help: "With --source: print each query's bytes received and time on stderr.")
    var verbose = false

    var isClickHouse: Bool { source != nil }

    /// The source as messages name it (no password), or nil for the database.
    var display: String? { source.flatMap { try? ClickHouseLocation(parsing: $0).display } }

    func validate() throws {
        guard let source else {
            for (name, given) in [("--since", since != nil), ("--until", until != nil), ("--verbose", verbose), ("--ca-cert", caCert != nil)]
            where given {
                throw ValidationError("\(name) needs --source clickhouse://host/database")
            }
            return
        }
        guard ClickHouseLocation.isClickHouse(source) else {
            throw ValidationError("--source '\(source)' is not a ClickHouse URL: clickhouse://[user@]host[:port]/database")
        }
        do {
            _ = try ClickHouseLocation(parsing: source)
        } catch {
            throw ValidationError(error.description)
        }
        _ = try window(service: nil)
    }

    /// The window; `--since` and `--until` are required with a ClickHouse source.
    func window(service: String?) throws -> ClickHouseWindow {
        try Self.window(since: since, until: until, lateMargin: lateMargin, service: service)
    }

    static func window(since: String?, until: String?, lateMargin: String, service: String?) throws -> ClickHouseWindow {
        guard let since, let until else {
            throw ValidationError(
                "--source clickhouse://… needs --since and --until (for example --since 1h --until now): "
                    + "a trace store holds too much to read all of it")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        guard let from = TimeArgument.parse(since, nowNs: now) else {
            throw ValidationError("--since '\(since)' is not a time (try 1h, 2d, 2026-12-03T10:00:00Z)")
        }
        guard let to = TimeArgument.parse(until, nowNs: now) else {
            throw ValidationError("--until '\(until)' is not a time (try now, 30m, 2026-12-03T11:00:00Z)")
        }
        guard from < to else { throw ValidationError("--since must be before --until") }
        guard let margin = Units.parseDuration(lateMargin) else {
            throw ValidationError("--late-margin '\(lateMargin)' is not a duration (try 5m, 30s)")
        }
        return ClickHouseWindow(sinceNs: from, untilNs: to, marginNs: margin, service: service)
    }

    /// The span source for `--source`, with the password from $CLICKHOUSE_PASSWORD or a prompt.
    func spanSource(service: String?) throws -> ClickHouseSpanSource {
        guard let source else { throw ValidationError("no --source") }
        return try Self.spanSource(
            url: source, window: try window(service: service),
            tables: ClickHouseTables(traces: tracesTable, logs: logsTable), verbose: verbose, caFile: caCert)
    }

    static func spanSource(url: String, window: ClickHouseWindow, tables: ClickHouseTables, verbose: Bool, caFile: String?) throws
        -> ClickHouseSpanSource
    {
        let location: ClickHouseLocation
        do {
            location = try ClickHouseLocation(parsing: url)
        } catch {
            throw Terminal.fail(error)
        }
        let password = ProcessInfo.processInfo.environment["CLICKHOUSE_PASSWORD"]
        let prompt: @Sendable (String) -> String? = { text in
            guard let pointer = getpass(text) else { return nil }
            return String(cString: pointer)
        }
        let client: ClickHouseClient
        do {
            client = try ClickHouseClient(
                location: location, password: password, askPassword: Terminal.stdinIsTerminal ? prompt : nil, caFile: caFile)
        } catch {
            throw Terminal.fail(error)
        }
        if verbose { client.trace = { Terminal.err("tracedoctor: clickhouse: " + $0) } }
        return ClickHouseSpanSource(client: client, tables: tables, window: window)
    }

    /// `--source URL --since T --until T` with the window's absolute times (valid later too).
    func explainArguments(service: String?) throws -> String {
        let w = try window(service: service)
        return "--source \(display ?? "") --since \(TimeArgument.format(w.sinceNs)) --until \(TimeArgument.format(w.untilNs))"
    }

    /// What --verbose prints at the end: queries and bytes received.
    func summary(_ source: ClickHouseSpanSource) {
        guard verbose else { return }
        Terminal.err(
            "tracedoctor: clickhouse: " + source.client.summary)
    }
}

extension Terminal {
    static var stdinIsTerminal: Bool { isatty(0) == 1 }
}

/// `--service` for the commands that have no listing filter of that name: with --source, only
/// traces with a span of the service are read.
struct ServiceOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("With --source: only traces with a span of this service.", valueName: "service"))
    var service: String?
}

/// The source handed to `check`'s request (used by one thread at a time).
final class SendableSource: @unchecked Sendable {
    let value: ClickHouseSpanSource
    init(_ value: ClickHouseSpanSource) { self.value = value }
}

/// `ingest clickhouse://host/database`: which traces to copy into the local database.
struct ClickHouseIngestOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "With a clickhouse:// path: copy this trace (hex, a unique prefix; repeatable).", valueName: "trace-id"))
    var traceId: [String] = []

    @Option(name: .long, help: ArgumentHelp("With a clickhouse:// path: traces with a span from this time.", valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("With a clickhouse:// path: … to this time.", valueName: "time"))
    var until: String?

    @Option(
        name: .long,
        help: ArgumentHelp("With a clickhouse:// path and no --trace-id: copy at most this many traces (default 100).", valueName: "n"))
    var limit = 100

    @Option(name: .long, help: ArgumentHelp("With a clickhouse:// path: only traces with a span of this service.", valueName: "service"))
    var service: String?

    @Flag(name: .long, help: "With a clickhouse:// path: print each query's bytes received and time on stderr.")
    var verbose = false

    @Option(
        name: .long,
        help: ArgumentHelp("With a clickhouses:// path: also trust the CA certificates in this PEM file.", valueName: "path"))
    var caCert: String?

    /// The source: with --trace-id and no window, all of time (the trace IDs narrow it).
    func source(_ url: String) throws -> ClickHouseSpanSource {
        let allTime = !traceId.isEmpty && since == nil && until == nil
        let window = try SourceOptions.window(
            since: allTime ? "1970-01-01" : since, until: allTime ? "2200-01-01" : until, lateMargin: "5m", service: service)
        return try SourceOptions.spanSource(url: url, window: window, tables: ClickHouseTables(), verbose: verbose, caFile: caCert)
    }
}
