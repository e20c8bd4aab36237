// `explain --format html`: one self-contained page (inline CSS and SVG, no script, no network, no
// external font) — the header, the ranked diagnosis, then the waterfall: one row per span with a
// bar showing where in the trace it ran, gaps hatched, placeholders for missing parents dashed,
// attached traces dimmed; each span row opens (a `<details>` element: click it) onto its
// attributes, events, resource and log lines. Gap rows carry the log lines written during them.

/// The HTML page of an explanation.
public enum ExplainHTMLReport {
    public static func render(
        _ e: Explanation, maxDepth: Int? = nil, minDurationNs: Int64 = 0,
        rowBudget: Int? = ExplainWaterfall.defaultRowBudget
    ) -> String {
        let view = ExplainWaterfall(e, maxDepth: maxDepth, minDurationNs: minDurationNs, rowBudget: rowBudget)
        var page = HTMLWriter()
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        page.raw("<title>")
        page.text("trace \(e.traceID.hex) — tracedoctor explain")
        page.raw("</title>\n<style>\n\(css)</style>\n</head>\n<body>\n")
        header(e, &page)
        diagnosis(e, &page)
        waterfall(e, view, &page)
        unmatched(e, &page)
        page.raw("</body>\n</html>\n")
        return page.html
    }

    // MARK: Header and diagnosis

    static func header(_ e: Explanation, _ page: inout HTMLWriter) {
        page.raw("<header>\n<h1>trace <code id=\"trace-id\">")
        page.text(e.traceID.hex)
        page.raw("</code></h1>\n<dl class=\"facts\">\n")
        func fact(_ label: String, _ value: String) {
            page.raw("<dt>")
            page.text(label)
            page.raw("</dt><dd>")
            page.text(value)
            page.raw("</dd>\n")
        }
        if let r = e.rootNode, let span = e.nodes[r].span {
            fact("root", "\(span.service): \(span.name) (\(span.kind.name))")
        } else {
            fact("root", "none: every top-level span names a parent that is not in the trace")
        }
        fact("start", ExplainTextReport.dateTime(e.rawStartNs))
        fact("duration", Units.duration(ns: e.durationNs) + (e.adjustedSpanCount > 0 ? " (after clock-skew adjustment)" : ""))
        var spans = "\(e.spanCount)"
        if !e.attachedTraces.isEmpty {
            spans += " (+\(e.attachedTraces.reduce(0) { $0 + $1.spanCount }) in "
                + Units.plural(e.attachedTraces.count, "attached trace") + ")"
        }
        fact("spans", spans)
        fact("services", e.services.joined(separator: ", "))
        if let c = e.coverage {
            fact(
                "coverage",
                "spans account for \(Units.duration(ns: c.coveredNs)) of \(Units.duration(ns: c.durationNs)) — "
                    + TextFormat.percent(c.ratio))
        }
        if let fragment = e.diagnosis.fragmentOf, let parent = fragment.suspectedParent {
            fact(
                "fragment",
                "this trace is a fragment of \(parent.span.service) `\(parent.span.name)` in trace \(parent.span.traceID.hex) "
                    + "(confidence \(TextFormat.confidence(parent.confidence)))")
        }
        fact("logs", e.logSelection == .none ? "not read (--logs none)" : ExplainTextReport.logCount(e))
        if let clock = e.logClock { fact("log clock", clock.advice) }
        page.raw("</dl>\n</header>\n")
    }

