// `explain --format json`: the whole explanation as one object — header numbers, ranked findings
// with their evidence, every node of the tree (spans, placeholders, attached traces' spans) with
// its gaps, attributes and log lines, the critical path and every log line placed. Documented in
// docs/explain.md; field names are snake_case, IDs lowercase hex, times Unix ns, and a missing
// value is `null`, never an absent key. Nodes, findings and logs refer to each other by their
// index in their list. Not affected by --depth or --min-duration (those fold the views only);
// `folding` describes what the text and HTML views summarise of a big trace (every node stays).

import Foundation

/// The JSON document of `explain`.
public enum ExplainJSON {
    /// Bumped when a field changes meaning or disappears (adding fields does not bump it).
    public static let schemaVersion = 1

    public static func render(_ e: Explanation, rowBudget: Int? = ExplainWaterfall.defaultRowBudget) -> String {
        let out = JSONBuffer(capacity: 1 << 16)
        write(e, rowBudget: rowBudget) { out.appendRaw($0) }
        return out.string
    }

    /// From this many nodes each element of `nodes`, `critical_path`, `logs` and `findings`, and
    /// each group of `folding`, is written on one line (the same fields, without indentation):
    /// pretty-printed, a 100,000-span trace would be mostly spaces.
    public static let oneLinePerItemNodes = ExplainWaterfall.hugeTraceSpans

    /// Writes the document to `sink` as UTF-8 a piece at a time, rendering the long lists (nodes,
    /// critical path, logs, findings) a block of elements at a time straight into bytes, blocks
    /// of a long list on every core, handed to `sink` in order: memory does not grow with the
    /// trace beyond the explanation itself. For a trace of fewer than `oneLinePerItemNodes` nodes
    /// the text is `document(e).rendered()`: the members of every object sorted by key,
    /// pretty-printed.
    public static func write(
        _ e: Explanation, rowBudget: Int? = ExplainWaterfall.defaultRowBudget,
        to sink: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        let oneLine = e.nodes.count >= oneLinePerItemNodes
        let compactFrom = oneLine ? 2 : Int.max
        let out = JSONBuffer(capacity: 1 << 16)
        out.append("{\n")
        let list = members(e, rowBudget: rowBudget).sorted { $0.key < $1.key }
        for (k, member) in list.enumerated() {
            out.append("  ")
            JSONValue.appendQuoted(member.key, to: out)
            out.append(" : ")
            switch member.value {
            case .value(let value):
                // A huge trace's `folding` lists every grouped node: one group to a line.
                value.write(to: out, indent: 1, compactFrom: oneLine ? 3 : .max)
            case .items(let count, let items):
                guard count > 0 else {
                    out.append("[]")
                    break
                }
                out.append("[\n")
                if count <= blockSize {
                    items(0..<count, out, compactFrom)
                } else {
                    sink(out.buffer)
                    out.reset()
                    writeBlocks(count: count, compactFrom: compactFrom, items, to: sink)
                }
                out.append("  ]")
            }
            out.append(k < list.count - 1 ? ",\n" : "\n")
            if out.count >= 1 << 16 {
                sink(out.buffer)
                out.reset()
            }
        }
        out.append("}\n")
        sink(out.buffer)
    }

    /// Elements rendered together (about 1 KB each for a node).
    static let blockSize = 2048

