// The exporter's tables as a SpanSource: the same diagnoses as on a SQLite database, reading only
// the columns the analysis needs, trace by trace, in ranges of trace IDs so that memory stays
// bounded by the largest range.

import Foundation
import TraceDoctorCore

/// Spans and logs of a time window in ClickHouse, for `Diagnoser.diagnose`.
public final class ClickHouseSpanSource: SpanSource {
    public let client: ClickHouseClient
    public let tables: ClickHouseTables
    public var window: ClickHouseWindow
    /// Spans fetched per query, about: the window is read in this many spans' ranges of trace IDs.
    public var spansPerRange = 200_000
    /// Rows skipped because an ID was not hex (the exporter writes lowercase hex).
    public private(set) var skippedRows = 0
    private(set) var hasLogs = false
    /// Whether the exporter's trace-ID lookup table is there (TraceId, Start, End).
    private(set) var hasTraceIDTimes = false
    private var checked = false

    public init(client: ClickHouseClient, tables: ClickHouseTables, window: ClickHouseWindow) {
        self.client = client
        self.tables = tables
        self.window = window
    }

    var database: String { client.location.database }

    /// `database`.`table`, for names made of safe characters only.
    func qualified(_ table: String) throws(TraceDoctorError) -> String {
        for name in [database, table] {
            guard !name.isEmpty, !name.contains("`"), !name.contains("\\") else {
                throw .usage("'\(name)' is not a ClickHouse table or database name tracedoctor can use")
            }
        }
        return "`\(database)`.`\(table)`"
    }

    public var baseParameters: [String: String] {
        var p = [
            "since": String(window.sinceNs), "until": String(window.untilNs), "read_since": String(window.readSinceNs),
            "read_until": String(window.readUntilNs),
        ]
        if let service = window.service { p["service"] = service }
        return p
    }

    static let requiredTraceColumns = [
        "Timestamp", "TraceId", "SpanId", "ParentSpanId", "SpanName", "SpanKind", "ServiceName", "ResourceAttributes",
        "SpanAttributes", "Duration", "StatusCode", "Links.TraceId", "Links.SpanId", "Links.Attributes",
    ]
    static let requiredLogColumns = ["Timestamp", "TraceId", "SpanId", "ServiceName"]

    /// Checks that the traces table exists with the exporter's columns (and whether there is a logs
    /// table), so that a wrong table gives one clear message instead of a SQL error.
    public func checkSchema() throws(TraceDoctorError) {
        guard !checked else { return }
        let data = try client.query(
            ClickHouseQueries.columns,
            parameters: ["database": database, "traces": tables.traces, "logs": tables.logs, "ids": tables.traceIDTimes],
            label: "schema")
        var columns: [String: [String: String]] = [:]
        TabSeparated.forEachRow(data) { row in
            guard row.count >= 3 else { return }
            columns[row[0], default: [:]][row[1]] = row[2]
        }
        guard let traces = columns[tables.traces] else {
            throw .clickHouse(
                server: client.location.display,
                message: "no table \(database).\(tables.traces) (the OpenTelemetry Collector's clickhouseexporter "
                    + "writes otel_traces; name another with --traces-table, or another database in the URL)")
        }
        let missing = Self.requiredTraceColumns.filter { traces[$0] == nil }
        if !missing.isEmpty {
            throw .clickHouse(
                server: client.location.display,
                message: "\(database).\(tables.traces) is not a table the clickhouseexporter wrote: it has no column "
                    + missing.joined(separator: ", "))
        }
        if let type = traces["Timestamp"], !type.hasPrefix("DateTime64") {
            throw .clickHouse(
                server: client.location.display,
                message: "\(database).\(tables.traces).Timestamp is \(type), not the exporter's DateTime64(9)")
        }
        if let times = columns[tables.traceIDTimes], ["TraceId", "Start", "End"].allSatisfy({ times[$0] != nil }) {
            hasTraceIDTimes = true
        }
        if let logs = columns[tables.logs] {
            let missingLogs = Self.requiredLogColumns.filter { logs[$0] == nil }
            if !missingLogs.isEmpty {
                throw .clickHouse(
                    server: client.location.display,
                    message: "\(database).\(tables.logs) is not a table the clickhouseexporter wrote: it has no column "
                        + missingLogs.joined(separator: ", "))
            }
            hasLogs = true
        } else {
            client.trace?("no table \(database).\(tables.logs): no log lines")
        }
        checked = true
    }

