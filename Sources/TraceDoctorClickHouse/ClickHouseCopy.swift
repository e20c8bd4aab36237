// Chosen traces copied out of ClickHouse into a local database: whole spans (attributes, events,
// links) and their log lines, written as OTLP/JSON and ingested by the ordinary ingest path. What
// `explain` and `logs TRACE_ID` read with --source, and `ingest clickhouse://… --trace-id ID`.

import Foundation
import TraceDoctorCore

extension ClickHouseSpanSource {
    /// What a copy brought over.
    public struct Copy: Sendable {
        public var traces: Int
        public var spans: Int
        public var logs: Int
    }

    /// The traces `ids` (hex), with their log lines and the lines without trace ID their services
    /// wrote while they ran, ingested into `databasePath`. Spans are read from the widened window.
    /// `logWindow` narrows the log lines read (default: the widened window).
    public func copy(traces ids: [String], into databasePath: String, logWindow: (Int64, Int64)? = nil)
        throws(TraceDoctorError) -> Copy
    {
        try checkSchema()
        var parameters = baseParameters
        parameters["ids"] = Self.arrayLiteral(ids)
        let spanData = try client.query(
            ClickHouseQueries.fullSpans(traces: try qualified(tables.traces)), parameters: parameters,
            label: "whole spans of \(ids.count) traces")
        var lines: [String] = []
        var services = Set<String>()
        var found = Set<String>()
        try Self.forEachJSONRow(spanData, server: client.location.display) { row in
            services.insert(row["ServiceName"] as? String ?? "")
            found.insert(row["TraceId"] as? String ?? "")
            lines.append(Self.otlpSpan(row))
        }
        var logLines: [String] = []
        if hasLogs {
            parameters["services"] = Self.arrayLiteral(services.sorted())
            if let logWindow {
                parameters["read_since"] = String(logWindow.0)
                parameters["read_until"] = String(logWindow.1)
            }
            let logData = try client.query(
                ClickHouseQueries.fullLogs(logs: try qualified(tables.logs)), parameters: parameters,
                label: "log lines of \(ids.count) traces")
            try Self.forEachJSONRow(logData, server: client.location.display) { row in logLines.append(Self.otlpLog(row)) }
        }
        let directory = NSTemporaryDirectory() + "tracedoctor-clickhouse-\(ProcessInfo.processInfo.processIdentifier)-"
            + UUID().uuidString.prefix(8).lowercased()
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path: directory, reason: "\(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var paths: [String] = []
        for (name, content) in [("spans.otlp.jsonl", lines), ("logs.otlp.jsonl", logLines)] where !content.isEmpty {
            let path = directory + "/" + name
            do {
                try Data((content.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw .cannotWrite(path: path, reason: "\(error)")
            }
            paths.append(path)
        }
        if !paths.isEmpty {
            let report = try Ingestor.run(IngestRequest(paths: paths, databasePath: databasePath), progress: nil, onBusy: nil)
            if let rejected = report.files.first(where: { $0.status == .rejected })?.error {
                throw .clickHouse(server: client.location.display, message: "the copied rows were refused: \(rejected)")
            }
            let store = try TraceStore(path: databasePath)
            defer { store.close() }
            try store.relabelSources(withPrefix: directory, as: client.location.display)
        }
        return Copy(traces: found.count, spans: lines.count, logs: logLines.count)
    }

    /// Up to `limit` trace IDs of the window, in ID order.
    public func traceIDs(limit: Int) throws(TraceDoctorError) -> [String] {
        try checkSchema()
        var parameters = baseParameters
        parameters["limit"] = String(limit)
        let data = try client.query(
            ClickHouseQueries.someTraceIDs(traces: try qualified(tables.traces), service: window.service != nil),
            parameters: parameters, label: "trace IDs of the window")
        var ids: [String] = []
        TabSeparated.forEachRow(data) { row in if let id = row.first { ids.append(id) } }
        return ids
    }

    /// Other traces running while `spans` ran (what `explain` weighs fragments against).
    public func neighbours(of id: String, spans: [AnalysisSpan]) throws(TraceDoctorError) -> [String] {
        let starts = spans.compactMap(\.startNs).filter { $0 != 0 }
        let ends = spans.compactMap(\.endNs)
        guard let start = starts.min(), let end = (ends + starts).max() else { return [] }
        let data = try client.query(
            ClickHouseQueries.neighbours(traces: try qualified(tables.traces)),
            parameters: ["start": String(start), "end": String(end), "trace": id], label: "traces running beside \(id)")
        var ids: [String] = []
        TabSeparated.forEachRow(data) { row in if let id = row.first { ids.append(id) } }
        return ids
    }

    /// `['a', 'b']`: an Array(String) parameter's text.
    static func arrayLiteral(_ values: [String]) -> String {
        "[" + values.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
            .joined(separator: ",") + "]"
    }

    static func forEachJSONRow(_ data: Data, server: String, _ body: ([String: Any]) throws -> Void) throws(TraceDoctorError) {
        do {
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                guard let row = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
                try body(row)
            }
        } catch {
            throw .clickHouse(server: server, message: "unreadable reply: \(error)")
        }
    }

    /// A Map(String, String) column as OTLP attributes (every value a string, as the exporter
    /// stored it).
    static func attributes(_ value: Any?) -> [[String: Any]] {
        guard let map = value as? [String: Any] else { return [] }
        return map.keys.sorted().map { ["key": $0, "value": ["stringValue": "\(map[$0] ?? "")"]] }
    }

    static func json(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// One exporter row as an OTLP/JSON ExportTraceServiceRequest holding that span.
    static func otlpSpan(_ row: [String: Any]) -> String {
        var span: [String: Any] = [
            "traceId": row["TraceId"] as? String ?? "", "spanId": row["SpanId"] as? String ?? "",
            "name": row["SpanName"] as? String ?? "", "kind": row["kind"] as? Int ?? 0,
            "startTimeUnixNano": row["start"] as? String ?? "0", "endTimeUnixNano": row["end"] as? String ?? "0",
            "attributes": attributes(row["SpanAttributes"]),
            "status": ["code": row["status"] as? Int ?? 0, "message": row["StatusMessage"] as? String ?? ""],
        ]
        if let parent = row["ParentSpanId"] as? String, !parent.isEmpty { span["parentSpanId"] = parent }
        if let state = row["TraceState"] as? String, !state.isEmpty { span["traceState"] = state }
        let times = row["event_times"] as? [String] ?? []
        let names = row["event_names"] as? [String] ?? []
        let eventAttributes = row["event_attributes"] as? [Any] ?? []
        span["events"] = times.indices.map { i -> [String: Any] in
            [
                "timeUnixNano": times[i], "name": i < names.count ? names[i] : "",
                "attributes": attributes(i < eventAttributes.count ? eventAttributes[i] : nil),
            ]
        }
        let linkTraces = row["link_traces"] as? [String] ?? []
        let linkSpans = row["link_spans"] as? [String] ?? []
        let linkStates = row["link_states"] as? [String] ?? []
        let linkAttributes = row["link_attributes"] as? [Any] ?? []
        span["links"] = linkTraces.indices.map { i -> [String: Any] in
            var link: [String: Any] = [
                "traceId": linkTraces[i], "spanId": i < linkSpans.count ? linkSpans[i] : "",
                "attributes": attributes(i < linkAttributes.count ? linkAttributes[i] : nil),
            ]
            if i < linkStates.count, !linkStates[i].isEmpty { link["traceState"] = linkStates[i] }
            return link
        }
        let request: [String: Any] = [
            "resourceSpans": [
                [
                    "resource": ["attributes": resource(row)],
                    "scopeSpans": [
                        [
                            "scope": ["name": row["ScopeName"] as? String ?? "", "version": row["ScopeVersion"] as? String ?? ""],
                            "spans": [span],
                        ]
                    ],
                ]
            ]
        ]
        return json(request)
    }

    /// The resource's attributes, with `service.name` from ServiceName when the map lacks it.
    static func resource(_ row: [String: Any]) -> [[String: Any]] {
        var map = row["ResourceAttributes"] as? [String: Any] ?? [:]
        if map["service.name"] == nil, let service = row["ServiceName"] as? String { map["service.name"] = service }
        return attributes(map)
    }

    /// One exporter log row as an OTLP/JSON ExportLogsServiceRequest.
    static func otlpLog(_ row: [String: Any]) -> String {
        var record: [String: Any] = [
            "timeUnixNano": row["time"] as? String ?? "0", "severityText": row["SeverityText"] as? String ?? "",
            "severityNumber": row["SeverityNumber"] as? Int ?? 0, "body": ["stringValue": row["Body"] as? String ?? ""],
            "attributes": attributes(row["LogAttributes"]), "flags": row["TraceFlags"] as? Int ?? 0,
        ]
        if let trace = row["TraceId"] as? String, !trace.isEmpty { record["traceId"] = trace }
        if let span = row["SpanId"] as? String, !span.isEmpty { record["spanId"] = span }
        let request: [String: Any] = [
            "resourceLogs": [
                [
                    "resource": ["attributes": resource(row)],
                    "scopeLogs": [
                        [
                            "scope": ["name": row["ScopeName"] as? String ?? "", "version": row["ScopeVersion"] as? String ?? ""],
                            "logRecords": [record],
                        ]
                    ],
                ]
            ]
        ]
        return json(request)
    }
}
