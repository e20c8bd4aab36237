// `ingest` in text: one line per file (path last, so columns stay aligned), then the total.

public enum IngestTextReport {
    public static func render(_ report: IngestReport) -> String {
        var rows: [[String]] = [["", "format", "spans", "traces", "logs", "time", "file"]]
        for file in report.files {
            var row = [
                report.dryRun && file.status == .ingested ? "checked" : file.status.verb, file.format ?? "-", "-", "-", "-", "-", file.path,
            ]
            switch file.status {
            case .ingested:
                // What the file added; what was already stored is counted in the note.
                row[2] = String(file.counts.spans - file.counts.duplicateSpans)
                row[3] = String(file.counts.traces)
                row[4] = String(file.counts.logs - file.counts.duplicateLogs)
                row[5] = Units.duration(seconds: file.seconds)
                var notes: [String] = []
                if let duplicates = Self.duplicates(file.counts) { notes.append(duplicates + " already stored") }
                if file.counts.separatedSharedSpans > 0 {
                    notes.append(Units.plural(file.counts.separatedSharedSpans, "shared client/server span ID") + " separated")
                }
                if file.skippedRecords > 0 { notes.append(Units.plural(file.skippedRecords, "bad record") + " skipped") }
                if !notes.isEmpty { row[6] += " (" + notes.joined(separator: ", ") + ")" }
            case .alreadyIngested:
                var note = "already ingested"
                if let sameAs = file.sameAs, sameAs != file.path { note += ", same content as \(sameAs)" }
                row[6] += " (\(note))"
            case .rejected:
                row[6] += " (nothing stored; see the error)"
            case .notADump:
                row[6] += " (" + (file.note ?? "not a trace or log dump") + ")"
            case .interrupted:
                row[6] += " (interrupted: nothing stored)"
            }
            rows.append(row)
        }
        var lines = TextTable.render(rows, rightAligned: [2, 3, 4, 5])
        let total = report.total
        var parts = [String]()
        for status in [FileReport.Status.ingested, .alreadyIngested, .rejected, .notADump, .interrupted] {
            let n = report.files.filter { $0.status == status }.count
            if n > 0 || status == .ingested { parts.append("\(n) \(status.summaryWord)") }
        }
        // What was stored (the database line below agrees with it on a new database), then
        // what was read but already stored.
        var summary = "total: " + Units.plural(report.files.count, "file") + " (" + parts.joined(separator: ", ") + "), "
        summary += Units.plural(total.spans - total.duplicateSpans, "span") + " and "
        summary += Units.plural(total.logs - total.duplicateLogs, "log") + (report.dryRun ? " read" : " stored")
        summary += " in " + Units.duration(seconds: report.seconds)
        if report.seconds >= 1, total.spans + total.logs > 0 {
            summary += " (" + Units.count(Double(total.spans + total.logs) / report.seconds) + " records/s)"
        }
        if let duplicates = Self.duplicates(total) { summary += "; " + duplicates + " already stored, not stored again" }
        lines.append(summary)
        let db = report.databaseTotals
        if report.dryRun {
            lines.append("dry run: nothing was stored")
        } else if report.databaseNotCreated {
            lines.append("database \(report.database): not created (nothing was stored)")
        } else {
            lines.append(
                "database \(report.database): " + Units.plural(db.spans, "span") + " in "
                    + Units.plural(db.traces, "trace") + ", " + Units.plural(db.logs, "log") + " from "
                    + Units.plural(db.sources, "source"))
        }
        if let intervals = report.logIntervals {
            let order = ["pair", "duration", "unfinished", "end_without_start"]
            let words = ["pair": "start/end pair", "duration": "line with a duration", "unfinished": "start without an end",
                "end_without_start": "end without a start"]
            let total = intervals.values.reduce(0, +)
            let parts = order.compactMap { kind in intervals[kind].map { n -> String in
                n == 1 ? "1 \(words[kind]!)" : "\(n) " + (kind == "pair" ? "start/end pairs" : kind == "duration" ? "lines with a duration"
                    : kind == "unfinished" ? "starts without an end" : "ends without a start")
            } }
            lines.append("log intervals: \(total) (" + parts.joined(separator: ", ") + ")")
        }
        if report.interrupted {
            lines.append("interrupted: the files marked ingested above are stored; the rest is not")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "121 spans, 63 logs": the records read that the database already held (nil for none).
    static func duplicates(_ counts: IngestCounts) -> String? {
        var parts: [String] = []
        if counts.duplicateSpans > 0 { parts.append(Units.plural(counts.duplicateSpans, "span")) }
        if counts.duplicateLogs > 0 { parts.append(Units.plural(counts.duplicateLogs, "log")) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

extension FileReport.Status {
    /// The first column of the text report.
    var verb: String {
        switch self {
        case .ingested: "ingested"
        case .alreadyIngested: "skipped"
        case .rejected: "rejected"
        case .notADump: "passed"
        case .interrupted: "stopped"
        }
    }

    var summaryWord: String {
        switch self {
        case .ingested: "ingested"
        case .alreadyIngested: "already ingested"
        case .rejected: "rejected"
        case .notADump: "not a dump"
        case .interrupted: "interrupted"
        }
    }
}