    /// Spans and traces starting in the window.
    public func windowCount() throws(TraceDoctorError) -> (spans: Int, traces: Int) {
        let data = try client.query(
            ClickHouseQueries.windowCount(traces: try qualified(tables.traces), service: window.service != nil),
            parameters: baseParameters, label: "window size")
        var result = (spans: 0, traces: 0)
        TabSeparated.forEachRow(data) { row in
            if row.count >= 2 { result = (Int(row[0]) ?? 0, Int(row[1]) ?? 0) }
        }
        return result
    }

    /// The ranges of trace IDs read one query each: `[lo, hi)` in hex, the last one open.
    static func ranges(count: Int) -> [(lo: String, hi: String?)] {
        let n = max(1, min(count, 65536))
        var bounds: [String] = ["0"]
        for i in 1..<n { bounds.append(String(format: "%04x", i * 65536 / n)) }
        return bounds.enumerated().map { i, lo in (lo, i + 1 < bounds.count ? bounds[i + 1] : nil) }
    }

    public func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws {
        try checkSchema()
        let count = try windowCount()
        client.trace?("window: \(count.spans) spans of \(count.traces) traces start in it")
        guard count.spans > 0 else { return }
        let table = try qualified(tables.traces)
        for range in Self.ranges(count: (count.spans + spansPerRange - 1) / spansPerRange) {
            var parameters = baseParameters
            parameters["lo"] = range.lo
            if let hi = range.hi { parameters["hi"] = hi }
            let data = try client.query(
                ClickHouseQueries.spans(traces: table, service: window.service != nil, upperBound: range.hi != nil),
                parameters: parameters, label: "spans of traces \(range.lo)…\(range.hi ?? "")")
            try forEachTrace(in: data, body)
        }
        if skippedRows > 0 { client.trace?("\(skippedRows) rows skipped: a TraceId or SpanId that is not hex") }
    }

    private var processes: [[String]: SpanProcess] = [:]
    private var rowID: Int64 = 0

    /// The traces of one reply (rows sorted by TraceId).
    func forEachTrace(in data: Data, _ body: ([AnalysisSpan]) throws -> Void) throws {
        do {
            var trace: [AnalysisSpan] = []
            var traceText = ""
            try TabSeparated.forEachRow(data) { row in
                guard row.count >= 23, let traceID = TraceID(hex: row[0]), let spanID = SpanID(hex: row[1]) else {
                    skippedRows += 1
                    return
                }
                let key = [row[5], row[6], row[7], row[8]]
                let process: SpanProcess
                if let known = processes[key] {
                    process = known
                } else {
                    process = SpanProcess(service: row[5], host: row[6], instanceID: row[7], pid: row[8])
                    processes[key] = process
                }
                let start = Int64(row[9]) ?? 0
                let duration = UInt64(row[10]).map { Int64(bitPattern: $0) } ?? 0
                let kind = SpanKind(rawValue: Int(row[4]) ?? 0) ?? .unspecified
                rowID += 1
                let span = AnalysisSpan(
                    traceID: traceID, spanID: spanID, parentSpanID: row[2].isEmpty ? nil : SpanID(hex: row[2]),
                    name: row[3], kind: kind, process: process, startNs: start, endNs: start &+ duration,
                    status: StatusCode(rawValue: Int(row[11]) ?? 0) ?? .unset, flags: 0,
                    parentRelation: row[12] == "1" ? .followsFrom : .childOf,
                    peerNames: kind == .client || kind == .producer
                        ? AnalysisSpan.peerNames(fromValues: Array(row[13..<18])) : [],
                    messaging: Self.messaging(row[18], row[19], row[20], row[21]), links: Self.links(row[22]),
                    rowID: rowID)
                if row[0] != traceText {
                    if !trace.isEmpty { try body(trace) }
                    trace = []
                    traceText = row[0]
                }
                trace.append(span)
            }
            if !trace.isEmpty { try body(trace) }
        }
    }

