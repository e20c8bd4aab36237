// Puts an explanation together from what the store read: the tree with placeholders for missing
// parents and the attached traces under their suspected parents, the gaps tied to their findings,
// every log line placed under its span, at its gap, or at the end. Pure: no database.

import Foundation

/// Builds an `Explanation`.
struct ExplanationBuilder {
    /// A trace to show under a span of the explained one.
    struct Attachment {
        var relation: Diagnosis
        var traceID: TraceID
        /// The span of the explained trace it hangs under.
        var parentSpanID: SpanID
        var confidence: Double?
        var evidence: [String]
        var spans: [AnalysisSpan]
        var headline: String? = nil
        var isLink = false
    }

    let diagnosis: TraceDiagnosis
    var attachments: [Attachment] = []
    /// By span row ID.
    var details = SpanDetailsTable()
    /// Lines of the explained and attached traces.
    var logs: [StoredLog] = []
    /// Lines without a trace ID read for the gaps (`unlinkedLogWindows`).
    var unlinkedLogs: [StoredLog] = []
    var logSelection: ExplainRequest.Logs = .all
    var options = AnalysisOptions()
    /// Lines without a trace ID joined to the explained trace by a correlation key.
    var keyLogs: [(log: StoredLog, join: KeyJoins.Join)] = []
    /// Log intervals read for the trace (by trace ID, key-joined rows, or service and gap window).
    var intervals: [LogInterval] = []
    /// The key (field) that joined each log row to the explained trace (read even with `--logs none`).
    var keyOfRow: [Int64: String] = [:]
    /// Notes added to spans of the explained trace (its span links), by span ID.
    var notes: [SpanID: [String]] = [:]

    init(diagnosis: TraceDiagnosis) {
        self.diagnosis = diagnosis
    }

    /// Where to look for lines without a trace ID: each gap's service and window on its span's own
    /// clock, reaching 1 s back for lines logged to the second.
    static func unlinkedLogWindows(_ diagnosis: TraceDiagnosis) -> [(service: String, from: Int64, to: Int64)] {
        let a = diagnosis.analysis
        return a.gaps.unaccounted.map { gap in
            let shift = a.skew.shift[gap.span]
            return (a.tree.spans[gap.span].service, gap.interval.start - shift - 1_000_000_000, gap.interval.end - shift)
        }
    }

