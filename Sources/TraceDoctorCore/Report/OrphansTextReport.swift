// `orphans` in text: missing parents grouped by service and operations, then one line per missing
// parent; fragment traces with their suspected parents and the evidence; unpropagated calls;
// cycles, shared span IDs and traces with several roots; remote parents apart.

public enum OrphansTextReport {
    /// `limit` caps each list (0 = no cap).
    public static func render(_ report: DiagnosisReport, limit: Int, style: TextStyle = .plain) -> String {
        var out: [String] = []
        let orphans = report.orphans
        let cap = limit > 0 ? limit : Int.max

        // missing_parent
        let missing = orphans.orphanSpanCount
        if missing > 0 {
            out.append(
                style.heading(
                    "missing_parent: " + Units.plural(missing, "span") + " in "
                        + Units.plural(Set(orphans.groups.map(\.traceID)).count, "trace") + " name a parent that is not there ("
                        + Units.plural(orphans.groups.count, "missing parent") + ")", defect: true))
            out += signatureTable(orphans.signatures, cap: cap)
            out.append("")
            out += groupTable(orphans.groups, cap: cap)
            out.append("")
        }

        // fragment_trace
        if !report.fragments.isEmpty {
            out.append(
                style.heading(
                    "fragment_trace: " + Units.plural(report.fragments.count, "trace")
                        + " probably split off another trace (work started without its context)", defect: true))
            out += fragmentSummary(report.fragments)
            out.append("")
            for fragment in report.fragments.prefix(cap) {
                out += fragmentBlock(fragment, style: style)
            }
            if report.fragments.count > cap { out.append(TextFormat.more(report.fragments.count - cap, "fragments")) }
            out.append("")
        }

        // unpropagated_call
        if !report.unpropagatedCalls.isEmpty {
            out.append(
                style.heading(
                    "unpropagated_call: " + Units.plural(report.unpropagatedCalls.count, "call")
                        + " whose callee started a new trace (request sent without context)", defect: true))
            var rows = [["client trace", "client span", "callee trace", "callee root", "confidence"]]
            for call in report.unpropagatedCalls.prefix(cap) {
                rows.append([
                    TextFormat.shortID(call.client.traceID), TextFormat.span(call.client, 28), TextFormat.shortID(call.callee.traceID),
                    TextFormat.span(call.callee, 28), TextFormat.confidence(call.confidence),
                ])
            }
            out += TextTable.render(rows, rightAligned: [4]).map { "  " + $0 }
            if report.unpropagatedCalls.count > cap { out.append(TextFormat.more(report.unpropagatedCalls.count - cap, "calls")) }
            out.append("")
        }

        // unpropagated_message
        if !report.unpropagatedMessages.isEmpty {
            out.append(
                style.heading(
                    "unpropagated_message: " + Units.plural(report.unpropagatedMessages.count, "message")
                        + " whose consumer started a new trace (sent without context)", defect: true))
            var rows = [["producer trace", "producer span", "continued in", "in queue", "by", "conf."]]
            for m in report.unpropagatedMessages.prefix(cap) {
                guard let c = m.continuation else { continue }
                let by: String
                switch m.match {
                case .messageID: by = "id"
                case .logMessageID: by = "log id"
                case .name: by = "name"
                case .order, nil: by = "order"
                }
                rows.append([
                    TextFormat.shortID(m.producer.traceID), TextFormat.span(m.producer, 30), TextFormat.shortID(c.traceID),
                    m.queueDelayNs.map(TextFormat.duration) ?? "-", by, TextFormat.confidence(m.confidence),
                ])
            }
            out += TextTable.render(rows, rightAligned: [3, 5]).map { "  " + $0 }
            out.append("  by: id = the same message ID on both spans; log id = a log line of the consumer names it;")
            out.append("      name = the destination or task name; order = the consuming service and FIFO order")
            if report.unpropagatedMessages.count > cap {
                out.append(TextFormat.more(report.unpropagatedMessages.count - cap, "messages"))
            }
            out.append("")
        }
        if !report.ambiguousMessages.isEmpty {
            let roots = Set(report.ambiguousMessages.flatMap { $0.candidates.map(\.traceID) }).count
            let line =
                "ambiguous hand-offs (not linked): " + Units.plural(report.ambiguousMessages.count, "message")
                + " sent without context that " + Units.plural(roots, "root") + " could equally continue; only queue order "
                + "would pair them (no message ID, no log line naming one): "
                + report.ambiguousMessages.prefix(3).map { "\($0.producer.label) in \(TextFormat.shortID($0.producer.traceID))" }
                .joined(separator: ", ") + (report.ambiguousMessages.count > 3 ? ", …" : "")
            for (k, piece) in TextFormat.wrapWords(line, width: 96).enumerated() { out.append((k == 0 ? "" : "  ") + piece) }
            out.append("")
        }
        if !report.unconsumedMessages.isEmpty {
            let line =
                "not consumed in the capture: " + Units.plural(report.unconsumedMessages.count, "message")
                + " sent (no CONSUMER child, no trace continues it): "
                + report.unconsumedMessages.prefix(3).map { "\($0.producer.label) in \(TextFormat.shortID($0.producer.traceID))" }
                .joined(separator: ", ") + (report.unconsumedMessages.count > 3 ? ", …" : "")
            for (k, piece) in TextFormat.wrapWords(line, width: 96).enumerated() { out.append((k == 0 ? "" : "  ") + piece) }
            out.append("")
        }
        if !report.linkedContinuations.isEmpty || !report.uncapturedLinks.isEmpty {
            var line = "span links (deliberate propagation, not lost context): "
                + Units.plural(report.linkedContinuations.count, "trace") + " continued by link"
            if !report.uncapturedLinks.isEmpty {
                let spans = Set(report.uncapturedLinks.map(\.span)).count
                line += "; " + Units.plural(report.uncapturedLinks.count, "link") + " from "
                    + Units.plural(spans, "span") + " to spans not in the capture, e.g. "
                    + report.uncapturedLinks.prefix(2).map {
                        "\($0.span.label) → trace \(TextFormat.shortID($0.link.traceID)) span \($0.link.spanID.hex)"
                    }.joined(separator: ", ")
            }
            for (k, piece) in TextFormat.wrapWords(line, width: 96).enumerated() { out.append((k == 0 ? "" : "  ") + piece) }
            out.append("")
        }

        // Tree anomalies.
        if !report.cycles.isEmpty {
            out.append(style.heading("cycle: " + Units.plural(report.cycles.count, "parent link") + " cut to break a loop", defect: true))
            var rows = [["trace", "span", "span ID", "note"]]
            for cycle in report.cycles.prefix(cap) {
                rows.append([TextFormat.shortID(cycle.span.traceID), TextFormat.span(cycle.span, 30), cycle.span.spanID.hex, cycle.message])
            }
            out += TextTable.render(rows).map { "  " + $0 }
            if report.cycles.count > cap { out.append(TextFormat.more(report.cycles.count - cap, "cycles")) }
            out.append("")
        }
        if !report.duplicateSpanIDs.isEmpty {
            out.append(
                style.heading(
                    "duplicate_span_id: " + Units.plural(report.duplicateSpanIDs.count, "span ID")
                        + " shared by different spans", defect: true))
            var rows = [["trace", "span ID", "spans"]]
            for duplicate in report.duplicateSpanIDs.prefix(cap) {
                rows.append([
                    TextFormat.shortID(duplicate.traceID), duplicate.spanID.hex,
                    TextFormat.fit(duplicate.spans.map(\.label).joined(separator: " | "), 60),
                ])
            }
            out += TextTable.render(rows).map { "  " + $0 }
            if report.duplicateSpanIDs.count > cap { out.append(TextFormat.more(report.duplicateSpanIDs.count - cap, "span IDs")) }
            out.append("")
        }
        if !report.multipleRoots.isEmpty {
            out.append(
                style.heading(
                    "multiple_roots: " + Units.plural(report.multipleRoots.count, "trace") + " with more than one root",
                    defect: true))
            var rows = [["trace", "roots", "in input order"]]
            for trace in report.multipleRoots.prefix(cap) {
                rows.append([
                    TextFormat.shortID(trace.traceID), String(trace.roots.count),
                    TextFormat.fit(trace.roots.map(\.label).joined(separator: " | "), 66),
                ])
            }
            out += TextTable.render(rows, rightAligned: [1]).map { "  " + $0 }
            if report.multipleRoots.count > cap { out.append(TextFormat.more(report.multipleRoots.count - cap, "traces")) }
            out.append("")
        }

        // remote_parent_missing: listed apart.
        let remote = orphans.remoteOrphanSpanCount
        if remote > 0 {
            let counted = report.options.includeRemote
            out.append(
                style.heading(
                    "remote_parent_missing: " + Units.plural(remote, "span") + " whose caller was not captured ("
                        + (counted ? "counted: --include-remote" : "expected at ingress, not a defect") + ")",
                    defect: counted))
            out += signatureTable(orphans.remoteSignatures, cap: cap)
            out.append("")
        }

        out.append(summary(report))
        return out.joined(separator: "\n") + "\n"
    }