    static func diagnosis(_ e: Explanation, _ page: inout HTMLWriter) {
        page.raw("<section id=\"diagnosis\">\n<h2>diagnosis</h2>\n")
        guard !e.findings.isEmpty else {
            page.raw("<p class=\"ok\">nothing wrong found</p>\n</section>\n")
            return
        }
        page.raw("<ol class=\"findings\">\n")
        for (k, f) in e.findings.enumerated() {
            let finding = f.finding
            page.raw("<li id=\"finding-\(k + 1)\" class=\"finding\(finding.isDefect ? " defect" : " expected")\">")
            page.raw("<div class=\"finding-head\"><span class=\"diagnosis\">")
            page.text(finding.diagnosis.name)
            page.raw("</span>")
            if finding.timeAtStakeNs > 0 {
                page.raw(" <span class=\"stake\">")
                page.text(Units.duration(ns: finding.timeAtStakeNs))
                page.raw("</span>")
            }
            if let c = finding.confidence {
                page.raw(" <span class=\"confidence\">confidence \(TextFormat.confidence(c))</span>")
            }
            if !finding.isDefect { page.raw(" <span class=\"note\">(expected; not a defect)</span>") }
            if let n = f.node { page.raw(" <a href=\"#node-\(n)\">show span</a>") }
            page.raw("</div>\n<p class=\"summary\">")
            page.text(finding.summary)
            page.raw("</p>\n")
            if let node = f.node, let g = f.gap, !f.logs.isEmpty {
                let spanStart = e.nodes[node].gaps[g].spanStartNs
                page.raw("<ul class=\"said\">\n")
                for l in f.logs.prefix(5) {
                    page.raw("<li>")
                    page.text(ExplainTextReport.said(e, l, spanStart: spanStart))
                    page.raw("</li>\n")
                }
                page.raw("</ul>\n")
            }
            if let node = f.node, let g = f.gap, let sentence = e.intervalSentence(e.nodes[node].gaps[g]) {
                page.raw("<p class=\"why interval-evidence\"><b>logs</b> ")
                page.text(sentence)
                page.raw("</p>\n")
            }
            for item in finding.evidence {
                page.raw("<p class=\"why\"><b>why</b> ")
                page.text(item)
                page.raw("</p>\n")
            }
            page.raw("<p class=\"check\"><b>check</b> ")
            page.text(finding.advice)
            page.raw("</p>\n</li>\n")
        }
        page.raw("</ol>\n</section>\n")
    }

    static func unmatched(_ e: Explanation, _ page: inout HTMLWriter) {
        let unmatched = e.unmatchedLogs
        guard !unmatched.isEmpty else { return }
        page.raw("<section id=\"unmatched-logs\">\n<h2>logs of the trace that match no span (\(unmatched.count))</h2>\n")
        page.raw("<ul class=\"logs\">\n")
        for l in unmatched { logItem(e, l, &page, withService: true) }
        page.raw("</ul>\n</section>\n")
    }

    /// One log line as a list item: offset, level, service (at the end), message, why it is here.
    static func logItem(_ e: Explanation, _ l: Int, _ page: inout HTMLWriter, withService: Bool = false) {
        let entry = e.logs[l]
        let log = entry.log
        page.raw("<li class=\"log\(log.isError ? " error" : "")\(entry.link == .unlinked ? " unlinked" : "")\" data-log=\"\(l)\">")
        page.raw("<span class=\"at\">")
        page.text(entry.adjustedTimeNs.map { TextFormat.offset(e.offset($0)) } ?? "?")
        page.raw("</span> <span class=\"level\">")
        page.text(log.level)
        page.raw("</span> ")
        if withService || entry.link == .unlinked || entry.link == .key {
            page.raw("<span class=\"service\">")
            page.text(log.service)
            page.raw("</span> ")
        }
        page.raw("<span class=\"body\">")
        page.text(log.body)
        page.raw("</span>")
        let why: String? =
            switch entry.link {
            case .unlinked: "no trace ID: written by this service during the gap"
            case .messageID: "no trace ID: joined by the message ID a producer of this trace sent"
            case .key: "no trace ID: joined by key \(entry.joinKey?.field ?? "?")=\(entry.joinValue ?? "?")"
            case .trace: log.spanID.map { "span \($0.hex) is not in the trace" } ?? "no span ID"
            case .missingParent: "names the missing parent"
            case .span: nil
            }
        if let why {
            page.raw(" <span class=\"why-here\">[")
            page.text(why)
            page.raw("]</span>")
        }
        page.raw("</li>\n")
    }