    /// The explanation. Hands `details` over to the nodes (the builder's copy is emptied: a huge
    /// trace's would double what the nodes hold).
    mutating func build() -> Explanation {
        let analysis = diagnosis.analysis
        let tree = analysis.tree
        var details = self.details
        self.details = SpanDetailsTable()
        var nodes: [ExplainedSpan] = []
        nodes.reserveCapacity(tree.count + analysis.missingParents.count + attachments.reduce(0) { $0 + $1.spans.count })
        var attached: [AttachedTrace] = attachments.map {
            AttachedTrace(
                relation: $0.relation, isLink: $0.isLink, headline: $0.headline, traceID: $0.traceID, parentNode: -1,
                confidence: $0.confidence, evidence: $0.evidence, analysis: TraceAnalysis(spans: $0.spans, options: options))
        }
        var nodeOfTreeIndex = [Int](repeating: -1, count: tree.count)

        func attachedUnder(_ spanID: SpanID) -> [Int] {
            attachments.indices.filter { attachments[$0].parentSpanID == spanID }
        }
        /// Each span's gaps in time order, looked up once (not by a scan per span).
        func gapsBySpan(_ gaps: [Gaps.UnaccountedTime]) -> [Int: [Gaps.UnaccountedTime]] {
            var bySpan: [Int: [Gaps.UnaccountedTime]] = [:]
            for gap in gaps { bySpan[gap.span, default: []].append(gap) }
            for key in bySpan.keys { bySpan[key]?.sort { $0.interval.start < $1.interval.start } }
            return bySpan
        }
        let ownGaps = gapsBySpan(analysis.gaps.unaccounted)
        let attachedGaps = attached.map { gapsBySpan($0.analysis.gaps.unaccounted) }

        // The walk is iterative (a trace may nest 100,000 deep): a stack of what is still to be
        // added, popped in display order, so that nodes are numbered parents first, children by start.
        enum Step {
            /// Span `span` of the explained trace, under node `parent`.
            case span(Int, depth: Int, parent: Int?)
            /// Span `span` of attached trace `trace`; `top`: one of that trace's top-level spans.
            case attachedSpan(trace: Int, span: Int, depth: Int, parent: Int, extraShift: Int64, top: Bool)
            /// Attached trace `trace`, under node `parent`.
            case trace(Int, depth: Int, parent: Int, extraShift: Int64)
        }
        var stack: [Step] = []

        /// Adds what `step` stands for and pushes its children (reversed: the first is popped first).
        func perform(_ step: Step) {
            switch step {
            case .span(let i, let depth, let parent):
                let span = tree.spans[i]
                let node = nodes.count
                nodeOfTreeIndex[i] = node
                nodes.append(
                    ExplainedSpan(
                        role: .span, span: span, spanID: span.spanID, treeIndex: i, depth: depth, parent: parent,
                        startNs: analysis.skew.start[i], endNs: analysis.skew.end[i], selfTimeNs: analysis.gaps.selfTime[i],
                        shiftNs: analysis.skew.shift[i], onCriticalPath: false,
                        notes: analysis.notes(for: i) + (notes[span.spanID] ?? []), details: details[span.rowID]))
                nodes[node].gaps = (ownGaps[i] ?? []).map {
                    ExplainedGap(
                        startNs: $0.interval.start, endNs: $0.interval.end, spanStartNs: analysis.skew.start[i],
                        spanDurationNs: $0.spanDurationNs)
                }
                // Children and the traces attached under the span, by start.
                var items: [(start: Int64, order: Int, step: Step)] = tree.children(of: i).enumerated().map {
                    (analysis.skew.start[$0.element], $0.offset, .span($0.element, depth: depth + 1, parent: node))
                }
                for k in attachedUnder(span.spanID) {
                    let t = attached[k].analysis.tree
                    let start = (t.topLevel.map { attached[k].analysis.skew.start[$0] }.min() ?? t.startNs) + analysis.skew.shift[i]
                    items.append((start, items.count, .trace(k, depth: depth + 1, parent: node, extraShift: analysis.skew.shift[i])))
                }
                if items.count > 1 { items.sort { ($0.start, $0.order) < ($1.start, $1.order) } }
                stack.append(contentsOf: items.reversed().map(\.step))
            case .trace(let k, let depth, let parent, let extraShift):
                attached[k].parentNode = parent
                let a = attached[k].analysis
                let tops = a.tree.topLevel.sorted { (a.skew.start[$0], $0) < (a.skew.start[$1], $1) }
                stack.append(
                    contentsOf: tops.reversed().map {
                        .attachedSpan(trace: k, span: $0, depth: depth, parent: parent, extraShift: extraShift, top: true)
                    })
            case .attachedSpan(let k, let i, let depth, let parent, let extraShift, let top):
                let a = attached[k].analysis
                let t = a.tree
                let span = t.spans[i]
                let node = nodes.count
                nodes.append(
                    ExplainedSpan(
                        role: .attached(k), span: span, spanID: span.spanID, treeIndex: i, depth: depth, parent: parent,
                        startNs: a.skew.start[i] + extraShift, endNs: a.skew.end[i] + extraShift, selfTimeNs: a.gaps.selfTime[i],
                        shiftNs: a.skew.shift[i] + extraShift, onCriticalPath: false, notes: a.notes(for: i),
                        details: details[span.rowID]))
                if top { attached[k].nodes.append(node) }
                nodes[node].gaps = (attachedGaps[k][i] ?? []).map {
                    ExplainedGap(
                        startNs: $0.interval.start + extraShift, endNs: $0.interval.end + extraShift,
                        spanStartNs: a.skew.start[i] + extraShift, spanDurationNs: $0.spanDurationNs)
                }
                let kids = t.children(of: i).sorted { (a.skew.start[$0], $0) < (a.skew.start[$1], $1) }
                stack.append(
                    contentsOf: kids.reversed().map {
                        .attachedSpan(trace: k, span: $0, depth: depth + 1, parent: node, extraShift: extraShift, top: false)
                    })
            }
        }
        func walk(_ first: Step) {
            stack.append(first)
            while let step = stack.popLast() { perform(step) }
        }

        // Top level: roots, and one placeholder per missing parent holding its orphans.
        var tops: [(start: Int64, order: Int, root: Int?, group: Int?)] = []
        for r in tree.roots { tops.append((analysis.skew.start[r], r, r, nil)) }
        for (g, group) in analysis.missingParents.enumerated() {
            let start = group.children.map { analysis.skew.start[$0] }.min() ?? 0
            tops.append((start, group.children.first ?? 0, nil, g))
        }
        tops.sort { ($0.start, $0.order) < ($1.start, $1.order) }
        var topLevel: [Int] = []
        for top in tops {
            if let r = top.root {
                topLevel.append(nodes.count)
                walk(.span(r, depth: 0, parent: nil))
            } else if let g = top.group {
                let group = analysis.missingParents[g]
                let placeholder = nodes.count
                topLevel.append(placeholder)
                let kids = group.children.sorted { (analysis.skew.start[$0], $0) < (analysis.skew.start[$1], $1) }
                nodes.append(
                    ExplainedSpan(
                        role: .missingParent(remote: group.isRemote), span: nil, spanID: group.parentSpanID, treeIndex: nil,
                        depth: 0, parent: nil, startNs: kids.map { analysis.skew.start[$0] }.min() ?? 0,
                        endNs: kids.map { analysis.skew.end[$0] }.max() ?? 0, selfTimeNs: 0, shiftNs: 0, onCriticalPath: false,
                        notes: []))
                for c in kids { walk(.span(c, depth: 1, parent: placeholder)) }
            }
        }

        details = SpanDetailsTable()  // every node has its own now

        // Children, from each node's parent (nodes are numbered in display order). Not appended
        // during the walk: there, writing into the parent's element copied its list every time.
        for n in nodes.indices {
            if let p = nodes[n].parent { nodes[p].children.append(n) }
        }

        // The critical path, earliest first.
        let path = analysis.criticalPath.sections.reversed().compactMap { section -> Explanation.PathStep? in
            let node = nodeOfTreeIndex[section.span]
            guard node >= 0 else { return nil }
            nodes[node].onCriticalPath = true
            return Explanation.PathStep(node: node, startNs: section.start, endNs: section.end)
        }

        // Findings, tied to their node and (unaccounted time) their gap.
        var findings: [ExplainedFinding] = []
        var indexOfSpan: [SpanID: Int] = [:]
        if !diagnosis.findings.isEmpty {
            for i in tree.spans.indices.reversed() { indexOfSpan[tree.spans[i].spanID] = i }
        }
        for finding in diagnosis.findings {
            var explained = ExplainedFinding(finding: finding)
            if let ref = finding.span, ref.traceID == tree.traceID, let i = indexOfSpan[ref.spanID], nodeOfTreeIndex[i] >= 0 {
                let node = nodeOfTreeIndex[i]
                explained.node = node
                nodes[node].findings.append(findings.count)
                if finding.diagnosis == .unaccountedTime,
                    let g = nodes[node].gaps.firstIndex(where: { $0.finding == nil && $0.lengthNs == finding.timeAtStakeNs })
                {
                    explained.gap = g
                    nodes[node].gaps[g].finding = findings.count
                }
            }
            findings.append(explained)
        }

        let placed = placeLogs(nodes: nodes, attached: attached)
        for (k, log) in placed.enumerated() {
            switch log.placement {
            case .span(let n): nodes[n].logs.append(k)
            case .gap(let n, let g):
                nodes[n].gaps[g].logs.append(k)
                if let f = nodes[n].gaps[g].finding { findings[f].logs.append(k) }
            case .unmatched: break
            }
        }

        // The extent, without copying the nodes (a huge trace's take hundreds of MB).
        var startNs = Int64.max
        var endNs = Int64.min
        for n in nodes.indices where !nodes[n].isPlaceholder {
            startNs = min(startNs, nodes[n].startNs)
            endNs = max(endNs, nodes[n].endNs)
        }
        let placedIntervals = placeIntervals(nodes: nodes, logs: placed, traceEnd: endNs == .min ? 0 : endNs)
        for (k, interval) in placedIntervals.enumerated() {
            if let n = interval.node { nodes[n].intervals.append(k) }
        }
        if !placedIntervals.isEmpty {
            for n in nodes.indices where nodes[n].role == .span {
                for g in nodes[n].gaps.indices {
                    let (evidence, covered) = Self.evidence(for: nodes[n].gaps[g], intervals: placedIntervals)
                    nodes[n].gaps[g].evidence = evidence
                    nodes[n].gaps[g].coveredByIntervalsNs = covered
                    if let f = nodes[n].gaps[g].finding {
                        findings[f].evidence = evidence
                        findings[f].coveredByIntervalsNs = covered
                    }
                }
            }
        }
        let primary = analysis.primaryRoot
        var explanation = Explanation(
            diagnosis: diagnosis, findings: findings, nodes: nodes, topLevel: topLevel, attachedTraces: attached, logs: placed,
            criticalPath: path, startNs: startNs == .max ? 0 : startNs, endNs: endNs == .min ? 0 : endNs, rawStartNs: tree.startNs,
            rootNode: primary.map { nodeOfTreeIndex[$0] }.flatMap { $0 >= 0 ? $0 : nil },
            coverage: analysis.gaps.coverage.first { $0.root == primary }, services: Set(tree.spans.map(\.service)).sorted(),
            logSelection: logSelection, options: options)
        explanation.logClock = Self.logClock(placed, nodes: nodes)
        explanation.intervals = placedIntervals
        return explanation
    }

