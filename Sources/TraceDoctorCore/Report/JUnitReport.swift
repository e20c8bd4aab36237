// `check --junit FILE`: one JUnit test case per rule, so that CI dashboards (GitHub test
// reporters, GitLab, Jenkins, Buildkite) show which quality rule broke. The common schema shape:
// testsuites > testsuite > testcase, with failure (error rules violated), skipped (off or nothing
// to measure) and system-out (warnings, which never fail).

import Foundation

/// The JUnit XML of a check.
public enum JUnitReport {
    public static func render(_ result: CheckResult) -> String {
        let tests = result.rules.count
        let failures = result.count(.fail)
        let skipped = result.count(.skipped)
        let time = String(format: "%.3f", result.seconds)
        let counts = "tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(time)\""
        var x: [String] = []
        x.append(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        x.append("<testsuites name=\"tracedoctor check\" \(counts)>")
        x.append("  <testsuite name=\"tracedoctor check\" \(counts)>")
        x.append("    <properties>")
        let q = result.quality
        let properties: [(String, String)] = [
            ("policy", result.policy.path ?? "built-in defaults"), ("traces", String(q.traces)), ("spans", String(q.spans)),
            ("log_lines", String(q.logs.total)), ("tracedoctor_version", TraceDoctorVersion.current),
        ] + (result.baseline.map { [("baseline", $0.path)] } ?? [])
        for (name, value) in properties {
            x.append("      <property name=\"\(attribute(name))\" value=\"\(attribute(value))\"/>")
        }
        x.append("    </properties>")
        for r in result.rules {
            let classname = r.rule.isBaseline ? "tracedoctor.check.baseline" : "tracedoctor.check"
            x.append("    <testcase name=\"\(r.rule.name)\" classname=\"\(classname)\" time=\"0\">")
            let measured = "\(r.actual) (threshold \(r.threshold))"
            switch r.status {
            case .fail:
                x.append(
                    "      <failure message=\"\(attribute(r.message + "; " + measured))\" type=\"\(r.rule.name)\">"
                        + text(body(r, result)) + "</failure>")
            case .skipped:
                x.append("      <skipped message=\"\(attribute(r.message))\"/>")
            case .warn:
                x.append("      <system-out>" + text("warning: " + r.message + "\n" + body(r, result)) + "</system-out>")
            case .pass:
                x.append("      <system-out>" + text("pass: " + measured) + "</system-out>")
            }
            x.append("    </testcase>")
        }
        x.append("  </testsuite>")
        x.append("</testsuites>")
        return x.joined(separator: "\n") + "\n"
    }

    /// What a failure says in full: the numbers, what broke the rule, the worst traces.
    static func body(_ r: RuleResult, _ result: CheckResult) -> String {
        var lines = ["\(r.rule.name): \(r.actual); threshold \(r.threshold); severity \(r.severity.rawValue)"]
        lines += r.details
        if !r.examples.isEmpty {
            lines.append("worst traces:")
            for e in r.examples {
                lines.append("  " + e.summary)
                lines.append("    " + result.explainCommand(e.traceID))
            }
        }
        if let line = r.line, let path = result.policy.path { lines.append("set in \(path):\(line)") }
        return lines.joined(separator: "\n")
    }

    /// Escaped for an attribute value (line breaks kept as character references).
    static func attribute(_ s: String) -> String {
        var out = ""
        for ch in clean(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Escaped for element content.
    static func text(_ s: String) -> String {
        var out = ""
        for ch in clean(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Without the characters XML 1.0 forbids (control characters other than tab and line breaks),
    /// which span names from a dump may hold.
    static func clean(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                s.unicodeScalars.map { c -> Unicode.Scalar in
                    let v = c.value
                    let allowed = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD)
                        || v >= 0x10000
                    return allowed ? c : "\u{FFFD}"
                }))
    }
}
