// `explain --format json`: the whole explanation as one object — header numbers, ranked findings
// with their evidence, every node of the tree (spans, placeholders, attached traces' spans) with
// its gaps, attributes and log lines, the critical path and every log line placed. Documented in
// docs/explain.md; field names are snake_case, IDs lowercase hex, times Unix ns, and a missing
// value is `null`, never an absent key. Nodes, findings and logs refer to each other by their
// index in their list. Not affected by --depth or --min-duration (those fold the views only);
// `folding` describes what the text and HTML views summarise of a big trace (every node stays).

/// The JSON document of `explain`.
public enum ExplainJSON {
    /// Bumped when a field changes meaning or disappears (adding fields does not bump it).
    public static let schemaVersion = 1

    public static func render(_ e: Explanation, rowBudget: Int? = ExplainWaterfall.defaultRowBudget) -> String {
        var text = ""
        write(e, rowBudget: rowBudget) { text += $0 }
        return text
    }

    /// From this many nodes each element of `nodes`, `critical_path`, `logs` and `findings`, and
    /// each group of `folding`, is written on one line (the same fields, without indentation):
    /// pretty-printed, a 100,000-span trace would be mostly spaces.
    public static let oneLinePerItemNodes = ExplainWaterfall.hugeTraceSpans

    /// Writes the document to `sink` a piece of about 64 KB at a time, rendering the long lists
    /// (nodes, critical path, logs, findings) one element at a time: memory does not grow with the
    /// trace beyond the explanation itself. The bytes are those of `document(e).rendered()` for a
    /// trace of fewer than `oneLinePerItemNodes` nodes.
    public static func write(
        _ e: Explanation, rowBudget: Int? = ExplainWaterfall.defaultRowBudget, to sink: (String) -> Void
    ) {
        let oneLine = e.nodes.count >= oneLinePerItemNodes
        let chunk = 1 << 16
        var out = "{\n"
        let list = members(e, rowBudget: rowBudget).sorted { $0.key < $1.key }
        for (k, member) in list.enumerated() {
            out += "  " + JSONValue.quoted(member.key) + " : "
            switch member.value {
            case .value(let value):
                // A huge trace's `folding` lists every grouped node: one group to a line.
                value.write(to: &out, indent: 1, compactFrom: oneLine ? 3 : .max)
            case .items(let count, let item):
                guard count > 0 else {
                    out += "[]"
                    break
                }
                out += "[\n"
                for i in 0..<count {
                    out += "    "
                    item(i).write(to: &out, indent: 2, compactFrom: oneLine ? 2 : .max)
                    out += i < count - 1 ? ",\n" : "\n"
                    if out.utf8.count >= chunk {
                        sink(out)
                        out.removeAll(keepingCapacity: true)
                    }
                }
                out += "  ]"
            }
            out += k < list.count - 1 ? ",\n" : "\n"
        }
        out += "}\n"
        sink(out)
    }

    /// The whole document as one value (`write` streams the same).
    public static func document(_ e: Explanation, rowBudget: Int? = ExplainWaterfall.defaultRowBudget) -> JSONValue {
        .object(
            members(e, rowBudget: rowBudget).map { member in
                switch member.value {
                case .value(let value): (member.key, value)
                case .items(let count, let item): (member.key, .array((0..<count).map(item)))
                }
            })
    }

    /// A member of the document: a value, or a list made one element at a time.
    enum Member {
        case value(JSONValue)
        case items(count: Int, item: (Int) -> JSONValue)
    }