    /// The log intervals on the adjusted clock, each under the deepest span of the explained trace
    /// that holds it (of its own service when one does), by start.
    func placeIntervals(nodes: [ExplainedSpan], logs: [ExplainedLog], traceEnd: Int64) -> [ExplainedInterval] {
        guard !intervals.isEmpty else { return [] }
        let traceID = diagnosis.traceID
        var keyOfRow = self.keyOfRow
        for entry in logs where entry.link == .key { keyOfRow[entry.log.rowID] = entry.joinKey?.field }
        for (log, join) in keyLogs where keyOfRow[log.rowID] == nil { keyOfRow[log.rowID] = join.key.field }
        var nodeOfSpan: [SpanID: Int] = [:]
        for (n, node) in nodes.enumerated() where node.role == .span && nodeOfSpan[node.spanID] == nil { nodeOfSpan[node.spanID] = n }
        let spanNodes = nodes.indices.filter { nodes[$0].role == .span }
        let clockedSpans = spanNodes.map {
            ClockedSpan(
                spanID: nodes[$0].spanID, service: nodes[$0].service, startNs: nodes[$0].startNs, endNs: nodes[$0].endNs,
                shiftNs: nodes[$0].shiftNs)
        }
        var result: [ExplainedInterval] = []
        var seen = Set<String>()
        for interval in intervals {
            let identity = "\(interval.startRow ?? -1)/\(interval.endRow ?? -1)/\(interval.kind.rawValue)"
            guard seen.insert(identity).inserted else { continue }
            let join: ExplainedInterval.Join
            if let id = interval.traceID, Self.names(id, traceID) {
                join = .traceID
            } else if let field = [interval.startRow, interval.endRow].compactMap({ $0.flatMap { keyOfRow[$0] } }).first {
                join = .key(field)
            } else if interval.traceID == nil {
                join = .time
            } else {
                continue  // its lines name another trace
            }
            let rawEnd = interval.endNs
            let rawStart = interval.startNs
            // The clock: a span of the same service ran on the same host, so the interval takes that
            // span's clock-skew shift (`gaps` measures its evidence with the same rule).
            func holds(_ n: Int, _ s: Int64, _ e: Int64) -> Bool { nodes[n].startNs <= s && e <= nodes[n].endNs }
            let named = interval.spanID.flatMap { nodeOfSpan[$0] }
            let shift = LogIntervalClock.shift(
                service: interval.service, spanID: interval.spanID, rawStart: rawStart, rawEnd: rawEnd, spans: clockedSpans)
            let start = rawStart.map { $0 + shift }
            let end = rawEnd.map { $0 + shift } ?? max(traceEnd, start ?? traceEnd)
            let from = start ?? end
            // The span it ran in: the one its lines name, else the deepest holding it (its own
            // service first at the same depth), else the one it overlaps most.
            var node: Int? = named
            if node == nil {
                node = spanNodes.filter { holds($0, from, end) }.max {
                    (nodes[$0].depth, nodes[$0].service == interval.service ? 1 : 0)
                        < (nodes[$1].depth, nodes[$1].service == interval.service ? 1 : 0)
                }
            }
            if node == nil {
                node = spanNodes.max {
                    (min(nodes[$0].endNs, end) - max(nodes[$0].startNs, from), -nodes[$0].depth)
                        < (min(nodes[$1].endNs, end) - max(nodes[$1].startNs, from), -nodes[$1].depth)
                }
            }
            result.append(
                ExplainedInterval(
                    interval: interval, join: join, startNs: start, endNs: end, shiftNs: shift, node: node))
        }
        return result.sorted { ($0.startNs ?? $0.endNs, $0.endNs) < ($1.startNs ?? $1.endNs, $1.endNs) }
    }

