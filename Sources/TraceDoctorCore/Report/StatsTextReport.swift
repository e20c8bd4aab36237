// `stats` in text: the quality metrics of the database with what each one counts, then how often
// each diagnosis was found.

public enum StatsTextReport {
    public static func render(_ report: DiagnosisReport, database: String, style: TextStyle = .plain) -> String {
        let q = report.quality
        var out: [String] = []
        out.append(
            style.bold(
                "database \(database): " + Units.plural(q.spans, "span") + " in " + Units.plural(q.traces, "trace") + ", "
                    + Units.plural(q.logs.total, "log line")))
        out.append("")
        out.append(style.bold("quality"))
        var rows: [[String]] = []
        rows.append([
            "trace completeness", q.traceCompleteness.map(TextFormat.percent) ?? "-",
            "\(q.completeTraces) of \(q.traces) traces whole (one root, no orphan, nothing split off)",
        ])
        rows.append([
            "parent linkage", q.parentLinkage.map(TextFormat.percent) ?? "-",
            "\(q.spansWithParent) of \(q.spansExpectingParent) spans that should have a parent have it",
        ])
        rows.append([
            "root coverage", q.coverageMedian.map { "median " + TextFormat.percent($0) } ?? "-",
            q.coverageP10.map { "p10 " + TextFormat.percent($0) + " over \(q.rootsWithCoverage) roots" } ?? "no root with a duration",
        ])
        rows.append([
            "log linkage", q.logLinkage.map(TextFormat.percent) ?? "-",
            q.logs.total > 0
                ? "\(q.logs.linkedToSpan) of \(q.logs.total) log lines linked to a span" : "no log lines ingested",
        ])
        if q.logs.total > 0 {
            rows.append([
                "", "",
                "joined by trace+span ID \(q.logs.linkedToSpan), trace ID only \(q.logs.traceIDOnly), "
                    + "trace ID of no stored trace \(q.logs.dangling); no trace ID: "
                    + (q.logs.joinedByKey + q.logs.ambiguousKey > 0
                        ? "joined by key \(q.logs.joinedByKey) (\(q.logs.ambiguousKey) ambiguous), " : "")
                    + "written in a span's time \(q.logs.unlinked), neither \(q.logs.notJoined)",
            ])
        }
        rows.append([
            "timing violations", String(format: "%.2f", q.timingViolationsPer1000Spans) + " /1000",
            Units.plural(q.timingViolations, "child", "children") + " starting before or ending after the parent",
        ])
        if q.asynchronousChildren > 0 {
            rows.append([
                "asynchronous work", String(q.asynchronousChildren),
                "children outside their parent as messaging hand-offs (not violations)",
            ])
        }
        if q.asyncHandoffs > 0 {
            rows.append([
                "async hand-offs", q.asyncContextSurvival.map(TextFormat.percent) ?? "-",
                "\(q.asyncHandoffsWithContext) of \(q.asyncHandoffs) messages sent kept their context (CONSUMER child or link)"
                    + (q.ambiguousHandoffs > 0
                        ? "; \(q.ambiguousHandoffs) lost it with a continuation queue order alone cannot single out (ambiguous, not linked)"
                        : ""),
            ])
        }
        if q.tracesContinuedByLink > 0 || q.uncapturedLinks > 0 {
            rows.append([
                "linked traces", String(q.tracesContinuedByLink),
                "continued by link (whole)"
                    + (q.uncapturedLinks > 0
                        ? "; " + Units.plural(q.uncapturedLinks, "link") + (q.uncapturedLinks == 1 ? " points" : " point")
                            + " outside the capture" : ""),
            ])
        }
        out += TextTable.render(rows, rightAligned: [1]).map { "  " + $0 }
        if let huge = ExplainWaterfall.hugeTracesLine(report.traces.map { ($0.traceID, $0.spanCount) }) {
            out += TextFormat.wrapWords(huge, width: 96).map { "  " + $0 }
        }
        out.append("")
        out.append(style.bold("diagnoses"))
        var counts: [[String]] = []
        for d in Diagnosis.allCases {
            let n = q.count(d)
            var note = d.summary
            if d == .remoteParentMissing && !report.options.includeRemote { note += "; not a defect" }
            if (d == .logUnlinked || d == .logDangling) && q.logs.total == 0 { note = "no log lines ingested" }
            counts.append([d.name, String(n), note])
        }
        out += TextTable.render(counts, rightAligned: [1]).map { "  " + $0 }
        let adjusted = report.skewAdjustments.filter(\.applied)
        if !report.skewAdjustments.isEmpty {
            out.append("")
            let hosts = Set(report.skewAdjustments.compactMap(\.host)).sorted()
            out.append(
                "clock skew: " + Units.plural(adjusted.reduce(0) { $0 + $1.spansShifted }, "span") + " adjusted on "
                    + Units.plural(hosts.count, "host") + " (" + hosts.joined(separator: ", ") + ")"
                    + (adjusted.count < report.skewAdjustments.count
                        ? "; \(report.skewAdjustments.count - adjusted.count) shift(s) above --max-skew not applied" : ""))
        }
        return out.joined(separator: "\n") + "\n"
    }
}