    /// A long list's elements, `blockSize` at a time on each core, to `sink` in order: while
    /// `sink` takes one wave of blocks, the next is rendered.
    private static func writeBlocks(
        count: Int, compactFrom: Int, _ items: @escaping Member.Items, to sink: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        let waveSize = workers * blockSize
        let sets = (0..<2).map { _ in Buffers((0..<workers).map { _ in JSONBuffer(capacity: blockSize * 1200) }) }
        @Sendable func render(wave start: Int, into buffers: Buffers) {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let from = start + w * blockSize
                let buffer = buffers.list[w]
                buffer.reset()
                guard from < count else { return }
                items(from..<min(from + blockSize, count), buffer, compactFrom)
            }
        }
        render(wave: 0, into: sets[0])
        var wave = 0
        while wave * waveSize < count {
            let next = (wave + 1) * waveSize
            let rendering = DispatchGroup()
            if next < count {
                let buffers = sets[(wave + 1) % 2]
                DispatchQueue.global().async(group: rendering) { render(wave: next, into: buffers) }
            }
            for buffer in sets[wave % 2].list where buffer.count > 0 { sink(buffer.buffer) }
            rendering.wait()
            wave += 1
        }
    }

    /// One buffer per worker, each written by its worker only while the others wait.
    private final class Buffers: @unchecked Sendable {
        let list: [JSONBuffer]
        init(_ list: [JSONBuffer]) { self.list = list }
    }

    /// The whole document as one value (`write` streams the same text).
    public static func document(_ e: Explanation, rowBudget: Int? = ExplainWaterfall.defaultRowBudget) -> JSONValue {
        JSONValue.parse(render(e, rowBudget: rowBudget))
    }

    /// A member of the document: a value, or a list written a block of elements at a time.
    enum Member {
        /// Writes elements `range` of a list of `count`, each as an element of a member of the
        /// document (two levels deep, on one line from `compactFrom`) on its own line, followed
        /// by a comma unless it is the last.
        typealias Items = @Sendable (_ range: Range<Int>, _ out: JSONBuffer, _ compactFrom: Int) -> Void

        case value(JSONValue)
        case items(count: Int, write: Items)

        /// A list of `count` elements, each written by `element` into the buffer.
        static func list(count: Int, _ element: @escaping @Sendable (Int, JSONBuffer, Int) -> Void) -> Member {
            .items(count: count) { range, out, compactFrom in
                for i in range {
                    out.append("    ")
                    element(i, out, compactFrom)
                    out.append(i < count - 1 ? ",\n" : "\n")
                }
            }
        }

        /// A list whose elements are values.
        static func values(count: Int, _ item: @escaping @Sendable (Int) -> JSONValue) -> Member {
            list(count: count) { i, out, compactFrom in item(i).write(to: out, indent: 2, compactFrom: compactFrom) }
        }
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
        let lists: [(key: String, value: Member)] = [
            ("findings", .values(count: e.findings.count) { finding($0, e.findings[$0], e) }),
            ("nodes", .items(count: e.nodes.count) { range, out, compactFrom in
                // Resource attributes parsed once per resource and block (every span of a
                // service has the same).
                var resources: [String: JSONValue] = [:]
                var last: (text: String, value: JSONValue)?
                for n in range {
                    out.append("    ")
                    var node = JSONObjectWriter(out, indent: 2, compactFrom: compactFrom)
                    write(node: n, e, to: &node) { text in
                        if let last, last.text == text { return last.value }
                        let value = resources[text] ?? JSONValue.parse(text)
                        resources[text] = value
                        last = (text, value)
                        return value
                    }
                    node.end()
                    out.append(n < e.nodes.count - 1 ? ",\n" : "\n")
                }
            }),
            ("critical_path", .list(count: e.criticalPath.count) { k, out, compactFrom in
                let step = e.criticalPath[k]
                var w = JSONObjectWriter(out, indent: 2, compactFrom: compactFrom)
                w.int("duration_ns", step.endNs - step.startNs)
                w.int("end_ns", step.endNs)
                w.int("node", step.node)
                w.int("offset_ns", e.offset(step.startNs))
                w.hex("span_id", e.nodes[step.node].spanID)
                w.int("start_ns", step.startNs)
                w.end()
            }),
            ("logs", .values(count: e.logs.count) { log($0, e.logs[$0], e) }),
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

    /// Node `n`'s members, in key order.
    static func write(
        node n: Int, _ e: Explanation, to w: inout JSONObjectWriter, resource: (String) -> JSONValue = JSONValue.parse
    ) {
        let node = e.nodes[n]
        let span = node.span
        let details = node.details
        func parsed(_ value: String?) -> JSONValue { value.map(JSONValue.parse) ?? .null }
        w.int("attached_trace", node.attachedTrace)
        w.value("attributes", parsed(details?.attributes))
        w.ints("children", node.children)
        w.int("clock_shift_ns", node.shiftNs)
        w.bool("critical_path", node.onCriticalPath)
        w.int("depth", node.depth)
        w.int("duration_ns", node.durationNs)
        w.int("end_ns", node.endNs)
        w.value("events", parsed(details?.events))
        w.ints("findings", node.findings)
        w.value(
            "gaps",
            .array(
                node.gaps.map { gap in
                    .object([
                        ("covered_by_log_intervals_ns", .int(gap.coveredByIntervalsNs)),
                        ("duration_ns", .int(gap.lengthNs)), ("end_ns", .int(gap.endNs)), ("finding", .optional(gap.finding)),
                        ("log_intervals", evidence(gap.evidence)),
                        ("logs", .array(gap.logs.map(JSONValue.int))), ("offset_ns", .int(gap.startOffsetNs)),
                        ("share", .double(gap.share)), ("start_ns", .int(gap.startNs)),
                    ])
                }))
        w.string("host", span?.process.host)
        w.string("kind", span?.kind.name)
        w.value("links", parsed(details?.links))
        w.ints("log_intervals", node.intervals)
        w.ints("logs", node.logs)
        w.string("name", span?.name)
        w.int("node", n)
        w.value("notes", .array(node.notes.map(JSONValue.string)))
        w.int("offset_ns", e.offset(node.startNs))
        w.int("parent_node", node.parent)
        w.hex("parent_span_id", span?.parentSpanID)
        w.value("resource", details.map { resource($0.resourceAttributes) } ?? .null)
        w.string("role", role(node))
        var scope = JSONValue.null
        if let name = details?.scopeName {
            scope = .object([("name", .string(name)), ("version", .optional(details?.scopeVersion))])
        }
        w.value("scope", scope)
        w.int("self_time_ns", span == nil ? nil : node.selfTimeNs)
        w.string("service", span?.service)
        w.hex("span_id", node.spanID)
        w.int("start_ns", node.startNs)
        w.string("status", span?.status.name)
        w.string("status_message", details?.statusMessage)
        w.hex("trace_id", node.attachedTrace.map { e.attachedTraces[$0].traceID } ?? e.traceID)
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