    /// The intervals overlapping `gap` (most overlap first) and how much of it they cover together.
    static func evidence(for gap: ExplainedGap, intervals: [ExplainedInterval]) -> ([GapEvidence], Int64) {
        var found: [GapEvidence] = []
        var pieces: [Gaps.Interval] = []
        for (k, interval) in intervals.enumerated() {
            guard let start = interval.startNs else { continue }
            // An interval that wraps the span (the request's own start and end lines) is that
            // span's work logged, not what filled a gap in it.
            if GapIntervalEvidence.isSpansOwnWork(
                start: start, end: interval.endNs, spanStartNs: gap.spanStartNs, spanDurationNs: gap.spanDurationNs)
            {
                continue
            }
            let s = max(start, gap.startNs)
            let e = min(interval.endNs, gap.endNs)
            guard e > s else { continue }
            found.append(GapEvidence(interval: k, overlapNs: e - s))
            pieces.append(Gaps.Interval(start: s, end: e))
        }
        var holes: [Gaps.Interval] = []
        Gaps.complement(of: &pieces, within: Gaps.Interval(start: gap.startNs, end: gap.endNs), into: &holes)
        let covered = gap.lengthNs - holes.reduce(0) { $0 + $1.length }
        found.sort { ($0.overlapNs, -$0.interval) > ($1.overlapNs, -$1.interval) }
        return (found, covered)
    }