    /// Signatures under a line per likely cause.
    private static func signatureTable(_ signatures: [Orphans.Signature], cap: Int) -> [String] {
        var lines: [String] = []
        for cause in Orphans.Cause.allCases {
            let these = signatures.filter { $0.cause == cause }
            guard !these.isEmpty else { continue }
            lines.append("  likely cause: " + cause.explanation)
            var rows = [["service", "child operations", "parents", "spans", "traces", "example trace"]]
            for s in these.prefix(cap) {
                rows.append([
                    TextFormat.fit(s.service, 16), TextFormat.fit(s.operations.joined(separator: ", "), 28),
                    String(s.missingParents), String(s.orphanSpans), String(s.traces),
                    s.exampleTraceIDs.first.map(TextFormat.shortID) ?? "",
                ])
            }
            lines += TextTable.render(rows, rightAligned: [2, 3, 4]).map { "    " + $0 }
            if these.count > cap { lines.append("  " + TextFormat.more(these.count - cap, "groups")) }
        }
        return lines
    }

    private static func groupTable(_ groups: [Orphans.Group], cap: Int) -> [String] {
        var rows = [["trace", "missing parent", "children (service: operation)"]]
        for g in groups.prefix(cap) {
            var children = g.children.map(\.label).joined(separator: ", ")
            if let other = g.parentFoundIn { children += " [parent in trace \(TextFormat.shortID(other))]" }
            rows.append([TextFormat.shortID(g.traceID), g.parentSpanID.hex, TextFormat.fit(children, 62)])
        }
        var lines = TextTable.render(rows).map { "  " + $0 }
        if groups.count > cap { lines.append(TextFormat.more(groups.count - cap, "missing parents")) }
        return lines
    }

