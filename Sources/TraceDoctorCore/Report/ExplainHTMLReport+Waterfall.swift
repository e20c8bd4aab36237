// The waterfall of the HTML page: the rows of `ExplainWaterfall` as a grid — marks, indented
// label, duration, self time and an inline SVG bar on the trace's time axis — with each span row a
// `<details>` that opens onto the span's attributes, events, resource and log lines.

extension ExplainHTMLReport {
    /// Width of the SVG bars' coordinate system.
    static let barUnits = 1000.0

    static func waterfall(_ e: Explanation, _ view: ExplainWaterfall, _ page: inout HTMLWriter) {
        page.raw("<section id=\"waterfall\">\n<h2>waterfall</h2>\n")
        // The hatch pattern the gap rectangles of every bar refer to.
        page.raw(
            "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
                + "<pattern id=\"gap-hatch\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\" "
                + "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fbe7c0\"/>"
                + "<rect width=\"3\" height=\"8\" fill=\"#e0a030\"/></pattern></defs></svg>\n")
        page.raw(
            "<p class=\"legend\"><span><svg class=\"swatch\" viewBox=\"0 0 20 10\"><rect width=\"20\" height=\"10\" "
                + "fill=\"#3b6fb6\"/></svg>span</span><span><svg class=\"swatch\" viewBox=\"0 0 20 10\"><rect width=\"20\" "
                + "height=\"10\" fill=\"url(#gap-hatch)\"/></svg>unaccounted (gap)</span><span><svg class=\"swatch\" "
                + "viewBox=\"0 0 20 10\"><rect x=\"1\" y=\"1\" width=\"18\" height=\"8\" fill=\"none\" stroke=\"#999\" "
                + "stroke-dasharray=\"3 2\"/></svg>missing parent</span><span>* critical path</span><span>~ clock adjusted"
                + "</span><span>! error</span><span>┆ attached trace</span><span>click a span for its attributes and logs"
                + "</span></p>\n")
        if let summary = view.summary {
            page.raw("<p class=\"folded-summary\">")
            page.text(ExplainTextReport.foldedSentence(summary).replacingOccurrences(of: "--all", with: "explain --all"))
            page.raw(" Click a ≡ row for its spans.</p>\n")
        }
        if !e.intervals.isEmpty {
            // Log intervals: only on a page that has some (pages without keep their bytes).
            page.raw("<style>svg.bar rect.interval { fill: #2a9d8f; opacity: .7; } svg.bar rect.interval.unfinished ")
            page.raw("{ fill: url(#gap-hatch); stroke: #2a9d8f; stroke-dasharray: 3 2; } .intervalrow .label { color: #1d6d63; ")
            page.raw("font-style: italic; }</style>\n")
            page.raw("<p class=\"legend\">log interval rows (⊢) are rebuilt from log events: evidence, never spans</p>\n")
        }
        page.raw("<div class=\"waterfall\">\n")
        axis(e, &page)
        var listed = 0
        for row in view.rows {
            switch row {
            case .span(let n):
                spanRow(e, n, &page)
            case .note(let n, let text):
                page.raw("<div class=\"row note-row\"><span></span><span style=\"grid-column: 2 / -1; padding-left: ")
                page.raw("\(em(e.nodes[n].depth + 1))em\">")
                page.text((text.hasPrefix("clock skew") ? "~ " : "· ") + text)
                page.raw("</span></div>\n")
            case .attachedTrace(let k, let depth):
                let t = e.attachedTraces[k]
                var text = "┆ \(t.relation.name) \(t.traceID.hex) (" + Units.plural(t.spanCount, "span")
                text += t.relation == .fragmentTrace ? ", context lost here" : ", called without context"
                if let c = t.confidence { text += ", confidence " + TextFormat.confidence(c) }
                text += ")"
                if let headline = t.headline { text = "┆ " + headline }
                page.raw("<div class=\"row banner\" data-attached=\"\(k)\"><span></span><span style=\"grid-column: 2 / -1; ")
                page.raw("padding-left: \(em(depth))em\">")
                page.text(text)
                page.raw("</span></div>\n")
            case .gap(let n, let g):
                gapRow(e, n, g, &page)
            case .interval(let k, let depth):
                intervalRow(e, k, depth: depth, &page)
            case .log(let l, let depth):
                page.raw("<ul class=\"logs inline-logs\" style=\"margin-left: \(Double(em(depth)) + 3)em\">")
                logItem(e, l, &page)
                page.raw("</ul>\n")
            case .folded(let count, let reason, _, let depth):
                let why: String
                switch reason {
                case .shorterThan(let ns): why = "under " + Units.duration(ns: ns)
                case .deeperThan(let d): why = "below depth \(d)"
                case .budget: why = "more (explain --all shows them)"
                }
                page.raw("<div class=\"row folded\"><span></span><span style=\"grid-column: 2 / -1; padding-left: \(em(depth))em\">")
                page.text(depthLabel(depth) + "… " + ExplainWaterfall.grouped(count) + (count == 1 ? " span " : " spans ") + why)
                page.raw("</span></div>\n")
            case .group(let g):
                groupRow(e, g, &page, listed: &listed)
            case .nested(let run):
                page.raw("<div class=\"row folded nested\"><span></span><span style=\"grid-column: 2 / -1; padding-left: ")
                page.raw("\(em(run.fromDepth))em\">")
                page.text(depthLabel(run.fromDepth) + ExplainTextReport.nestedText(run))
                page.raw("</span></div>\n")
            }
        }
        page.raw("</div>\n</section>\n")
    }

