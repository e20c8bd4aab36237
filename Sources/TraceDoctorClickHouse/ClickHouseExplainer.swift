// `explain` and `logs TRACE_ID` with --source: the trace, the traces running beside it and their log
// lines are copied into a temporary database, and the same Explainer / LogListing read that. Only
// what one trace's view needs crosses the network.

import Foundation
import TraceDoctorCore

public enum ClickHouseExplainer {
    /// A temporary database holding `ids` (removed by the caller with `remove`).
    static func temporaryDatabase() -> String {
        var dir = NSTemporaryDirectory()
        if dir.isEmpty { dir = "/tmp" }
        if !dir.hasSuffix("/") { dir += "/" }
        return dir + "tracedoctor-clickhouse-\(ProcessInfo.processInfo.processIdentifier)-"
            + UUID().uuidString.prefix(8).lowercased() + ".db"
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// The trace `target` names (or the most broken one in the window), explained.
    public static func explain(
        source: ClickHouseSpanSource, target: ExplainRequest.Target, options: AnalysisOptions, logs: ExplainRequest.Logs
    ) throws(TraceDoctorError) -> Explanation {
        let id: String
        switch target {
        case .trace(let query):
            id = try source.resolveTraceID(query)
        case .mostBroken:
            let report = try ClickHouseDiagnoser.run(source: source, options: options)
            guard let picked = MostBrokenTrace.pick(report) else {
                throw .clickHouse(
                    server: source.client.location.display,
                    message: report.traces.isEmpty
                        ? "no trace starts in the window; widen --since/--until"
                        : "none of the window's \(report.traces.count) traces has a defect; name one: `tracedoctor explain TRACE_ID`")
            }
            id = picked.hex
        }
        let spans = try source.spans(ofTrace: id)
        let neighbours = try source.neighbours(of: id, spans: spans)
        let database = temporaryDatabase()
        defer { remove(database) }
        _ = try source.copy(traces: [id] + neighbours, into: database, logWindow: timeRange(spans))
        return try Explainer.explain(ExplainRequest(databasePath: database, target: .trace(id), options: options, logs: logs))
    }

    /// A trace's log lines (`logs TRACE_ID [--span ID]`).
    public static func logs(
        source: ClickHouseSpanSource, traceQuery: String, span: SpanID?, errorsOnly: Bool
    ) throws(TraceDoctorError) -> LogListing {
        let id = try source.resolveTraceID(traceQuery)
        let database = temporaryDatabase()
        defer { remove(database) }
        _ = try source.copy(traces: [id], into: database)
        return try LogListing.read(databasePath: database, selection: .trace(id, span: span), errorsOnly: errorsOnly)
    }

    /// From the first span's start to the last span's end (plus one ns: the window is half open).
    static func timeRange(_ spans: [AnalysisSpan]) -> (Int64, Int64)? {
        let starts = spans.compactMap(\.startNs).filter { $0 != 0 }
        let ends = spans.compactMap(\.endNs)
        guard let start = starts.min(), let end = (ends + starts).max() else { return nil }
        return (start, end + 1)
    }
}
