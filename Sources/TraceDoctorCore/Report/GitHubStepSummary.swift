// `check`'s Markdown for a GitHub Actions job summary (appended to $GITHUB_STEP_SUMMARY): the
// verdict, a table of every rule, each rule that did not pass with its worst traces, and the
// baseline's improvements.

/// The job-summary Markdown of a check.
public enum GitHubStepSummary {
    public static func render(_ result: CheckResult) -> String {
        var md: [String] = []
        md.append("## tracedoctor check: \(icon(result.status)) \(result.status.rawValue.uppercased())")
        md.append("")
        md.append(cell(CheckTextReport.scope(result)) + ". " + cell(result.headline) + ".")
        md.append("")
        md.append("| | rule | threshold | actual |")
        md.append("|---|---|---|---|")
        for r in result.rules {
            let actual = r.status == .skipped ? "skipped: " + r.message : r.actual
            md.append("| \(icon(r.status)) | `\(r.rule.name)` | \(cell(r.threshold)) | \(cell(actual)) |")
        }
        for r in result.violations {
            md.append("")
            md.append("### \(icon(r.status)) `\(r.rule.name)` (\(r.severity.rawValue))")
            md.append("")
            md.append(cell(r.message))
            if !r.details.isEmpty {
                md.append("")
                for d in r.details { md.append("- " + cell(d)) }
            }
            if !r.examples.isEmpty {
                md.append("")
                md.append("Worst traces:")
                md.append("")
                for e in r.examples {
                    md.append("- " + cell(e.summary) + "<br>`" + result.explainCommand(e.traceID) + "`")
                }
            }
        }
        if let b = result.baseline, !(b.improvements.isEmpty && b.notes.isEmpty) {
            md.append("")
            md.append("### Baseline `\(cell(b.path))`")
            md.append("")
            for i in b.improvements { md.append("- improved: " + cell(i)) }
            for n in b.notes { md.append("- note: " + cell(n)) }
        }
        return md.joined(separator: "\n") + "\n\n"
    }

    static func icon(_ status: RuleResult.Status) -> String {
        switch status {
        case .pass: "✅"
        case .warn: "⚠️"
        case .fail: "❌"
        case .skipped: "⏭️"
        }
    }

    /// Safe inside a table cell or a list item: no pipe, no line break, no HTML.
    static func cell(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(ch)
            }
        }
        return out
    }
}
