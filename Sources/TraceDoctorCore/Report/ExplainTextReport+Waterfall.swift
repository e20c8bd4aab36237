// The waterfall of `explain` in text: one line per span — marks, indented label, duration, self
// time and a bar showing where in the trace it ran, gaps in a lighter fill — with notes, gaps,
// log lines and folded spans on their own lines.

extension ExplainTextReport {
    /// Column widths for a line width.
    struct Columns {
        let width: Int
        let bar: Int
        let label: Int
        static let marks = 3
        static let number = 8

        init(width: Int) {
            self.width = width
            bar = max(10, (width - Self.marks) * 3 / 10)
            label = width - Self.marks - 1 - Self.number - 1 - Self.number - 2 - bar
        }

        /// The deepest level indented; deeper rows start there with their depth (`[depth 1,234] `).
        var indentLimit: Int { label / 4 }

        /// Indentation for `depth`, at most half the label; below that, the depth written out.
        func indent(_ depth: Int) -> String {
            guard depth > indentLimit else { return String(repeating: " ", count: depth * 2) }
            let tag = "[depth \(ExplainWaterfall.grouped(depth))] "
            return String(repeating: " ", count: max(0, indentLimit * 2 - tag.count)) + tag
        }
    }

    static let spanFill: Character = "█"
    static let gapFill: Character = "░"
    static let unknownFill: Character = "▒"

    static func waterfall(_ e: Explanation, layout: Layout, style: TextStyle) -> [String] {
        let columns = Columns(width: layout.width)
        let view = ExplainWaterfall(
            e, maxDepth: layout.maxDepth, minDurationNs: layout.minDurationNs, rowBudget: layout.rowBudget)
        var out: [String] = []
        // The legend on the heading's line when it fits, else on a line of its own (never broken).
        let heading = "waterfall  offsets from the trace start"
        let legend = "* critical path  ~ clock adjusted  ! error  ░ unaccounted  ▒ missing parent"
            + (e.intervals.isEmpty ? "" : "  ═ log interval")
        if heading.count + 2 + legend.count <= layout.width {
            out.append(style.bold("waterfall") + "  offsets from the trace start  " + style.dim(legend))
        } else {
            out.append(style.bold("waterfall") + "  offsets from the trace start")
            out.append(style.dim(TextFormat.fit(legend, layout.width)))
        }
        let axisRight = Units.duration(ns: e.durationNs)
        let axis = "0" + String(repeating: " ", count: max(1, columns.bar - 1 - axisRight.count)) + axisRight
        if let summary = view.summary {
            out += TextFormat.wrapWords(foldedSentence(summary), width: layout.width).map { style.yellow($0) }
        }
        out.append(
            String(repeating: " ", count: Columns.marks + columns.label + 1) + "duration".leftPadded(Columns.number) + " "
                + "self".leftPadded(Columns.number) + "  " + style.dim(axis))
        for row in view.rows {
            switch row {
            case .span(let n):
                out.append(spanLine(e, n, columns, style))
            case .note(let n, let text):
                let mark = text.hasPrefix("clock skew") ? "~ " : "· "
                let line = String(repeating: " ", count: Columns.marks) + columns.indent(e.nodes[n].depth + 1) + mark + text
                out.append(style.dim(TextFormat.fit(line, layout.width)))
            case .attachedTrace(let k, let depth):
                let t = e.attachedTraces[k]
                var text = "┆ \(t.relation.name) \(t.traceID.hex.prefix(8))… (" + Units.plural(t.spanCount, "span")
                text += t.relation == .fragmentTrace ? ", context lost" : ", called without context"
                if let c = t.confidence { text += ", confidence " + TextFormat.confidence(c) }
                text += ")"
                if let headline = t.headline { text = "┆ " + headline }
                let line = String(repeating: " ", count: Columns.marks) + columns.indent(depth) + text
                out.append(style.yellow(TextFormat.fit(line, layout.width)))
            case .gap(let n, let g):
                out.append(gapLine(e, n, g, columns, style))
            case .log(let l, let depth):
                out.append(logLine(e, l, indent: Columns.marks + columns.indent(depth).count, layout: layout, style: style))
            case .interval(let k, let depth):
                out.append(intervalLine(e, k, depth: depth, columns, style))
            case .folded(let count, let reason, _, let depth):
                let why: String
                switch reason {
                case .shorterThan(let ns): why = "under " + Units.duration(ns: ns)
                case .deeperThan(let d): why = "below depth \(d)"
                case .budget: why = "more (--all shows them)"
                }
                let line = String(repeating: " ", count: Columns.marks) + columns.indent(depth) + "… "
                    + ExplainWaterfall.grouped(count) + (count == 1 ? " span " : " spans ") + why
                out.append(style.dim(TextFormat.fit(line, layout.width)))
            case .group(let g):
                let line = String(repeating: " ", count: Columns.marks) + columns.indent(g.depth) + groupText(g)
                out.append(TextFormat.fit(line, layout.width))
            case .nested(let run):
                let line = String(repeating: " ", count: Columns.marks) + columns.indent(run.fromDepth) + nestedText(run)
                out.append(style.dim(TextFormat.fit(line, layout.width)))
            }
        }
        return out
    }