    /// Fragments summed by service and root operation.
    private static func fragmentSummary(_ fragments: [FragmentTrace]) -> [String] {
        struct Key: Hashable {
            var service: String
            var name: String
        }
        var order: [Key] = []
        var count: [Key: Int] = [:]
        var matched: [Key: Int] = [:]
        var parents: [Key: [String: Int]] = [:]
        for f in fragments {
            let key = Key(service: f.root.service, name: f.root.name)
            if count[key] == nil { order.append(key) }
            count[key, default: 0] += 1
            if let parent = f.suspectedParent {
                matched[key, default: 0] += 1
                parents[key, default: [:]][parent.span.label, default: 0] += 1
            }
        }
        order.sort { count[$0]! != count[$1]! ? count[$0]! > count[$1]! : ($0.service, $0.name) < ($1.service, $1.name) }
        var rows = [["service", "fragment root", "traces", "matched", "usual suspected parent"]]
        for key in order {
            let usual = parents[key]?.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? "-"
            rows.append([
                TextFormat.fit(key.service, 16), TextFormat.fit(key.name, 28), String(count[key]!), String(matched[key] ?? 0),
                TextFormat.fit(usual, 36),
            ])
        }
        return TextTable.render(rows, rightAligned: [2, 3]).map { "  " + $0 }
    }

    private static func fragmentBlock(_ f: FragmentTrace, style: TextStyle) -> [String] {
        var lines = [
            "  " + style.bold(TextFormat.shortID(f.root.traceID)) + "  " + TextFormat.fit(f.root.label, 40) + "  ("
                + f.root.kind.name + " root, " + Units.plural(f.spanCount, "span") + ", " + TextFormat.duration(f.durationNs)
                + ")",
        ]
        if let process = f.process { lines.append("    ran on            " + process) }
        if let parent = f.suspectedParent {
            lines.append(
                "    suspected parent  " + TextFormat.shortID(parent.span.traceID) + "  " + TextFormat.fit(parent.span.label, 36)
                    + " (" + parent.span.spanID.hex + ")  " + TextFormat.confidence(parent.confidence))
            lines += evidence(f.evidence + parent.evidence)
        } else {
            lines.append("    suspected parent  none found")
            lines += evidence(f.evidence)
        }
        return lines
    }

    /// Evidence lines under a label, each wrapped to the 100-column page.
    private static func evidence(_ items: [String]) -> [String] {
        var lines: [String] = []
        for item in items {
            for (k, piece) in TextFormat.wrapWords(item, width: 76).enumerated() {
                let label = lines.isEmpty ? "    evidence          " : "                      "
                lines.append(label + (k == 0 ? "" : "  ") + piece)
            }
        }
        return lines
    }

    private static func summary(_ report: DiagnosisReport) -> String {
        let o = report.orphans
        var parts = [
            Units.plural(o.groups.count, "missing parent") + " (" + Units.plural(o.orphanSpanCount, "span") + ")",
            Units.plural(report.fragments.count, "fragment trace"),
            Units.plural(report.unpropagatedCalls.count, "unpropagated call"),
        ]
        if !report.unpropagatedMessages.isEmpty {
            parts.append(Units.plural(report.unpropagatedMessages.count, "unpropagated message"))
        }
        if !report.cycles.isEmpty { parts.append(Units.plural(report.cycles.count, "cycle")) }
        if !report.duplicateSpanIDs.isEmpty { parts.append(Units.plural(report.duplicateSpanIDs.count, "duplicate span ID")) }
        if !report.multipleRoots.isEmpty {
            parts.append(Units.plural(report.multipleRoots.count, "trace") + " with multiple roots")
        }
        parts[parts.count - 1] += " in " + Units.plural(report.traceCount, "trace") + " (" + Units.plural(report.spanCount, "span") + ")"
        if o.remoteOrphanSpanCount > 0 && !report.options.includeRemote {
            parts.append(Units.plural(o.remoteOrphanSpanCount, "remote parent") + " missing, not counted (--include-remote)")
        }
        return TextFormat.wrap("total: ", parts)
    }
}
