// `check` in text: what was checked, one line per rule (result, threshold, actual), then each
// rule that did not pass with what broke it and its worst traces (with the command to explain
// each), the baseline's improvements, and the verdict last, where a CI log ends.

public enum CheckTextReport {
    public static func render(_ result: CheckResult, style: TextStyle = .plain) -> String {
        var out: [String] = []
        out.append(style.bold("tracedoctor check: " + scope(result)))
        out.append("")

        var rows: [[String]] = [["", "rule", "threshold", "actual"]]
        for r in result.rules {
            rows.append([word(r.status), r.rule.name, r.threshold, r.status == .skipped ? "skipped: " + r.message : r.actual])
        }
        let table = TextTable.render(rows)
        out.append("  " + style.dim(table[0]))
        for (line, r) in zip(table.dropFirst(), result.rules) {
            out.append("  " + colour(line, r.status, style))
        }

        var examplesShown = false
        for r in result.violations {
            out.append("")
            let heading = "\(word(r.status)) \(r.rule.name) (\(r.severity.rawValue)): "
            out += wrap(heading + r.message, indent: "", continuation: "  ").enumerated().map {
                $0.offset == 0 ? style.heading($0.element, defect: r.status == .fail) : $0.element
            }
            for d in r.details { out += wrap(d, indent: "  ", continuation: "    ") }
            if !r.examples.isEmpty {
                out.append("  worst traces:")
                for e in r.examples {
                    out += wrap(e.summary, indent: "    ", continuation: "      ")
                    out.append("      " + style.dim(result.explainCommand(e.traceID)))
                }
                examplesShown = true
            }
            if let line = r.line, let path = result.policy.path {
                out.append("  " + style.dim("(\(path):\(line) sets this rule)"))
            }
        }

        if let b = result.baseline {
            out.append("")
            let regressions = b.rules.filter { $0.status == .fail || $0.status == .warn }.count
            out.append(
                style.bold("baseline \(b.path): ") + Units.plural(regressions, "regression") + ", "
                    + Units.plural(b.improvements.count, "improvement"))
            for i in b.improvements { out += wrap("improved: " + i, indent: "  ", continuation: "    ") }
            for n in b.notes { out += wrap("note: " + n, indent: "  ", continuation: "    ") }
            if !b.improvements.isEmpty {
                out.append("  " + style.dim("(to keep the gains, write a new baseline with --write-baseline)"))
            }
        }

        if examplesShown && result.database == nil {
            out.append("")
            out += wrap(
                "The database was temporary and is gone: to run the explain commands, check with --db tracedoctor.db "
                    + "(it keeps the database), or ingest the same files with `tracedoctor ingest` first.",
                indent: "", continuation: "")
        }
        out.append("")
        let verdict = result.headline + ", exit \(result.exitCode)"
        out.append(result.status == .fail ? style.red(style.bold(verdict)) : style.bold(verdict))
        return out.joined(separator: "\n") + "\n"
    }

    /// `40 spans in 20 traces, 21 log lines (3 files ingested); policy tracedoctor.yml`.
    static func scope(_ result: CheckResult) -> String {
        let q = result.quality
        var text = Units.plural(q.spans, "span") + " in " + Units.plural(q.traces, "trace")
        if q.logs.total > 0 { text += ", " + Units.plural(q.logs.total, "log line") }
        if let ingest = result.ingest {
            let files = ingest.files.filter { $0.status == .ingested || $0.status == .alreadyIngested }.count
            text += " from " + Units.plural(files, "file")
        }
        if let db = result.database { text += " in \(db)" }
        text += "; policy: " + (result.policy.path ?? "built-in defaults")
        return text
    }

    static func word(_ status: RuleResult.Status) -> String {
        switch status {
        case .pass: "pass"
        case .warn: "WARN"
        case .fail: "FAIL"
        case .skipped: "skip"
        }
    }

    static func colour(_ line: String, _ status: RuleResult.Status, _ style: TextStyle) -> String {
        switch status {
        case .pass: style.green(String(line.prefix(4))) + line.dropFirst(4)
        case .warn: style.yellow(line)
        case .fail: style.red(line)
        case .skipped: style.dim(line)
        }
    }

    /// `text` in lines of at most 100 columns: the first after `indent`, the rest after `continuation`.
    static func wrap(_ text: String, indent: String, continuation: String) -> [String] {
        let lines = TextFormat.wrapWords(text, width: 100 - max(indent.count, continuation.count))
        return lines.enumerated().map { ($0.offset == 0 ? indent : continuation) + $0.element }
    }
}