    /// `≡ worker: item 7 ×2,000: 8 µs each (p50), 16 ms total, 2.1% of the parent`.
    static func groupText(_ g: ExplainWaterfall.Group) -> String {
        var text = "≡ \(g.service): \(g.name) ×" + ExplainWaterfall.grouped(g.nodes.count) + ": "
        text += Units.duration(ns: g.medianNs) + " each (p50), " + Units.duration(ns: g.totalNs) + " total, "
        text += TextFormat.percent(g.shareOfParent) + " of the parent"
        let below = g.spanCount - g.nodes.count
        if below > 0 { text += " (+" + ExplainWaterfall.grouped(below) + (below == 1 ? " span below)" : " spans below)") }
        return text
    }

    /// `… resolve ×99,996 nested, depth 2 to 99,997`.
    static func nestedText(_ run: ExplainWaterfall.Nested) -> String {
        var text = "… "
        if let service = run.service, let name = run.name {
            text += "\(service): \(name) ×" + ExplainWaterfall.grouped(run.nodes.count) + " nested"
        } else {
            text += ExplainWaterfall.grouped(run.nodes.count) + " nested spans on the way down"
        }
        let beside = run.spanCount - run.nodes.count
        if beside > 0 { text += " (+" + ExplainWaterfall.grouped(beside) + " beside them)" }
        return text + ", depth " + ExplainWaterfall.grouped(run.fromDepth) + " to " + ExplainWaterfall.grouped(run.toDepth)
    }

    /// What the row budget folded, in one sentence.
    static func foldedSentence(_ s: ExplainWaterfall.Summary) -> String {
        var parts: [String] = []
        if s.groups > 0 {
            parts.append(
                ExplainWaterfall.grouped(s.groupedSpans) + " in " + Units.plural(s.groups, "group")
                    + " of siblings with the same service and name (≡)")
        }
        if s.nestedRuns > 0 {
            parts.append(ExplainWaterfall.grouped(s.nestedSpans) + " in " + Units.plural(s.nestedRuns, "nested run"))
        }
        if s.foldedSpans > 0 { parts.append(ExplainWaterfall.grouped(s.foldedSpans) + " in … rows") }
        return "folded: " + ExplainWaterfall.grouped(s.shownSpans) + " of " + ExplainWaterfall.grouped(s.totalSpans)
            + " spans shown to stay near \(s.rowBudget) rows; " + parts.joined(separator: ", ")
            + ". Spans with an error, a finding, a gap, a log line or a large share of the critical path are always shown; "
            + "--all shows every span, --depth N the first N levels."
    }

    static func spanLine(_ e: Explanation, _ n: Int, _ c: Columns, _ style: TextStyle) -> String {
        let node = e.nodes[n]
        var marks = node.onCriticalPath ? "*" : " "
        marks += node.shiftNs != 0 ? "~" : " "
        marks += node.isError ? "!" : " "
        var label = c.indent(node.depth)
        if node.attachedTrace != nil { label += "┆ " }
        switch node.role {
        case .missingParent(let remote):
            label += "? parent " + node.spanID.hex + (remote ? " (remote) not captured" : " never arrived")
        default:
            label += "\(node.service): \(node.name)"
        }
        label = TextFormat.fit(label, c.label).rightPadded(c.label)
        let duration = Units.duration(ns: node.durationNs).leftPadded(Columns.number)
        let own = (node.isPlaceholder ? "" : TextFormat.duration(node.selfTimeNs)).leftPadded(Columns.number)
        let bar = barCells(e, start: node.startNs, end: node.endNs, gaps: node.gaps.map { ($0.startNs, $0.endNs) }, c.bar,
            fill: node.isPlaceholder ? unknownFill : spanFill)
        var styledMarks = marks
        if style.enabled {
            styledMarks = (node.onCriticalPath ? style.bold("*") : " ") + (node.shiftNs != 0 ? style.yellow("~") : " ")
                + (node.isError ? style.red("!") : " ")
        }
        var text = label + " " + duration + " " + own
        var barText = colourBar(bar, style)
        if node.attachedTrace != nil || node.isPlaceholder {
            text = style.dim(text)
            barText = style.dim(trimmed(String(bar)))
        } else if node.isError {
            text = style.red(text)
        } else if node.onCriticalPath {
            text = style.bold(text)
        }
        return trimmed(styledMarks + text + "  " + barText)
    }

