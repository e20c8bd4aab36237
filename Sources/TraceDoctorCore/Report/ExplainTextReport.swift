// `explain` in text: the header numbers, the ranked diagnosis (each finding with its evidence,
// the log lines written during its gap and what to check), the waterfall, and the trace's log
// lines that match no span. Readable at 80 columns and in a plain log; colour only when asked.

import Foundation

public enum ExplainTextReport {
    /// How the text is laid out.
    public struct Layout: Sendable {
        /// Columns available (at least 60).
        public var width: Int
        public var maxDepth: Int?
        public var minDurationNs: Int64
        /// Rows of the waterfall before a big trace is summarised (nil: never, `--all`).
        public var rowBudget: Int?

        public init(
            width: Int = 100, maxDepth: Int? = nil, minDurationNs: Int64 = 0,
            rowBudget: Int? = ExplainWaterfall.defaultRowBudget
        ) {
            self.width = max(60, width)
            self.maxDepth = maxDepth
            self.minDurationNs = minDurationNs
            self.rowBudget = rowBudget
        }
    }

    public static func render(_ e: Explanation, layout: Layout = Layout(), style: TextStyle = .plain) -> String {
        var out = header(e, layout: layout, style: style)
        out.append("")
        out += findings(e, layout: layout, style: style)
        out.append("")
        out += waterfall(e, layout: layout, style: style)
        let unmatched = e.unmatchedLogs
        if !unmatched.isEmpty {
            out.append("")
            out.append(style.bold("logs of the trace that match no span") + ": \(unmatched.count)")
            for l in unmatched { out.append(logLine(e, l, indent: 2, layout: layout, style: style, withService: true)) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: Header

    static func header(_ e: Explanation, layout: Layout, style: TextStyle) -> [String] {
        var rows: [(String, String)] = [("trace", e.traceID.hex)]
        if let r = e.rootNode, let span = e.nodes[r].span {
            rows.append(("root", "\(span.service): \(span.name) (\(span.kind.name))"))
        } else {
            rows.append(("root", "none: every top-level span names a parent that is not in the trace"))
        }
        rows.append(("start", dateTime(e.rawStartNs)))
        rows.append(
            ("duration", Units.duration(ns: e.durationNs) + (e.adjustedSpanCount > 0 ? " (after clock-skew adjustment)" : "")))
        var spans = "\(e.spanCount)"
        if !e.attachedTraces.isEmpty {
            let n = e.attachedTraces.reduce(0) { $0 + $1.spanCount }
            spans += " (+\(n) in " + Units.plural(e.attachedTraces.count, "attached trace") + ")"
        }
        rows.append(("spans", spans))
        rows.append(("services", e.services.joined(separator: ", ")))
        if let c = e.coverage {
            rows.append(
                ("coverage", "spans account for \(Units.duration(ns: c.coveredNs)) of \(Units.duration(ns: c.durationNs)) — "
                    + TextFormat.percent(c.ratio)))
        }
        if let fragment = e.diagnosis.fragmentOf {
            var text = "this trace is a fragment (\(fragment.root.kind.name) root `\(fragment.root.name)`)"
            if let parent = fragment.suspectedParent {
                text += " of \(parent.span.service) `\(parent.span.name)` in trace \(parent.span.traceID.hex) "
                    + "(confidence \(TextFormat.confidence(parent.confidence)))"
            }
            rows.append(("fragment", text))
        }
        switch e.logSelection {
        case .all: rows.append(("logs", logCount(e)))
        case .errors: rows.append(("logs", logCount(e) + " (errors only)"))
        case .none: rows.append(("logs", "not read (--logs none)"))
        }
        if let clock = e.logClock { rows.append(("log clock", clock.advice)) }
        var out: [String] = []
        for (label, value) in rows {
            let lines = TextFormat.wrapWords(value, width: layout.width - 10)
            out.append(style.bold(label.padding(toLength: 10, withPad: " ", startingAt: 0)) + lines[0])
            for line in lines.dropFirst() { out.append(String(repeating: " ", count: 10) + line) }
        }
        return out
    }

    static func logCount(_ e: Explanation) -> String {
        let linked = e.logs.filter { $0.link != .unlinked }.count
        let unlinked = e.logs.count - linked
        var text = Units.plural(linked, "line")
        if unlinked > 0 { text += ", and " + Units.plural(unlinked, "line") + " without trace ID written during a gap" }
        return text
    }

    /// `2026-11-22 02:45:07.797 UTC`.
    static func dateTime(_ ns: Int64) -> String {
        let day = TextFormat.dateTime(ns).prefix(10)
        return day + " " + TextFormat.clock(ns) + " UTC"
    }

    // MARK: Diagnosis

    static func findings(_ e: Explanation, layout: Layout, style: TextStyle) -> [String] {
        guard !e.findings.isEmpty else {
            return [style.bold("diagnosis") + "  nothing wrong found"]
        }
        var out = [style.bold("diagnosis") + "  " + Units.plural(e.findings.count, "finding") + ", largest time at stake first"]
        let width = layout.width - 4
        for (k, f) in e.findings.enumerated() {
            let finding = f.finding
            var head = "\(k + 1)".leftPadded(2) + ". " + finding.diagnosis.name
            if finding.timeAtStakeNs > 0 { head += "  " + Units.duration(ns: finding.timeAtStakeNs) }
            if let c = finding.confidence { head += "  confidence " + TextFormat.confidence(c) }
            if !finding.isDefect { head += "  (expected; not a defect)" }
            out.append(finding.isDefect ? style.heading(head, defect: true) : style.dim(head))
            var summary = finding.summary
            let gapLogs = f.logs
            if let first = gapLogs.first, let node = f.node, let g = f.gap {
                summary += "; " + said(e, first, spanStart: e.nodes[node].gaps[g].spanStartNs)
            }
            out += TextFormat.wrapWords(summary, width: width).map { "    " + $0 }
            if let node = f.node, let g = f.gap {
                let spanStart = e.nodes[node].gaps[g].spanStartNs
                for l in gapLogs.dropFirst().prefix(3) {
                    out += hanging("also", said(e, l, spanStart: spanStart, quoted: true), width: layout.width, style: style)
                }
                if gapLogs.count > 4 {
                    out.append("    … and \(gapLogs.count - 4) more lines in the gap (see the waterfall)")
                }
            }
            if let node = f.node, let g = f.gap, let sentence = e.intervalSentence(e.nodes[node].gaps[g]) {
                out += hanging("logs", sentence, width: layout.width, style: style)
            }
            for item in finding.evidence {
                out += hanging("why", item, width: layout.width, style: style)
            }
            out += hanging("check", finding.advice, width: layout.width, style: style)
        }
        return out
    }

    /// `the log says 'waiting for LLM rate-limit token' at +2.13 ms` (offset from the span's start).
    static func said(_ e: Explanation, _ l: Int, spanStart: Int64, quoted: Bool = false) -> String {
        let entry = e.logs[l]
        let message = TextFormat.fit(entry.log.firstLine.text, 80)
        let at = entry.adjustedTimeNs.map { " at " + TextFormat.offset($0 - spanStart) } ?? ""
        if quoted {
            return "'\(message)'\(at)" + (entry.link == .unlinked ? " (\(entry.log.service), no trace ID)" : "")
        }
        if entry.link == .unlinked {
            return "a line of \(entry.log.service) without trace ID says '\(message)'\(at)"
        }
        return "the log says '\(message)'\(at)"
    }

    /// `    label  text`, wrapped under the text.
    static func hanging(_ label: String, _ text: String, width: Int, style: TextStyle) -> [String] {
        let pad = 4 + 7
        let lines = TextFormat.wrapWords(text, width: width - pad)
        var out = ["    " + style.dim(label.padding(toLength: 7, withPad: " ", startingAt: 0)) + lines[0]]
        for line in lines.dropFirst() { out.append(String(repeating: " ", count: pad) + line) }
        return out
    }
}

extension String {
    /// Padded on the left to `width` characters.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }

    /// Padded on the right to `width` characters (not cut).
    func rightPadded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
