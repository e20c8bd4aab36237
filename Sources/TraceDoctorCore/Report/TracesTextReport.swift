// `traces` in text: one line per trace (root, start, duration, spans, orphans, coverage, errors),
// its diagnoses on an indented line below when there are any, so the table fits 100 columns.

public enum TracesTextReport {
    public static func render(
        _ report: DiagnosisReport, sort: TraceSummary.Sort, service: String?, limit: Int, style: TextStyle = .plain
    ) -> String {
        let (shown, matching) = TraceSummary.select(
            report.traces, sort: sort, service: service, limit: limit, unlisted: report.unlistedTraces.matching(service))
        var out: [String] = []
        guard !shown.isEmpty else {
            if let service {
                return "no trace has a span of service '\(service)' (\(Units.plural(report.traceCount, "trace")) in the database)\n"
            }
            return "no traces in the database\n"
        }
        let matchingStarts = report.traces.filter { service == nil || $0.services.contains(service!) }.map(\.startNs)
        let first = matchingStarts.min() ?? 0
        let last = matchingStarts.max() ?? 0
        let day: Int64 = 86_400_000_000_000
        let range =
            last / day == first / day
            ? "started on " + TextFormat.dateTime(first).prefix(10) + " UTC, between " + TextFormat.clock(first) + " and "
                + TextFormat.clock(last)
            : "started between " + TextFormat.dateTime(first) + " and " + TextFormat.dateTime(last)
        out.append(
            style.bold(
                Units.plural(matching, "trace") + (service.map { " with spans of \($0)" } ?? "") + ", sorted by "
                    + sort.rawValue))
        out.append(range)
        var table = [["trace", "root", "start", "duration", "spans", "orphans", "cover", "errors"]]
        var diagnosisLines: [Int: String] = [:]
        for (k, t) in shown.enumerated() {
            let root = t.rootService.map { "\($0): \(t.rootName ?? "")" } ?? "(no root)"
            table.append([
                TextFormat.shortID(t.traceID), TextFormat.fit(root, 27), TextFormat.clock(t.startNs),
                TextFormat.duration(t.durationNs), String(t.spanCount), String(t.orphanCount),
                t.coverage.map(TextFormat.percent) ?? "-", String(t.errorCount),
            ])
            let names = t.diagnoses.keys.sorted().map { d -> String in
                let n = t.diagnoses[d] ?? 0
                return n > 1 ? "\(d.name) ×\(n)" : d.name
            }
            if !names.isEmpty { diagnosisLines[k + 1] = names.joined(separator: ", ") }
        }
        let lines = TextTable.render(table, rightAligned: [3, 4, 5, 6, 7])
        for (k, line) in lines.enumerated() {
            out.append(line)
            if let diagnoses = diagnosisLines[k] {
                out.append(String(repeating: " ", count: 18) + TextFormat.fit(diagnoses, 82))
            }
        }
        if let huge = ExplainWaterfall.hugeTracesLine(shown.map { ($0.traceID, $0.spanCount) }) {
            out += TextFormat.wrapWords(huge, width: 100)
        }
        if matching > shown.count {
            out.append("showing \(shown.count) of \(matching) (--limit 0 shows all)")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