    /// The messaging attributes of a row (empty text: absent), nil when it has none.
    static func messaging(_ system: String, _ destination: String, _ id: String, _ task: String) -> SpanMessaging? {
        func value(_ text: String) -> String? { text.isEmpty ? nil : text }
        let m = SpanMessaging(system: value(system), destination: value(destination), messageID: value(id), taskName: value(task))
        return m.isEmpty ? nil : m
    }

    /// The links of a row, written `trace:span,trace:span` (the parent's own reference left out);
    /// links whose IDs are not hex are skipped, as the SQLite store skips them.
    static func links(_ text: String) -> [SpanLink] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: ",").compactMap { pair in
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let trace = TraceID(hex: String(parts[0])), let span = SpanID(hex: String(parts[1])) else {
                return nil
            }
            return SpanLink(traceID: trace, spanID: span)
        }
    }

    /// Log lines without trace context that name a message or task ID, in the widened window
    /// (what `unpropagated_message` joins, as the SQLite store finds them).
    public func messageLogs() throws -> [UnpropagatedMessage.MessageLog] {
        try checkSchema()
        guard hasLogs else { return [] }
        let data = try client.query(
            ClickHouseQueries.messageLogs(logs: try qualified(tables.logs)), parameters: baseParameters,
            label: "log lines naming a message ID")
        var found: [UnpropagatedMessage.MessageLog] = []
        let fields = MessageLogPatterns.fields
        TabSeparated.forEachRow(data) { row in
            guard row.count >= 3 + fields.count, let time = Int64(row[1]) else { return }
            var attributes: [String: Any] = [:]
            for (k, field) in fields.enumerated() where !row[3 + k].isEmpty { attributes[field] = row[3 + k] }
            for (id, pattern, moment) in MessageLogPatterns.ids(body: row[2], attributes: attributes.isEmpty ? nil : attributes) {
                found.append(UnpropagatedMessage.MessageLog(service: row[0], timeNs: time, messageID: id, pattern: pattern, moment: moment))
            }
        }
        return found
    }

    /// Narrows the window to the traces `ids` (full IDs) from the exporter's lookup table: their
    /// first to last span start, plus a second (the table keeps whole seconds). False when the table
    /// is missing or does not know every ID.
    public func narrowWindow(toTraces ids: [String]) throws(TraceDoctorError) -> Bool {
        try checkSchema()
        guard hasTraceIDTimes, !ids.isEmpty else { return false }
        let data = try client.query(
            ClickHouseQueries.traceTimes(ids: try qualified(tables.traceIDTimes)),
            parameters: ["ids": Self.arrayLiteral(ids)], label: "times of \(ids.count) traces from \(tables.traceIDTimes)")
        var times: (Int64, Int64, Int)?
        TabSeparated.forEachRow(data) { row in
            if row.count >= 3, let a = Int64(row[0]), let b = Int64(row[1]), let n = Int(row[2]) { times = (a, b, n) }
        }
        guard let (first, last, known) = times, known >= Set(ids).count else { return false }
        window.sinceNs = first * 1_000_000_000
        window.untilNs = (last + 1) * 1_000_000_000
        return true
    }

    /// The trace a hex prefix names among the traces with a span in the window.
    public func resolveTraceID(_ query: String) throws(TraceDoctorError) -> String {
        try checkSchema()
        let prefix = query.lowercased()
        guard !prefix.isEmpty, prefix.count <= 32, prefix.allSatisfy(\.isHexDigit) else {
            throw .usage("'\(query)' is not a trace ID: with --source give hex digits (a unique prefix)")
        }
        let data = try client.query(
            ClickHouseQueries.traceIDs(traces: try qualified(tables.traces)),
            parameters: baseParameters.merging(["prefix": prefix]) { $1 }, label: "trace IDs starting \(prefix)")
        var ids: [String] = []
        TabSeparated.forEachRow(data) { row in if let id = row.first { ids.append(id) } }
        if ids.isEmpty { throw .traceNotFound(query: query, closest: []) }
        if ids.count > 1 { throw .ambiguousTraceID(query: query, matches: ids) }
        return ids[0]
    }

    /// Every span of one trace within the widened window.
    public func spans(ofTrace id: String) throws(TraceDoctorError) -> [AnalysisSpan] {
        var parameters = baseParameters
        parameters["trace"] = id
        let data = try client.query(
            ClickHouseQueries.spans(traces: try qualified(tables.traces), ofTrace: ()), parameters: parameters,
            label: "spans of trace \(id)")
        var spans: [AnalysisSpan] = []
        do {
            try forEachTrace(in: data) { spans += $0 }
        } catch {
            throw .clickHouse(server: client.location.display, message: "\(error)")
        }
        return spans
    }

    public func forEachLog(_ body: (LogReference) throws -> Void) throws {
        try checkSchema()
        guard hasLogs else { return }
        let data = try client.query(
            ClickHouseQueries.logs(logs: try qualified(tables.logs), service: window.service != nil),
            parameters: baseParameters, label: "log lines")
        try TabSeparated.forEachRow(data) { row in
            guard row.count >= 4 else { return }
            try body(
                LogReference(
                    traceID: row[0].isEmpty ? nil : TraceID(hex: row[0]), spanID: row[1].isEmpty ? nil : SpanID(hex: row[1]),
                    service: row[2], timeNs: Int64(row[3])))
        }
    }
}