    /// A constant zone offset between the lines that name a span of the trace and that span.
    static func logClock(_ logs: [ExplainedLog], nodes: [ExplainedSpan]) -> LogClockOffset? {
        func sample(_ log: ExplainedLog) -> LogClockCheck.Sample? {
            guard let n = log.node, let t = log.adjustedTimeNs else { return nil }
            return LogClockCheck.Sample(logNs: t, spanStartNs: nodes[n].startNs, spanEndNs: nodes[n].endNs)
        }
        let samples = logs.filter { $0.link == .span }.compactMap(sample)
        if let (seconds, lines) = LogClockCheck.offset(of: samples) {
            return LogClockOffset(path: nil, offsetSeconds: seconds, lines: lines, examinedLines: samples.count, localTimeLines: nil)
        }
        // Else the lines a correlation key joined to the span carrying it (a request's lines run
        // during its span), one service's log at a time: a worker logging naive local time.
        var byService: [String: [LogClockCheck.Sample]] = [:]
        for log in logs where log.link == .key {
            guard let n = log.node, nodes[n].role == .span, let s = sample(log) else { continue }
            byService[log.log.service, default: []].append(s)
        }
        for service in byService.keys.sorted() {
            let group = byService[service]!
            if let (seconds, lines) = LogClockCheck.offset(of: group) {
                return LogClockOffset(path: nil, offsetSeconds: seconds, lines: lines, examinedLines: group.count, localTimeLines: nil)
            }
        }
        return nil
    }

    /// Whether log trace ID `log` names trace `trace` (a 64-bit ID matches a 128-bit one on its low half).
    static func names(_ log: TraceID, _ trace: TraceID) -> Bool {
        log == trace || (log.low == trace.low && (log.high == 0 || trace.high == 0))
    }

