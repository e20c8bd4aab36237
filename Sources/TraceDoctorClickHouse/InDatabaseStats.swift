// `stats --in-database`: the per-trace aggregation run inside ClickHouse, one row of sums back, no
// span fetched: fleet-wide numbers over windows too large to read. It answers what one trace says
// on its own, on raw timestamps; what needs other traces (fragment_trace, unpropagated_call, log
// joins) or the tree's descendants (root coverage) or clock-skew adjustment is not in it.

import Foundation
import TraceDoctorCore

public struct InDatabaseStats: Sendable, Equatable {
    public var traces = 0
    public var spans = 0
    public var multipleRoots = 0
    public var missingParent = 0
    public var remoteParentMissing = 0
    /// One root and no missing parent (before cross-trace findings).
    public var wholeTraces = 0
    public var unaccountedTime = 0
    public var childBeforeParent = 0
    public var childAfterParent = 0
    public var source = ""
    public var bytesReceived: Int64 = 0

    public static func run(source: ClickHouseSpanSource, options: AnalysisOptions) throws(TraceDoctorError) -> InDatabaseStats {
        try source.checkSchema()
        var parameters = source.baseParameters
        parameters["min_gap"] = String(options.minGapNs)
        parameters["min_gap_share"] = String(options.minGapShare)
        let data = try source.client.query(
            ClickHouseQueries.inDatabaseStats(
                traces: try source.qualified(source.tables.traces), service: source.window.service != nil),
            parameters: parameters, label: "in-database stats")
        var result = InDatabaseStats()
        TabSeparated.forEachRow(data) { row in
            let n = row.map { Int($0) ?? 0 }
            guard n.count >= 9 else { return }
            result.traces = n[0]
            result.spans = n[1]
            result.multipleRoots = n[2]
            result.missingParent = n[3]
            result.remoteParentMissing = n[4]
            result.wholeTraces = n[5]
            result.unaccountedTime = n[6]
            result.childBeforeParent = n[7]
            result.childAfterParent = n[8]
        }
        result.source = source.client.location.display
        result.bytesReceived = source.client.bytesReceived
        return result
    }

    /// The text report.
    public func text() -> String {
        func share(_ part: Int, _ whole: Int) -> String {
            whole == 0 ? "-" : String(format: "%.1f%%", Double(part) * 100 / Double(whole))
        }
        var lines = [
            "in database \(source): " + Units.plural(spans, "span") + " in " + Units.plural(traces, "trace")
                + " (computed in ClickHouse; \(Units.bytes(bytesReceived)) received)",
            "",
            "  whole traces           " + share(wholeTraces, traces) + "  \(wholeTraces) of \(traces) with one root and no missing parent",
            "  missing_parent         \(missingParent)",
            "  remote_parent_missing  \(remoteParentMissing)",
            "  multiple_roots         \(multipleRoots)",
            "  unaccounted_time       \(unaccountedTime)",
            "  child_before_parent    \(childBeforeParent)",
            "  child_after_parent     \(childAfterParent)",
            "",
            "Raw timestamps (no clock-skew adjustment); fragment_trace, unpropagated_call, root coverage and log",
            "linkage need the spans: run without --in-database for them.",
        ]
        lines.append("")
        return lines.joined(separator: "\n")
    }

    public func json() -> String {
        JSONValue.object([
            ("command", .string("stats")), ("mode", .string("in_database")), ("source", .string(source)),
            ("traces", .number(String(traces))), ("spans", .number(String(spans))),
            ("whole_traces", .number(String(wholeTraces))),
            (
                "diagnoses",
                .object([
                    ("missing_parent", .number(String(missingParent))),
                    ("remote_parent_missing", .number(String(remoteParentMissing))),
                    ("multiple_roots", .number(String(multipleRoots))),
                    ("unaccounted_time", .number(String(unaccountedTime))),
                    ("child_before_parent", .number(String(childBeforeParent))),
                    ("child_after_parent", .number(String(childAfterParent))),
                ])
            ),
            ("bytes_received", .number(String(bytesReceived))),
        ]).rendered()
    }
}
