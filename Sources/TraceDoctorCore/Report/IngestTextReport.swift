// `ingest` in text: one line per file, then the total.

public enum IngestTextReport {
    public static func render(_ report: IngestReport) -> String {
        var lines: [String] = []
        let width = min(60, report.files.map(\.path.count).max() ?? 0)
        for file in report.files {
            let path = file.path.padding(toLength: max(width, file.path.count), withPad: " ", startingAt: 0)
            switch file.status {
            case .ingested:
                var line = "ingested  \(path)  \(file.format ?? "?")  "
                line += [
                    Units.plural(file.counts.spans, "span"), Units.plural(file.counts.traces, "trace"),
                    Units.plural(file.counts.logs, "log"),
                ].joined(separator: ", ")
                let duplicates = file.counts.duplicateSpans + file.counts.duplicateLogs
                if duplicates > 0 { line += " (\(duplicates) already stored)" }
                if file.skippedRecords > 0 { line += ", \(Units.plural(file.skippedRecords, "bad record")) skipped" }
                line += "  " + Units.duration(seconds: file.seconds)
                lines.append(line)
            case .alreadyIngested:
                var line = "skipped   \(path)  already ingested"
                if let sameAs = file.sameAs, sameAs != file.path { line += " (same content as \(sameAs))" }
                lines.append(line)
            case .rejected:
                lines.append("rejected  \(path)  nothing stored (see the error)")
            }
        }
        let total = report.total
        let ingested = report.files.filter { $0.status == .ingested }.count
        let already = report.files.filter { $0.status == .alreadyIngested }.count
        var parts = ["\(ingested) ingested"]
        if already > 0 { parts.append("\(already) already ingested") }
        if report.rejectedCount > 0 { parts.append("\(report.rejectedCount) rejected") }
        var summary = "total: " + Units.plural(report.files.count, "file") + " (" + parts.joined(separator: ", ") + "), "
        summary += Units.plural(total.spans, "span") + " in " + Units.plural(total.traces, "trace") + ", "
        summary += Units.plural(total.logs, "log") + " in " + Units.duration(seconds: report.seconds)
        if report.seconds > 0, total.spans + total.logs > 0 {
            summary += " (" + Units.count(Double(total.spans + total.logs) / report.seconds) + " records/s)"
        }
        lines.append(summary)
        let db = report.databaseTotals
        lines.append(
            "database \(report.database): " + Units.plural(db.spans, "span") + " in " + Units.plural(db.traces, "trace")
                + ", " + Units.plural(db.logs, "log") + " from " + Units.plural(db.sources, "source"))
        return lines.joined(separator: "\n") + "\n"
    }
}