    static func gapLine(_ e: Explanation, _ n: Int, _ g: Int, _ c: Columns, _ style: TextStyle) -> String {
        let node = e.nodes[n]
        let gap = node.gaps[g]
        var label = c.indent(node.depth + 1) + "░ unaccounted (" + TextFormat.percent(gap.share) + " of the span"
        label += gap.finding.map { ", finding \($0 + 1))" } ?? ")"
        label = TextFormat.fit(label, c.label).rightPadded(c.label)
        let duration = Units.duration(ns: gap.lengthNs).leftPadded(Columns.number)
        let bar = barCells(e, start: gap.startNs, end: gap.endNs, gaps: [(gap.startNs, gap.endNs)], c.bar, fill: gapFill)
        return trimmed(
            String(repeating: " ", count: Columns.marks) + style.yellow(label + " " + duration) + " "
                + String(repeating: " ", count: Columns.number) + "  " + colourBar(bar, style))
    }

    static let intervalFill: Character = "═"

    /// A log interval: `⊢ node llm-1 completed  [worker log, key execution_id]`, its duration and a
    /// bar in its own fill (`…` at the end of one that never ended).
    static func intervalLine(_ e: Explanation, _ k: Int, depth: Int, _ c: Columns, _ style: TextStyle) -> String {
        let x = e.intervals[k]
        let i = x.interval
        var label = c.indent(depth) + (x.startNs == nil ? "⊣ " : "⊢ ") + i.label + "  [\(i.service) log, \(x.join.label)"
        if x.startNs == nil { label += ", end without a start" }
        if x.isUnfinished { label += ", unfinished" }
        label += "]"
        label = TextFormat.fit(label, c.label).rightPadded(c.label)
        let duration = (x.durationNs.map { Units.duration(ns: $0) } ?? "").leftPadded(Columns.number)
        var bar = barCells(e, start: x.startNs ?? x.endNs, end: x.endNs, gaps: [], c.bar, fill: intervalFill)
        if x.isUnfinished, let last = bar.lastIndex(of: intervalFill) { bar[last] = "…" }
        if x.startNs == nil, let last = bar.lastIndex(of: intervalFill) { bar[last] = "┤" }
        let text = label + " " + duration + " " + String(repeating: " ", count: Columns.number) + "  "
        return trimmed(String(repeating: " ", count: Columns.marks) + style.cyan(text + String(bar)))
    }

    /// A log line: offset from the trace start, level, message (cut to the width).
    static func logLine(
        _ e: Explanation, _ l: Int, indent: Int, layout: Layout, style: TextStyle, withService: Bool = false
    ) -> String {
        let entry = e.logs[l]
        let log = entry.log
        let at = entry.adjustedTimeNs.map { TextFormat.offset(e.offset($0)) } ?? "?"
        var message = log.firstLine.text
        if log.firstLine.moreLines > 0 { message += " (+" + Units.plural(log.firstLine.moreLines, "line") + ")" }
        switch entry.link {
        case .unlinked: message += "  [\(log.service), no trace ID]"
        case .messageID: message += "  [joined by message ID]"
        case .key: message += "  [\(log.service), joined by key \(entry.joinKey?.field ?? "?")=\(entry.joinValue ?? "?")]"
        case .trace where log.spanID != nil: message += "  [span \(log.spanID!.hex) is not in the trace]"
        case .trace: message += "  [no span ID]"
        case .missingParent: message += "  [names the missing parent]"
        case .span: break
        }
        let service = withService ? log.service.rightPadded(10) + " " : ""
        let prefix = String(repeating: " ", count: indent) + at.leftPadded(9) + "  " + log.level.rightPadded(5) + " " + service
        let line = TextFormat.fit(prefix + message, layout.width)
        guard style.enabled else { return trimmed(line) }
        let head = String(line.prefix(prefix.count))
        let body = String(line.dropFirst(prefix.count))
        return trimmed(style.dim(head) + (log.isError ? style.red(body) : body))
    }

    /// The bar: `fill` where the interval ran, the gap fill over its gaps, blanks elsewhere.
    static func barCells(
        _ e: Explanation, start: Int64, end: Int64, gaps: [(Int64, Int64)], _ width: Int, fill: Character
    ) -> [Character] {
        var cells = [Character](repeating: " ", count: width)
        let total = Double(max(1, e.durationNs))
        func cell(_ ns: Int64) -> Double { Double(ns - e.startNs) / total * Double(width) }
        let first = max(0, min(width - 1, Int(cell(start).rounded(.down))))
        let last = max(first, min(width - 1, Int(cell(end).rounded(.up)) - 1))
        for k in first...last { cells[k] = fill }
        for (gs, ge) in gaps {
            for k in first...last {
                let middle = (Double(k) + 0.5) / Double(width) * total + Double(e.startNs)
                if middle >= Double(gs) && middle < Double(ge) { cells[k] = gapFill }
            }
        }
        return cells
    }

    static func colourBar(_ cells: [Character], _ style: TextStyle) -> String {
        guard style.enabled else { return String(cells) }
        var out = ""
        var run = ""
        var runIsGap = false
        func flush() {
            guard !run.isEmpty else { return }
            out += runIsGap ? style.yellow(run) : run
            run = ""
        }
        for c in cells {
            let isGap = c == gapFill
            if isGap != runIsGap { flush() }
            runIsGap = isGap
            run.append(c)
        }
        flush()
        return out
    }

    static func trimmed(_ line: String) -> String {
        var s = line
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
