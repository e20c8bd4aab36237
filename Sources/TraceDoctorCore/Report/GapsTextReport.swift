// `gaps` in text: unaccounted intervals largest first, roots with low coverage, children sticking out
// of their parents (with the clock-skew reading), and the skew adjustments made.

public enum GapsTextReport {
    /// `limit` caps each list (0 = no cap).
    public static func render(_ report: DiagnosisReport, limit: Int, style: TextStyle = .plain) -> String {
        var out: [String] = []
        let cap = limit > 0 ? limit : Int.max
        let o = report.options

        if !report.gaps.isEmpty {
            out.append(
                style.heading(
                    "unaccounted_time: " + Units.plural(report.gaps.count, "interval") + " no child covers (≥ "
                        + TextFormat.duration(o.minGapNs) + " and ≥ " + TextFormat.percent(o.minGapShare) + " of the span)",
                    defect: true))
            var rows = [["trace", "span", "duration", "gap", "from", "to", "share"]]
            for gap in report.gaps.prefix(cap) {
                rows.append([
                    TextFormat.shortID(gap.span.traceID), TextFormat.span(gap.span, 34), TextFormat.duration(gap.spanDurationNs),
                    TextFormat.duration(gap.lengthNs), TextFormat.offset(gap.startOffsetNs), TextFormat.offset(gap.endOffsetNs),
                    TextFormat.percent(gap.share),
                ])
            }
            out += TextTable.render(rows, rightAligned: [2, 3, 4, 5, 6]).map { "  " + $0 }
            if report.gaps.count > cap { out.append(TextFormat.more(report.gaps.count - cap, "intervals")) }
            // Log intervals as evidence: the gap stays a finding (no span covers it).
            for gap in report.gaps.prefix(cap) where !gap.logIntervals.isEmpty {
                let shown = gap.logIntervals.prefix(3).map {
                    "`\($0.label)` (" + TextFormat.duration($0.overlapNs) + ", \($0.service), "
                        + ($0.join == "key" ? "by key" : $0.join == "trace_id" ? "by trace ID" : "guessed by time") + ")"
                }
                var line = TextFormat.shortID(gap.span.traceID) + " " + TextFormat.span(gap.span, 34) + ": "
                    + TextFormat.duration(gap.coveredByLogIntervalsNs) + " of its " + TextFormat.duration(gap.lengthNs)
                    + " gap is in log intervals: " + shown.joined(separator: ", ")
                if gap.logIntervals.count > 3 { line += " and \(gap.logIntervals.count - 3) more" }
                for (k, piece) in TextFormat.wrapWords(line, width: 96).enumerated() { out.append((k == 0 ? "  logs: " : "        ") + piece) }
            }
            let total = report.gaps.reduce(Int64(0)) { $0 + $1.lengthNs }
            out.append("  " + TextFormat.duration(total) + " unaccounted in total")
            out.append("")
        }

        if !report.lowCoverage.isEmpty {
            out.append(
                style.heading(
                    "low_coverage: " + Units.plural(report.lowCoverage.count, "root") + " whose descendants cover < "
                        + TextFormat.percent(o.minCoverage) + " of them", defect: true))
            var rows = [["trace", "root", "duration", "covered", "coverage"]]
            for low in report.lowCoverage.prefix(cap) {
                rows.append([
                    TextFormat.shortID(low.root.traceID), TextFormat.span(low.root, 40), TextFormat.duration(low.durationNs),
                    TextFormat.duration(low.coveredNs), TextFormat.percent(low.coverage),
                ])
            }
            out += TextTable.render(rows, rightAligned: [2, 3, 4]).map { "  " + $0 }
            if report.lowCoverage.count > cap { out.append(TextFormat.more(report.lowCoverage.count - cap, "roots")) }
            out.append("")
        }

        if !report.timingViolations.isEmpty {
            let before = report.timingViolations.filter { $0.diagnosis == .childBeforeParent }.count
            let after = report.timingViolations.count - before
            out.append(
                style.heading(
                    "child_before_parent: \(before), child_after_parent: \(after) (children outside their parent, raw clocks)",
                    defect: true))
            var rows = [["trace", "child", "diagnosis", "by"]]
            let shown = Array(report.timingViolations.prefix(cap))
            for v in shown {
                rows.append([
                    TextFormat.shortID(v.span.traceID), TextFormat.span(v.span, 40), v.diagnosis.name, TextFormat.duration(v.amountNs),
                ])
            }
            for (k, line) in TextTable.render(rows, rightAligned: [3]).enumerated() {
                out.append("  " + line)
                if k > 0 { out.append(String(repeating: " ", count: 20) + reading(shown[k - 1])) }
            }
            if report.timingViolations.count > cap { out.append(TextFormat.more(report.timingViolations.count - cap, "violations")) }
            out.append("")
        }

        if !report.asynchronousWork.isEmpty {
            let worst = report.asynchronousWork.max { $0.amountNs < $1.amountNs }!
            let line =
                "asynchronous work: " + Units.plural(report.asynchronousWork.count, "child", "children")
                + " outside their parent as message hand-offs or processing under a CONSUMER span "
                + "(not timing violations); largest: " + worst.span.label + " " + TextFormat.duration(worst.amountNs)
                + (worst.diagnosis == .childAfterParent ? " after " : " before ") + worst.parent.label
            for (k, piece) in TextFormat.wrapWords(line, width: 96).enumerated() { out.append((k == 0 ? "" : "  ") + piece) }
            out.append("")
        }

        if !report.skewAdjustments.isEmpty {
            out.append(style.bold("clock skew: " + Units.plural(report.skewAdjustments.count, "host change") + " with a shift"))
            var rows = [["trace", "span", "host", "parent host", "shift", "spans"]]
            for a in report.skewAdjustments.prefix(cap) {
                rows.append([
                    TextFormat.shortID(a.span.traceID), TextFormat.span(a.span, 30), TextFormat.fit(a.host ?? "?", 16),
                    TextFormat.fit(a.parentHost ?? "?", 16),
                    TextFormat.signed(a.deltaNs) + (a.applied ? "" : " (not applied: above --max-skew)"),
                    String(a.spansShifted),
                ])
            }
            out += TextTable.render(rows, rightAligned: [5]).map { "  " + $0 }
            if report.skewAdjustments.count > cap { out.append(TextFormat.more(report.skewAdjustments.count - cap, "shifts")) }
            out.append("  gaps above are measured on the adjusted clock; the database keeps the raw timestamps")
            out.append("")
        }

        if report.gaps.isEmpty && report.lowCoverage.isEmpty && report.timingViolations.isEmpty {
            out.append(
                "no unaccounted time ≥ " + TextFormat.duration(o.minGapNs) + ", no low coverage, no timing violations in "
                    + Units.plural(report.traceCount, "trace") + " (" + Units.plural(report.spanCount, "span") + ")")
        } else {
            out.append(
                "total: " + Units.plural(report.gaps.count, "unaccounted interval") + ", "
                    + Units.plural(report.lowCoverage.count, "low-coverage root") + ", "
                    + Units.plural(report.timingViolations.count, "timing violation") + " in "
                    + Units.plural(report.traceCount, "trace") + " (" + Units.plural(report.spanCount, "span") + ")")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// What a timing violation probably means.
    static func reading(_ v: DiagnosisReport.TimingViolation) -> String {
        var text: String
        if v.likelyClockSkew {
            text = "probably clock skew: " + (v.host ?? "?") + " vs parent on " + (v.parentHost ?? "?")
        } else if v.diagnosis == .childAfterParent {
            text = "outlives its parent on the same host (async work?)"
        } else {
            text = "starts before its parent on the same host"
        }
        if v.adjustedByNs != 0 { text += "; adjusted " + TextFormat.signed(v.adjustedByNs) }
        return TextFormat.fit(text, 80)
    }
}