    /// What the text and HTML views fold to stay within `rowBudget` rows (`null` when they show
    /// every span): every node is still in `nodes`.
    static func folding(_ e: Explanation, rowBudget: Int?) -> JSONValue {
        let view = ExplainWaterfall(e, rowBudget: rowBudget)
        guard let summary = view.summary else { return .null }
        var groups: [JSONValue] = []
        var nested: [JSONValue] = []
        var folded: [JSONValue] = []
        for row in view.rows {
            switch row {
            case .group(let g):
                groups.append(
                    .object([
                        ("parent_node", .int(g.parent)), ("depth", .int(g.depth)), ("service", .string(g.service)),
                        ("name", .string(g.name)), ("count", .int(g.nodes.count)), ("span_count", .int(g.spanCount)),
                        ("p50_duration_ns", .int(g.medianNs)), ("total_duration_ns", .int(g.totalNs)),
                        ("share_of_parent", .double(g.shareOfParent)), ("start_ns", .int(g.startNs)), ("end_ns", .int(g.endNs)),
                        ("nodes", .array(g.nodes.map(JSONValue.int))),
                    ]))
            case .nested(let run):
                nested.append(
                    .object([
                        ("from_depth", .int(run.fromDepth)), ("to_depth", .int(run.toDepth)), ("service", .optional(run.service)),
                        ("name", .optional(run.name)), ("count", .int(run.nodes.count)), ("span_count", .int(run.spanCount)),
                        ("nodes", .array(run.nodes.map(JSONValue.int))),
                    ]))
            case .folded(let count, .budget, let nodes, let depth):
                folded.append(
                    .object([("depth", .int(depth)), ("span_count", .int(count)), ("nodes", .array(nodes.map(JSONValue.int)))]))
            default:
                break
            }
        }
        return .object([
            ("row_budget", .int(summary.rowBudget)), ("shown_spans", .int(summary.shownSpans)),
            ("total_spans", .int(summary.totalSpans)), ("groups", .array(groups)), ("nested", .array(nested)),
            ("folded", .array(folded)),
        ])
    }

    /// The document's members (unsorted).
    static func members(_ e: Explanation, rowBudget: Int?) -> [(key: String, value: Member)] {
        let root = e.rootNode.map { e.nodes[$0] }
        var coverage = JSONValue.null
        if let c = e.coverage {
            coverage = .object([
                ("duration_ns", .int(c.durationNs)), ("covered_ns", .int(c.coveredNs)), ("ratio", .double(c.ratio)),
            ])
        }
        var fragmentOf = JSONValue.null
        if let f = e.diagnosis.fragmentOf {
            fragmentOf = .object([
                ("root", spanRef(f.root)),
                ("suspected_parent", f.suspectedParent.map { spanRef($0.span) } ?? .null),
                ("confidence", .optional(f.suspectedParent?.confidence)),
                ("evidence", .array((f.evidence + (f.suspectedParent?.evidence ?? [])).map(JSONValue.string))),
            ])
        }
        let header: [(String, JSONValue)] = [
            ("command", .string("explain")),
            ("schema_version", .int(schemaVersion)),
            ("trace_id", .string(e.traceID.hex)),
            ("root", root.flatMap { $0.span }.map { span in
                .object([
                    ("span_id", .string(span.spanID.hex)), ("service", .string(span.service)), ("name", .string(span.name)),
                    ("kind", .string(span.kind.name)),
                ])
            } ?? .null),
            ("root_node", .optional(e.rootNode)),
            ("start_ns", .int(e.startNs)),
            ("end_ns", .int(e.endNs)),
            ("recorded_start_ns", .int(e.rawStartNs)),
            ("duration_ns", .int(e.durationNs)),
            ("span_count", .int(e.spanCount)),
            ("adjusted_span_count", .int(e.adjustedSpanCount)),
            ("services", .array(e.services.map(JSONValue.string))),
            ("coverage", coverage),
            ("fragment_of", fragmentOf),
            ("log_selection", .string(e.logSelection.rawValue)),
            ("log_clock", e.logClock.map { clock in
                .object([
                    ("offset_seconds", .int(clock.offsetSeconds)), ("zone", .string(clock.zone)), ("lines", .int(clock.lines)),
                    ("examined_lines", .int(clock.examinedLines)), ("advice", .string(clock.advice)),
                ])
            } ?? .null),
            ("top_level", .array(e.topLevel.map(JSONValue.int))),
            ("attached_traces", .array(e.attachedTraces.map(attached))),
            ("log_intervals", .array(e.intervals.enumerated().map { interval($0.offset, $0.element, e) })),
            ("unmatched_logs", .array(e.unmatchedLogs.map(JSONValue.int))),
            ("folding", folding(e, rowBudget: rowBudget)),
        ]
        // Resource attributes parsed once per resource (every span of a service has the same).
        var resources: [String: JSONValue] = [:]
        let lists: [(key: String, value: Member)] = [
            ("findings", .items(count: e.findings.count) { finding($0, e.findings[$0], e) }),
            ("nodes", .items(count: e.nodes.count) { n in
                node(n, e) { text in
                    if let value = resources[text] { return value }
                    let value = JSONValue.parse(text)
                    resources[text] = value
                    return value
                }
            }),
            ("critical_path", .items(count: e.criticalPath.count) { k in
                let step = e.criticalPath[k]
                return .object([
                    ("duration_ns", .int(step.endNs - step.startNs)), ("end_ns", .int(step.endNs)), ("node", .int(step.node)),
                    ("offset_ns", .int(e.offset(step.startNs))), ("span_id", .string(e.nodes[step.node].spanID.hex)),
                    ("start_ns", .int(step.startNs)),
                ])
            }),
            ("logs", .items(count: e.logs.count) { log($0, e.logs[$0], e) }),
        ]
        return header.map { ($0.0, Member.value($0.1)) } + lists
    }