    /// Every line placed, by time: under the span it names (at a gap of that span when written during
    /// it), at a gap of a span of its service (lines with no span), or at the end.
    func placeLogs(nodes: [ExplainedSpan], attached: [AttachedTrace]) -> [ExplainedLog] {
        let traceID = diagnosis.traceID
        // Nodes by span ID, per trace: -1 = the explained trace, k = attached trace k.
        var bySpan: [Int: [SpanID: Int]] = [:]
        for (n, node) in nodes.enumerated() {
            let key = node.attachedTrace ?? -1
            if bySpan[key]?[node.spanID] == nil { bySpan[key, default: [:]][node.spanID] = n }
        }
        func gapIndex(_ node: ExplainedSpan, _ log: StoredLog, shift: Int64) -> Int? {
            guard let t = log.timeNs else { return nil }
            let res = log.timeResolutionNs
            return node.gaps.firstIndex { t + shift < $0.endNs && t + shift + res > $0.startNs }
        }
        let withGaps = nodes.indices.filter { !nodes[$0].gaps.isEmpty }
        /// A gap of a node of `service` in trace `key` the line may have been written in.
        func gapOfService(_ service: String, _ log: StoredLog, key: Int, spansOnly: Bool) -> (Int, Int)? {
            for n in withGaps {
                let node = nodes[n]
                guard (node.attachedTrace ?? -1) == key && node.service == service else { continue }
                if spansOnly && node.role != .span { continue }
                if let g = gapIndex(node, log, shift: node.shiftNs) { return (n, g) }
            }
            return nil
        }

        var placed: [ExplainedLog] = []
        for log in logs {
            guard let id = log.traceID else { continue }
            let key: Int
            if Self.names(id, traceID) {
                key = -1
            } else if let k = attached.firstIndex(where: { Self.names(id, $0.traceID) }) {
                key = k
            } else {
                continue
            }
            var entry = ExplainedLog(
                log: log, link: .trace, placement: .unmatched, adjustedTimeNs: log.timeNs, attachedTrace: key >= 0 ? key : nil)
            if let spanID = log.spanID, let n = bySpan[key]?[spanID] {
                let node = nodes[n]
                entry.link = node.isPlaceholder ? .missingParent : .span
                entry.adjustedTimeNs = log.timeNs.map { $0 + node.shiftNs }
                if let g = gapIndex(node, log, shift: node.shiftNs) {
                    entry.placement = .gap(node: n, gap: g)
                } else {
                    entry.placement = .span(node: n)
                }
            } else if log.spanID == nil, let (n, g) = gapOfService(log.service, log, key: key, spansOnly: false) {
                entry.placement = .gap(node: n, gap: g)
            }
            placed.append(entry)
        }
        // Lines joined by a correlation key: under the span carrying the value (at its gap when
        // written during one), else at a gap of their service, else at the end.
        var keyRows = Set<Int64>()
        for (log, join) in keyLogs where join.traceID == traceID && keyRows.insert(log.rowID).inserted {
            var entry = ExplainedLog(log: log, link: .key, placement: .unmatched, adjustedTimeNs: log.timeNs, attachedTrace: nil)
            entry.joinKey = join.key
            entry.joinValue = join.value
            if let spanID = join.spanID, let n = bySpan[-1]?[spanID], nodes[n].service == log.service {
                entry.adjustedTimeNs = log.timeNs.map { $0 + nodes[n].shiftNs }
                if let g = gapIndex(nodes[n], log, shift: nodes[n].shiftNs) {
                    entry.placement = .gap(node: n, gap: g)
                } else {
                    entry.placement = .span(node: n)
                }
            } else if let (n, g) = gapOfService(log.service, log, key: -1, spansOnly: true) {
                entry.placement = .gap(node: n, gap: g)
                entry.adjustedTimeNs = log.timeNs.map { $0 + nodes[n].shiftNs }
            } else if let spanID = join.spanID, let n = bySpan[-1]?[spanID] {
                entry.placement = .span(node: n)
            }
            placed.append(entry)
        }
        // Message IDs this trace's producers sent, with their nodes: a line naming one joins there.
        var producerOf: [String: Int] = [:]
        for (n, node) in nodes.enumerated() where node.role == .span {
            if let span = node.span, UnpropagatedMessage.isHandoff(span), let id = span.messaging?.messageID { producerOf[id] = n }
        }
        var seen = Set<Int64>()
        for log in unlinkedLogs where log.traceID == nil && !keyRows.contains(log.rowID) && seen.insert(log.rowID).inserted {
            guard let (n, g) = gapOfService(log.service, log, key: -1, spansOnly: true) else { continue }
            if !producerOf.isEmpty {
                let attributes =
                    log.attributes == "{}"
                    ? nil : (try? JSONSerialization.jsonObject(with: Data(log.attributes.utf8))) as? [String: Any]
                if let named = MessageLogPatterns.ids(body: log.body, attributes: attributes).first(where: {
                    producerOf[$0.id] != nil
                }) {
                    let p = producerOf[named.id]!
                    placed.append(
                        ExplainedLog(
                            log: log, link: .messageID, placement: .gap(node: n, gap: g),
                            adjustedTimeNs: log.timeNs.map { $0 + nodes[p].shiftNs }, attachedTrace: nil))
                    continue
                }
            }
            placed.append(
                ExplainedLog(
                    log: log, link: .unlinked, placement: .gap(node: n, gap: g),
                    adjustedTimeNs: log.timeNs.map { $0 + nodes[n].shiftNs }, attachedTrace: nil))
        }
        return placed.sorted {
            ($0.adjustedTimeNs ?? Int64.min, $0.log.rowID) < ($1.adjustedTimeNs ?? Int64.min, $1.log.rowID)
        }
    }
}
