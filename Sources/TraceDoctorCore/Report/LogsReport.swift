// `tracedoctor logs` in text and JSON: one line per log line — UTC time, level, service, where it
// joins (span, trace, or the spans it may belong to) and the first line of its message — or one
// JSON object (documented in docs/explain.md).

/// The text and JSON of `logs`.
public enum LogsReport {
    public static func text(_ listing: LogListing, width: Int = 100, style: TextStyle = .plain) -> String {
        var out: [String] = []
        let n = listing.lines.count
        switch listing.selection {
        case .trace(_, let span):
            var head = "trace \(listing.traceID?.hex ?? "?"): " + Units.plural(n, "log line")
            if let span { head += " of span \(span.hex)" }
            out.append(style.bold(head))
        case .unlinked:
            out.append(
                style.bold("log_unlinked") + ": " + Units.plural(n, "line")
                    + " without trace ID "
                    + (listing.linkKeys.isEmpty
                        ? "written while a span of their service was running"
                        : "joined by key (\(listing.linkKeys.map(\.description).joined(separator: ", "))) or written while a span of their service was running")
                    + " (of \(listing.totalLogs))")
        case .dangling:
            out.append(
                style.bold("log_dangling") + ": " + Units.plural(n, "line")
                    + " whose trace ID matches no trace in the database (of \(listing.totalLogs))")
        }
        guard n > 0 else { return out.joined(separator: "\n") + "\n" }
        let services = listing.lines.map(\.log.service.count).max() ?? 7
        let serviceWidth = min(16, max(7, services))
        var columns = "time (UTC)    "
        if listing.traceStartNs != nil { columns += "offset     " }
        columns += "level    " + "service".rightPadded(serviceWidth) + "  "
        switch listing.selection {
        case .trace: columns += "span              joined            "
        case .dangling: columns += "trace ID                          "
        case .unlinked: break
        }
        out.append(style.dim(columns + "message"))
        for line in listing.lines {
            let log = line.log
            // On the trace's adjusted clock, as `explain` shows it; `~` where the raw one differs.
            let adjusted = line.adjustedTimeNs
            var text = (adjusted.map(TextFormat.clock) ?? "?").rightPadded(12) + " "
            text += line.shiftNs != 0 ? "~" : " "
            if let start = listing.traceStartNs {
                text += (adjusted.map { TextFormat.offset($0 - start) } ?? "?").leftPadded(9) + "  "
            }
            text += TextFormat.fit(log.level, 7).rightPadded(7) + "  " + TextFormat.fit(log.service.isEmpty ? "-" : log.service, serviceWidth).rightPadded(serviceWidth) + "  "
            switch listing.selection {
            case .trace:
                text += (log.spanID?.hex ?? line.keySpan?.hex ?? "-").rightPadded(16) + "  "
                text += TextFormat.fit(line.join.label, 16).rightPadded(16) + "  "
            case .dangling: text += (log.traceID?.hex ?? "-").rightPadded(32) + "  "
            case .unlinked: break
            }
            var message = log.firstLine.text
            if log.firstLine.moreLines > 0 { message += " (+" + Units.plural(log.firstLine.moreLines, "line") + ")" }
            let body = TextFormat.fit(text + message, width)
            out.append(log.isError ? String(body.prefix(text.count)) + style.red(String(body.dropFirst(text.count))) : body)
            if line.shiftNs != 0, let raw = log.timeNs {
                var note = "~ raw clock " + TextFormat.clock(raw)
                if let start = listing.traceStartNs { note += ", " + TextFormat.offset(raw - start) }
                note += " (" + (line.shiftedHost.map { "host \($0)" } ?? "its span") + " adjusted by "
                    + (line.shiftNs > 0 ? "+" : "−") + Units.duration(ns: Int64(line.shiftNs.magnitude)) + ")"
                out.append(style.dim(TextFormat.fit(String(repeating: " ", count: 14) + note, width)))
            }
            if case .unlinked = listing.selection, case let .key(key, value) = line.join, let trace = line.keyTrace {
                var joined = "joined by key \(key.field) = '\(value)' to trace \(TextFormat.shortID(trace))…"
                if let span = line.keySpan { joined += " (span \(span.hex))" }
                out.append(style.dim(TextFormat.fit(String(repeating: " ", count: 14) + joined, width)))
            } else if let a = line.ambiguity {
                let text = "key \(a.key.field) = '\(a.value)' is on \(a.traces.count) traces: not joined"
                out.append(style.dim(TextFormat.fit(String(repeating: " ", count: 14) + text, width)))
            }
            if line.keyTrace == nil, let first = line.candidates.first {
                var during = "during \(first.name) (span \(first.spanID.hex) of trace \(TextFormat.shortID(first.traceID))…)"
                if line.candidateCount > 1 { during += ", or " + Units.plural(line.candidateCount - 1, "other span") }
                out.append(style.dim(TextFormat.fit(String(repeating: " ", count: 14) + during, width)))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    public static func json(_ listing: LogListing) -> String {
        let selection: String
        var span = JSONValue.null
        switch listing.selection {
        case .trace(_, let s):
            selection = "trace"
            span = .optional(s?.hex)
        case .unlinked: selection = "log_unlinked"
        case .dangling: selection = "log_dangling"
        }
        let lines: [JSONValue] = listing.lines.map { line in
            let log = line.log
            var members: [(String, JSONValue)] = [
                ("time_ns", .optional(log.timeNs)),
                ("adjusted_time_ns", .optional(line.adjustedTimeNs)),
                ("clock_shift_ns", .int(Int(line.shiftNs))),
                ("offset_ns", .optional(listing.traceStartNs.flatMap { s in line.adjustedTimeNs.map { $0 - s } })),
                ("level", .string(log.level)),
                ("severity_number", .int(log.severityNumber)),
                ("service", .string(log.service)),
                ("trace_id", .optional(log.traceID?.hex)),
                ("span_id", .optional(log.spanID?.hex)),
                ("body", .string(log.body)),
                ("attributes", JSONValue.parse(log.attributes)),
            ]
            members.append(("source", .object([("path", .optional(log.sourcePath)), ("line", .optional(log.sourceLine))])))
            let candidates: [JSONValue] = line.candidates.map { w in
                .object([
                    ("trace_id", .string(w.traceID.hex)), ("span_id", .string(w.spanID.hex)), ("name", .string(w.name)),
                    ("start_ns", .int(w.startNs)), ("end_ns", .int(w.endNs)),
                ])
            }
            members.append(("running_spans", .array(candidates)))
            members.append(("running_span_count", .int(line.candidateCount)))
            var joinedBy = line.join.name
            if case .unlinked = listing.selection, line.keyTrace == nil { joinedBy = line.candidateCount > 0 ? "time" : "none" }
            members.append(("joined_by", .string(joinedBy)))
            if case let .key(key, value) = line.join {
                members.append(
                    ("join_key", .object([
                        ("field", .string(key.field)), ("attribute", .string(key.attribute)), ("value", .string(value)),
                        ("trace_id", .optional(line.keyTrace?.hex)), ("span_id", .optional(line.keySpan?.hex)),
                    ])))
            } else {
                members.append(("join_key", .null))
            }
            members.append(
                ("ambiguous_key", line.ambiguity.map { a in
                    .object([
                        ("field", .string(a.key.field)), ("attribute", .string(a.key.attribute)), ("value", .string(a.value)),
                        ("trace_ids", .array(a.traces.map { .string($0.hex) })),
                    ])
                } ?? .null))
            return .object(members)
        }
        return JSONValue.object([
            ("command", .string("logs")),
            ("selection", .string(selection)),
            ("trace_id", .optional(listing.traceID?.hex)),
            ("span_id", span),
            ("trace_start_ns", .optional(listing.traceStartNs)),
            ("total_logs", .int(listing.totalLogs)),
            ("count", .int(listing.lines.count)),
            ("link_keys", .array(listing.linkKeys.map { .string($0.description) })),
            ("logs", .array(lines)),
        ]).rendered()
    }
}