    static func spanRef(_ ref: SpanRef) -> JSONValue {
        .object([
            ("trace_id", .string(ref.traceID.hex)), ("span_id", .string(ref.spanID.hex)), ("service", .string(ref.service)),
            ("name", .string(ref.name)), ("kind", .string(ref.kind.name)),
        ])
    }

    static func finding(_ k: Int, _ f: ExplainedFinding, _ e: Explanation) -> JSONValue {
        let finding = f.finding
        var gap = JSONValue.null
        if let n = f.node, let g = f.gap {
            let interval = e.nodes[n].gaps[g]
            gap = .object([
                ("node", .int(n)), ("index", .int(g)), ("start_ns", .int(interval.startNs)), ("end_ns", .int(interval.endNs)),
            ])
        }
        return .object([
            ("rank", .int(k + 1)),
            ("diagnosis", .string(finding.diagnosis.name)),
            ("is_defect", .bool(finding.isDefect)),
            ("time_at_stake_ns", .int(finding.timeAtStakeNs)),
            ("summary", .string(finding.summary)),
            ("evidence", .array(finding.evidence.map(JSONValue.string))),
            ("advice", .string(finding.advice)),
            ("confidence", .optional(finding.confidence)),
            ("span", finding.span.map(spanRef) ?? .null),
            ("node", .optional(f.node)),
            ("gap", gap),
            ("logs", .array(f.logs.map(JSONValue.int))),
            ("log_intervals", evidence(f.evidence)),
            ("covered_by_log_intervals_ns", .int(f.coveredByIntervalsNs)),
            ("log_interval_summary", .optional(f.node.flatMap { n in f.gap.flatMap { e.intervalSentence(e.nodes[n].gaps[$0]) } })),
        ])
    }

    static func evidence(_ list: [GapEvidence]) -> JSONValue {
        .array(list.map { .object([("interval", .int($0.interval)), ("overlap_ns", .int($0.overlapNs))]) })
    }

    static func interval(_ k: Int, _ x: ExplainedInterval, _ e: Explanation) -> JSONValue {
        let i = x.interval
        return .object([
            ("index", .int(k)),
            ("kind", .string(i.kind.rawValue)),
            ("name", .string(i.name)),
            ("label", .string(i.label)),
            ("service", .string(i.service)),
            ("start_ns", .optional(x.startNs)),
            ("end_ns", .int(x.endNs)),
            ("offset_ns", .optional(x.startNs.map(e.offset))),
            ("duration_ns", .optional(x.durationNs)),
            ("recorded_start_ns", .optional(i.startNs)),
            ("recorded_end_ns", .optional(i.endNs)),
            ("clock_shift_ns", .int(x.shiftNs)),
            ("unfinished", .bool(x.isUnfinished)),
            ("failed", .bool(i.failed)),
            ("join", .string(x.join.name)),
            ("join_key", { if case .key(let f) = x.join { return .string(f) } else { return .null } }()),
            ("keys", .object(i.keys.map { ($0.0, .string($0.1)) })),
            ("node", .optional(x.node)),
            ("start_log_row", .optional(i.startRow)),
            ("end_log_row", .optional(i.endRow)),
            ("note", .optional(i.note)),
        ])
    }

    static func role(_ node: ExplainedSpan) -> String {
        switch node.role {
        case .span: "span"
        case .missingParent(let remote): remote ? "remote_parent_missing" : "missing_parent"
        case .attached: "attached"
        }
    }