    static let css = """
        :root { --span: #3b6fb6; --crit: #1d3f73; --gap: #e0a030; --err: #c0392b; --attached: #8a8a8a; --bg: #fff; --fg: #1b1b1b; }
        * { box-sizing: border-box; }
        body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 1.5em; }
        code, .mono, .at, .level, .num { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        h1 { font-size: 1.3em; margin: 0 0 .4em; } h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; margin: 0; }
        dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
        ol.findings { padding-left: 1.6em; } li.finding { margin-bottom: .8em; }
        .finding-head .diagnosis { font-weight: 700; } li.defect .diagnosis { color: var(--err); }
        li.expected { color: #666; } .stake { font-weight: 600; } .confidence, .note { color: #666; }
        .finding p { margin: .15em 0; } .why b, .check b { display: inline-block; width: 3.5em; color: #666; font-weight: 500; }
        ul.said { margin: .2em 0; padding-left: 1.2em; color: #5a3c00; }
        .legend { color: #555; margin: .3em 0 .6em; } .legend span { margin-right: 1.2em; }
        .swatch { display: inline-block; width: 1.6em; height: .8em; vertical-align: middle; margin-right: .3em; }
        .waterfall { border-top: 1px solid #ddd; }
        .row, .waterfall summary { display: grid; grid-template-columns: 2.6em minmax(14em, 34%) 5.5em 5.5em 1fr; align-items: center;
            gap: 0 .4em; min-height: 1.6em; }
        .waterfall details > summary { list-style: none; cursor: pointer; } .waterfall summary::-webkit-details-marker { display: none; }
        .waterfall details[open] > summary, .waterfall summary:hover { background: #eef3fb; }
        .waterfall details:target > summary { outline: 2px solid var(--gap); }
        .label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .marks { font-family: ui-monospace, monospace; color: #555; } .num { text-align: right; color: #333; }
        svg.bar { width: 100%; height: 12px; display: block; }
        svg.bar rect.span { fill: var(--span); } .critical svg.bar rect.span { fill: var(--crit); }
        .error svg.bar rect.span { fill: var(--err); } .error .label { color: var(--err); }
        svg.bar rect.gap { fill: url(#gap-hatch); stroke: var(--gap); stroke-width: 1; vector-effect: non-scaling-stroke; }
        .placeholder svg.bar rect.span { fill: none; stroke: #999; stroke-dasharray: 4 3; stroke-width: 1; vector-effect: non-scaling-stroke; }
        .placeholder .label { color: #8a5a00; font-style: italic; }
        .attached { opacity: .55; } .attached .label::before { content: "┆ "; color: #999; }
        .critical .label { font-weight: 600; }
        .gaprow .label { color: #8a5a00; } .note-row, .folded { color: #777; font-size: .92em; }
        .banner { color: #8a5a00; font-size: .92em; }
        .info { margin: .2em 0 .6em 3em; padding: .4em .8em; border-left: 3px solid #cbd6e8; background: #f8fafd; }
        .info table { border-collapse: collapse; font-size: .92em; } .info td { padding: .05em .8em .05em 0; vertical-align: top; }
        .info td:first-child { color: #555; white-space: nowrap; } .info h3 { font-size: 1em; margin: .5em 0 .2em; }
        ul.logs { list-style: none; margin: 0; padding: 0; } li.log { white-space: pre-wrap; font-size: .92em; }
        li.log .at { color: #666; display: inline-block; min-width: 6.5em; text-align: right; } li.log .level { color: #666; }
        li.log.error .body { color: var(--err); } li.log.unlinked .body { font-style: italic; } .why-here, .service { color: #777; }
        .inline-logs { margin-left: 3em; }
        .folded-summary { color: #8a5a00; } details.group > summary .label { font-weight: 600; }
        svg.bar rect.group-extent { fill: #9db4d8; } table.members td { padding: 0 .8em 0 0; text-align: right; }
        """
}

/// Builds HTML text, escaping what it is given as text.
struct HTMLWriter {
    var html = ""

    mutating func raw(_ s: String) { html += s }

    mutating func text(_ s: String) { html += Self.escape(s) }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(c)
            case "\u{00}"..."\u{1F}", "\u{7F}"..."\u{9F}": out += TextFormat.printable(String(c))
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