    /// The deepest level indented; deeper rows start there with their depth written out.
    static let indentLimit = 24

    static func em(_ depth: Int) -> Int { min(depth, indentLimit) }

    static func depthLabel(_ depth: Int) -> String {
        depth > indentLimit ? "[depth \(ExplainWaterfall.grouped(depth))] " : ""
    }

    /// At most this many members of one group are listed when it opens, and this many in all:
    /// the page stays a few MB whatever the trace.
    static let listedPerGroup = 200
    static let listedInAll = 10_000

    /// A group of like siblings: one row that opens (a `<details>`, no script) onto a table of its
    /// members — offset, duration, self time, span ID.
    static func groupRow(_ e: Explanation, _ g: ExplainWaterfall.Group, _ page: inout HTMLWriter, listed: inout Int) {
        page.raw("<details class=\"group\" data-group-parent=\"\(g.parent)\"><summary><span class=\"marks\"></span>")
        page.raw("<span class=\"label\" style=\"padding-left: \(em(g.depth))em\">")
        page.text(depthLabel(g.depth) + "≡ \(g.service): \(g.name) ×" + ExplainWaterfall.grouped(g.nodes.count))
        page.raw("</span><span class=\"num\">")
        page.text(Units.duration(ns: g.medianNs))
        page.raw("</span><span class=\"num\"></span>")
        page.raw(bar(e, g.startNs, g.endNs, gaps: [], spanClass: "span group-extent"))
        page.raw("</summary>\n<div class=\"info\"><p>")
        page.text(ExplainTextReport.groupText(g).dropFirst(2).description)
        page.raw("</p>\n")
        let room = max(0, min(listedPerGroup, listedInAll - listed))
        let shown = g.nodes.prefix(room)
        listed += shown.count
        if !shown.isEmpty {
            page.raw("<table class=\"members\"><tr><td>start</td><td>duration</td><td>self</td><td>span ID</td></tr>")
            for n in shown {
                let node = e.nodes[n]
                page.raw("<tr><td>")
                page.text(TextFormat.offset(e.offset(node.startNs)))
                page.raw("</td><td>")
                page.text(Units.duration(ns: node.durationNs))
                page.raw("</td><td>")
                page.text(TextFormat.duration(node.selfTimeNs))
                page.raw("</td><td>")
                page.text(node.spanID.hex)
                page.raw("</td></tr>")
            }
            page.raw("</table>\n")
        }
        if shown.count < g.nodes.count {
            page.raw("<p>")
            page.text(
                "… and \(ExplainWaterfall.grouped(g.nodes.count - shown.count)) more: "
                    + "explain --all --format html lists every span, explain --format json describes every one")
            page.raw("</p>\n")
        }
        page.raw("</div></details>\n")
    }

    static func axis(_ e: Explanation, _ page: inout HTMLWriter) {
        page.raw("<div class=\"row axis\"><span></span><span></span><span class=\"num\">duration</span>")
        page.raw("<span class=\"num\">self</span><svg class=\"bar\" viewBox=\"0 0 1000 12\" preserveAspectRatio=\"none\">")
        for k in 0...4 {
            page.raw("<rect x=\"\(k == 4 ? 999 : k * 250)\" y=\"0\" width=\"1\" height=\"12\" fill=\"#bbb\"/>")
        }
        page.raw("</svg></div>\n<div class=\"row axis-labels\"><span></span><span></span><span></span><span></span>")
        page.raw("<span style=\"display:flex; justify-content:space-between; color:#666; font-size:.85em\">")
        for k in 0...4 {
            page.raw("<span>")
            page.text(k == 0 ? "0" : Units.duration(ns: e.durationNs * Int64(k) / 4))
            page.raw("</span>")
        }
        page.raw("</span></div>\n")
    }

