// GitHub Actions workflow commands for `check` (printed when GITHUB_ACTIONS=true): one `::error`
// per failed rule and one `::warning` per warning, pointing at the rule's line in the policy file
// when there is one, escaped as GitHub documents (data: `%`, CR, LF; properties also `:` and `,`).

/// `::error`/`::warning` annotations of a check.
public enum GitHubAnnotations {
    public static func render(_ result: CheckResult) -> String {
        var lines: [String] = []
        for r in result.violations {
            let command = r.status == .fail ? "error" : "warning"
            var properties: [(String, String)] = []
            if let path = result.policy.path, let line = r.line {
                properties.append(("file", path))
                properties.append(("line", String(line)))
            }
            properties.append(("title", "tracedoctor check: \(r.rule.name)"))
            var message = r.message + "\n" + "\(r.actual); threshold \(r.threshold)"
            for d in r.details.prefix(5) { message += "\n" + d }
            if let e = r.examples.first {
                message += "\nworst: " + e.summary + "\n" + result.explainCommand(e.traceID)
            }
            let props = properties.map { "\($0.0)=\(escapeProperty($0.1))" }.joined(separator: ",")
            lines.append("::\(command) \(props)::\(escapeData(message))")
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    /// A command's message: `%`, CR and LF encoded.
    public static func escapeData(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A property value: as data, and `:` and `,` too.
    public static func escapeProperty(_ s: String) -> String {
        var out = ""
        for ch in escapeData(s).unicodeScalars {
            switch ch {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
