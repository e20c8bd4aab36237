// The rows of `explain`'s waterfall, shared by the text and HTML views: each span and its notes,
// then in time order its children, its gaps (with the log lines written during them) and its own
// log lines — with
// `--depth` and `--min-duration` folding what is deep or short into one "… 37 spans" row. A span
// with something to say (an error, a finding, a gap, a clock adjustment) is never folded away.

/// The waterfall of an explanation, as rows.
public struct ExplainWaterfall: Sendable {
    /// Why spans were folded.
    public enum FoldReason: Sendable, Equatable {
        /// Shorter than this (`--min-duration`).
        case shorterThan(Int64)
        /// Deeper than this many levels (`--depth`).
        case deeperThan(Int)
    }

    /// One row.
    public enum Row: Sendable, Equatable {
        /// A node (span, placeholder or span of an attached trace).
        case span(node: Int)
        /// A note about the node above (clock skew, filled-in times).
        case note(node: Int, text: String)
        /// The start of attached trace `trace` under the node above it.
        case attachedTrace(trace: Int, depth: Int)
        /// A gap of `node`.
        case gap(node: Int, gap: Int)
        /// A log line shown at `depth`.
        case log(log: Int, depth: Int)
        /// Spans left out: how many, why, the nodes, at `depth`.
        case folded(count: Int, reason: FoldReason, nodes: [Int], depth: Int)
    }

    public let rows: [Row]
    public let maxDepth: Int?
    public let minDurationNs: Int64

    /// Notes the view leaves out: an orphan's "invalid parent span IDs" warning repeats what its
    /// placeholder says.
    static func shows(note: String) -> Bool { !note.hasPrefix("invalid parent span IDs") }

    /// The rows of `explanation`, showing `maxDepth` levels at most (nil = all) and folding spans
    /// shorter than `minDurationNs`.
    public init(_ e: Explanation, maxDepth: Int? = nil, minDurationNs: Int64 = 0) {
        self.maxDepth = maxDepth
        self.minDurationNs = minDurationNs
        let nodes = e.nodes
        // Whether a node, or something below it, must stay visible.
        var notable = [Bool](repeating: false, count: nodes.count)
        for n in nodes.indices.reversed() {
            let node = nodes[n]
            var keep = node.isError || !node.findings.isEmpty || !node.gaps.isEmpty || node.shiftNs != 0 || node.isPlaceholder
            keep = keep || node.logs.contains { e.logs[$0].log.isError }
            notable[n] = keep || node.children.contains { notable[$0] }
        }
        func subtreeSize(_ n: Int) -> Int { 1 + nodes[n].children.reduce(0) { $0 + subtreeSize($1) } }

        var rows: [Row] = []
        /// A span's line and notes, then — in time order — its children, its gaps (each followed
        /// by the lines written during it) and its own log lines.
        func emit(_ n: Int) {
            let node = nodes[n]
            rows.append(.span(node: n))
            for note in node.notes where Self.shows(note: note) { rows.append(.note(node: n, text: note)) }
            enum Item {
                case child(Int)
                case gap(Int)
                case log(Int)
            }
            var items: [(time: Int64, order: Int, item: Item)] = []
            for (k, c) in node.children.enumerated() { items.append((nodes[c].startNs, k, .child(c))) }
            for (g, gap) in node.gaps.enumerated() { items.append((gap.startNs, items.count, .gap(g))) }
            for l in node.logs { items.append((e.logs[l].adjustedTimeNs ?? Int64.min, items.count, .log(l))) }
            items.sort { ($0.time, $0.order) < ($1.time, $1.order) }

            var pending: [Int] = []
            var pendingReason: FoldReason?
            func flush() {
                guard let reason = pendingReason, !pending.isEmpty else { return }
                rows.append(
                    .folded(
                        count: pending.reduce(0) { $0 + subtreeSize($1) }, reason: reason, nodes: pending, depth: node.depth + 1))
                pending = []
                pendingReason = nil
            }
            var announced = Set<Int>()
            for entry in items {
                switch entry.item {
                case .gap(let g):
                    flush()
                    rows.append(.gap(node: n, gap: g))
                    for l in node.gaps[g].logs { rows.append(.log(log: l, depth: node.depth + 2)) }
                case .log(let l):
                    flush()
                    rows.append(.log(log: l, depth: node.depth + 1))
                case .child(let c):
                    let child = nodes[c]
                    let reason: FoldReason?
                    if let maxDepth, child.depth >= maxDepth {
                        reason = .deeperThan(maxDepth)
                    } else if minDurationNs > 0, child.durationNs < minDurationNs, !notable[c] {
                        reason = .shorterThan(minDurationNs)
                    } else {
                        reason = nil
                    }
                    if let reason {
                        if pendingReason != reason { flush() }
                        pendingReason = reason
                        pending.append(c)
                        continue
                    }
                    flush()
                    if let k = child.attachedTrace, announced.insert(k).inserted, e.attachedTraces[k].parentNode == n {
                        rows.append(.attachedTrace(trace: k, depth: child.depth))
                    }
                    emit(c)
                }
            }
            flush()
        }
        for top in e.topLevel {
            if let maxDepth, maxDepth < 1 { break }
            emit(top)
        }
        self.rows = rows
    }
}