    /// x and width in bar units of `start..<end` on the trace's axis (at least one unit wide).
    static func extent(_ e: Explanation, _ start: Int64, _ end: Int64) -> (x: Double, width: Double) {
        let total = Double(max(1, e.durationNs))
        let x = max(0, min(barUnits - 1, Double(start - e.startNs) / total * barUnits))
        let w = max(1, min(barUnits - x, Double(end - start) / total * barUnits))
        return ((x * 10).rounded() / 10, (w * 10).rounded() / 10)
    }

    static func bar(_ e: Explanation, _ start: Int64, _ end: Int64, gaps: [(Int64, Int64)], spanClass: String = "span") -> String {
        var svg = "<svg class=\"bar\" viewBox=\"0 0 1000 12\" preserveAspectRatio=\"none\">"
        let (x, w) = extent(e, start, end)
        svg += "<rect class=\"\(spanClass)\" x=\"\(x)\" y=\"2\" width=\"\(w)\" height=\"8\"/>"
        for (gs, ge) in gaps {
            let (gx, gw) = extent(e, gs, ge)
            svg += "<rect class=\"gap\" x=\"\(gx)\" y=\"2\" width=\"\(gw)\" height=\"8\"/>"
        }
        return svg + "</svg>"
    }

    static func spanRow(_ e: Explanation, _ n: Int, _ page: inout HTMLWriter) {
        let node = e.nodes[n]
        var classes = ["spanrow"]
        if node.onCriticalPath { classes.append("critical") }
        if node.isError { classes.append("error") }
        if node.shiftNs != 0 { classes.append("adjusted") }
        if node.isPlaceholder { classes.append("placeholder") }
        if node.attachedTrace != nil { classes.append("attached") }
        page.raw("<details class=\"\(classes.joined(separator: " "))\" id=\"node-\(n)\" data-node=\"\(n)\">")
        page.raw("<summary><span class=\"marks\">")
        page.text((node.onCriticalPath ? "*" : "\u{a0}") + (node.shiftNs != 0 ? "~" : "\u{a0}") + (node.isError ? "!" : "\u{a0}"))
        page.raw("</span><span class=\"label\" style=\"padding-left: \(em(node.depth))em\">")
        page.text(depthLabel(node.depth))
        switch node.role {
        case .missingParent(let remote):
            page.text("? parent " + node.spanID.hex + (remote ? " (remote) not captured" : " never arrived"))
        default:
            page.text("\(node.service): \(node.name)")
        }
        page.raw("</span><span class=\"num\">")
        page.text(Units.duration(ns: node.durationNs))
        page.raw("</span><span class=\"num\">")
        page.text(node.isPlaceholder ? "" : TextFormat.duration(node.selfTimeNs))
        page.raw("</span>")
        page.raw(bar(e, node.startNs, node.endNs, gaps: node.gaps.map { ($0.startNs, $0.endNs) }))
        page.raw("</summary>\n<div class=\"info\">\n")
        info(e, n, &page)
        page.raw("</div></details>\n")
    }

    static func intervalRow(_ e: Explanation, _ k: Int, depth: Int, _ page: inout HTMLWriter) {
        let x = e.intervals[k]
        let i = x.interval
        page.raw("<div class=\"row intervalrow\" data-interval=\"\(k)\"><span></span>")
        page.raw("<span class=\"label\" style=\"padding-left: \(em(depth))em\">")
        var label = (x.startNs == nil ? "⊣ " : "⊢ ") + i.label + " [\(i.service) log, \(x.join.label)"
        if x.startNs == nil { label += ", end without a start" }
        if x.isUnfinished { label += ", unfinished" }
        page.text(label + "]")
        page.raw("</span><span class=\"num\">")
        page.text(x.durationNs.map { Units.duration(ns: $0) } ?? "")
        page.raw("</span><span></span>")
        page.raw(bar(e, x.startNs ?? x.endNs, x.endNs, gaps: [], spanClass: x.isUnfinished ? "interval unfinished" : "interval"))
        page.raw("</div>\n")
    }