/// The diagnoses over a ClickHouse window: `Diagnoser.diagnose` with this source.
public enum ClickHouseDiagnoser {
    /// Every trace of the window, or the one `traceQuery` names (as `DiagnosisRequest.traceQuery`).
    /// `findingsOnly`: the report's findings, totals and counts are what `orphans` and `gaps` print,
    /// but only the traces with (or behind) a finding are read (`diagnosePushedDown`): the per-trace
    /// summaries and the quality shares other than the counts cover those traces only. `listing`
    /// (`traces` with a limit): the same, plus the traces the listing shows (`unlistedTraces` counts
    /// the others). `check`: what `check` needs under that policy, reading what `stats` reads plus the
    /// coverage rule's examples (`diagnosePushedDown`). `gapsCounted` (`orphans`): the report's
    /// counts are whole, but it lists no `unaccounted_time` or `low_coverage` of a trace without
    /// another finding.
    public static func run(
        source: ClickHouseSpanSource, options: AnalysisOptions, traceQuery: String? = nil, findingsOnly: Bool = false,
        listing: ClickHouseSpanSource.Listing? = nil, stats: Bool = false, check: Policy? = nil, gapsCounted: Bool = false
    ) throws(TraceDoctorError) -> DiagnosisReport {
        do {
            try source.checkSchema()
            if let traceQuery {
                let spans = try source.spans(ofTrace: try source.resolveTraceID(traceQuery))
                return try Diagnoser.diagnose(InMemorySpanSource(spans: spans), options: options)
            }
            if findingsOnly || listing != nil || stats || check != nil {
                return try source.diagnosePushedDown(
                    options: options, listing: listing, stats: stats, check: check, gapsCounted: gapsCounted)
            }
            return try Diagnoser.diagnose(source, options: options)
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw .clickHouse(server: source.client.location.display, message: "\(error)")
        }
    }
}