    static func node(_ n: Int, _ e: Explanation, resource: (String) -> JSONValue = JSONValue.parse) -> JSONValue {
        let node = e.nodes[n]
        let span = node.span
        let traceID = node.attachedTrace.map { e.attachedTraces[$0].traceID } ?? e.traceID
        let details = node.details
        var scope = JSONValue.null
        if let name = details?.scopeName {
            scope = .object([("name", .string(name)), ("version", .optional(details?.scopeVersion))])
        }
        // Members in key order, as printed (no sort per node).
        let gaps: [JSONValue] = node.gaps.map { gap in
            .object([
                ("covered_by_log_intervals_ns", .int(gap.coveredByIntervalsNs)),
                ("duration_ns", .int(gap.lengthNs)), ("end_ns", .int(gap.endNs)), ("finding", .optional(gap.finding)),
                ("log_intervals", evidence(gap.evidence)),
                ("logs", .array(gap.logs.map(JSONValue.int))), ("offset_ns", .int(gap.startOffsetNs)),
                ("share", .double(gap.share)), ("start_ns", .int(gap.startNs)),
            ])
        }
        func text(_ value: String?) -> JSONValue { .optional(value) }
        func parsed(_ value: String?) -> JSONValue { value.map(JSONValue.parse) ?? .null }
        return .object([
            ("attached_trace", .optional(node.attachedTrace)),
            ("attributes", parsed(details?.attributes)),
            ("children", .array(node.children.map(JSONValue.int))),
            ("clock_shift_ns", .int(node.shiftNs)),
            ("critical_path", .bool(node.onCriticalPath)),
            ("depth", .int(node.depth)),
            ("duration_ns", .int(node.durationNs)),
            ("end_ns", .int(node.endNs)),
            ("events", parsed(details?.events)),
            ("findings", .array(node.findings.map(JSONValue.int))),
            ("gaps", .array(gaps)),
            ("host", text(span?.process.host)),
            ("kind", text(span?.kind.name)),
            ("links", parsed(details?.links)),
            ("log_intervals", .array(node.intervals.map(JSONValue.int))),
            ("logs", .array(node.logs.map(JSONValue.int))),
            ("name", text(span?.name)),
            ("node", .int(n)),
            ("notes", .array(node.notes.map(JSONValue.string))),
            ("offset_ns", .int(e.offset(node.startNs))),
            ("parent_node", .optional(node.parent)),
            ("parent_span_id", text(span?.parentSpanID?.hex)),
            ("resource", details.map { resource($0.resourceAttributes) } ?? .null),
            ("role", .string(role(node))),
            ("scope", scope),
            ("self_time_ns", span == nil ? .null : .int(node.selfTimeNs)),
            ("service", text(span?.service)),
            ("span_id", .string(node.spanID.hex)),
            ("start_ns", .int(node.startNs)),
            ("status", text(span?.status.name)),
            ("status_message", text(details?.statusMessage)),
            ("trace_id", .string(traceID.hex)),
        ])
    }

    static func attached(_ t: AttachedTrace) -> JSONValue {
        .object([
            ("relation", .string(t.isLink ? "span_link" : t.relation.name)),
            ("trace_id", .string(t.traceID.hex)),
            ("parent_node", .int(t.parentNode)),
            ("confidence", .optional(t.confidence)),
            ("evidence", .array(t.evidence.map(JSONValue.string))),
            ("span_count", .int(t.spanCount)),
            ("nodes", .array(t.nodes.map(JSONValue.int))),
        ])
    }

    static func log(_ k: Int, _ entry: ExplainedLog, _ e: Explanation) -> JSONValue {
        let log = entry.log
        let placement: String
        var gap = JSONValue.null
        switch entry.placement {
        case .span: placement = "span"
        case .gap(_, let g):
            placement = "gap"
            gap = .int(g)
        case .unmatched: placement = "unmatched"
        }
        return .object([
            ("adjusted_time_ns", .optional(entry.adjustedTimeNs)),
            ("attached_trace", .optional(entry.attachedTrace)),
            ("attributes", JSONValue.parse(log.attributes)),
            ("body", .string(log.body)),
            ("gap", gap),
            ("index", .int(k)),
            ("join_key", entry.joinKey.map { key in
                .object([("attribute", .string(key.attribute)), ("field", .string(key.field)), ("value", .optional(entry.joinValue))])
            } ?? .null),
            ("level", .string(log.level)),
            ("link", .string(entry.link.rawValue)),
            ("node", .optional(entry.node)),
            ("offset_ns", .optional(entry.adjustedTimeNs.map(e.offset))),
            ("placement", .string(placement)),
            ("service", .string(log.service)),
            ("severity_number", .int(log.severityNumber)),
            ("source", .object([("line", .optional(log.sourceLine)), ("path", .optional(log.sourcePath))])),
            ("span_id", .optional(log.spanID?.hex)),
            ("time_ns", .optional(log.timeNs)),
            ("trace_id", .optional(log.traceID?.hex)),
        ])
    }
}