    static func gapRow(_ e: Explanation, _ n: Int, _ g: Int, _ page: inout HTMLWriter) {
        let node = e.nodes[n]
        let gap = node.gaps[g]
        page.raw("<div class=\"row gaprow\" data-node=\"\(n)\" data-gap=\"\(g)\"><span></span>")
        page.raw("<span class=\"label\" style=\"padding-left: \(em(node.depth + 1))em\">")
        var label = "unaccounted (" + TextFormat.percent(gap.share) + " of the span"
        label += gap.finding.map { ", finding \($0 + 1))" } ?? ")"
        page.text(label)
        page.raw("</span><span class=\"num\">")
        page.text(Units.duration(ns: gap.lengthNs))
        page.raw("</span><span></span>")
        page.raw(bar(e, gap.startNs, gap.endNs, gaps: [(gap.startNs, gap.endNs)], spanClass: "gap"))
        page.raw("</div>\n")
    }

    /// What opens under a span row: its identity and times, notes, attributes, events, links,
    /// resource, and every log line placed under it or at its gaps.
    static func info(_ e: Explanation, _ n: Int, _ page: inout HTMLWriter) {
        let node = e.nodes[n]
        var facts: [(String, String)] = []
        let traceID = node.attachedTrace.map { e.attachedTraces[$0].traceID } ?? e.traceID
        facts.append(("span ID", node.spanID.hex))
        if node.attachedTrace != nil { facts.append(("trace ID", traceID.hex + " (attached)")) }
        if let span = node.span {
            facts.append(("parent", span.parentSpanID?.hex ?? "none (root)"))
            facts.append(("kind", span.kind.name))
            facts.append(("status", span.status.name + (node.details?.statusMessage.map { ": " + $0 } ?? "")))
            var process = span.process.host ?? "?"
            if let pid = span.process.pid { process += " pid \(pid)" }
            facts.append(("host", process))
            if let scope = node.details?.scopeName {
                facts.append(("scope", scope + (node.details?.scopeVersion.map { " " + $0 } ?? "")))
            }
        } else {
            facts.append(("placeholder", "no span with this ID was ingested; its children are below"))
        }
        facts.append(("start", TextFormat.offset(e.offset(node.startNs)) + " from the trace start"))
        facts.append(("duration", Units.duration(ns: node.durationNs)))
        if node.span != nil { facts.append(("self time", TextFormat.duration(node.selfTimeNs))) }
        if node.shiftNs != 0 { facts.append(("clock shift", TextFormat.signed(node.shiftNs) + " (adjusted for clock skew)")) }
        for note in node.notes { facts.append(("note", note)) }
        for f in node.findings { facts.append(("finding", "\(f + 1). " + e.findings[f].finding.diagnosis.name)) }
        table(facts, &page)
        if let details = node.details {
            section("attributes", JSONValue.parse(details.attributes).members.map { ($0.0, $0.1.displayText) }, &page)
            let events = JSONValue.parse(details.events).elements.map { event -> (String, String) in
                let time = event["time_ns"].flatMap { v -> Int64? in
                    if case .number(let t) = v { return Int64(t) }
                    return nil
                }
                let attributes = event["attributes"].map { $0.members.isEmpty ? "" : $0.compact() } ?? ""
                return (time.map { TextFormat.offset($0 + node.shiftNs - e.startNs) } ?? "?",
                    (event["name"]?.displayText ?? "") + (attributes.isEmpty ? "" : " " + attributes))
            }
            section("events", events, &page)
            section("links", JSONValue.parse(details.links).elements.map { ("link", $0.compact()) }, &page)
            section("resource", JSONValue.parse(details.resourceAttributes).members.map { ($0.0, $0.1.displayText) }, &page)
        }
        let gapLogs = node.gaps.flatMap(\.logs)
        let logs = (node.logs + gapLogs).sorted()
        if !logs.isEmpty {
            page.raw("<h3>logs (\(logs.count))</h3>\n<ul class=\"logs\">\n")
            for l in logs { logItem(e, l, &page) }
            page.raw("</ul>\n")
        }
    }

    static func section(_ title: String, _ rows: [(String, String)], _ page: inout HTMLWriter) {
        guard !rows.isEmpty else { return }
        page.raw("<h3>")
        page.text(title)
        page.raw("</h3>\n")
        table(rows, &page)
    }

    static func table(_ rows: [(String, String)], _ page: inout HTMLWriter) {
        page.raw("<table>")
        for (key, value) in rows {
            page.raw("<tr><td>")
            page.text(key)
            page.raw("</td><td>")
            page.text(value)
            page.raw("</td></tr>")
        }
        page.raw("</table>\n")
    }
}
