// The rows of `explain`'s waterfall, shared by the text and HTML views: each span and its notes,
// then in time order its children, its gaps (with the log lines written during them) and its own
// log lines — with `--depth` and `--min-duration` folding what is deep or short into one
// "… 37 spans" row. A span with something to say (an error, a finding, a gap, a clock adjustment)
// is never folded away.
//
// A trace too big to read (more rows than the row budget, 300 by default; `--all` lifts it) is
// summarised: sibling spans with the same service and name become one row ("item 7 ×2,000: 8 µs
// each (p50)…"), a recursion (a span whose only child has its service and name, again and again)
// one "nested" row, and what still does not fit is shown breadth first, the rest folded. Every
// span that carries a finding, an error, a gap, a log line, a clock adjustment or a critical-path
// turning point stays, with the path down to it (a long path becomes one row). Every walk here is
// iterative: a trace may nest 100,000 deep.

/// The waterfall of an explanation, as rows.
public struct ExplainWaterfall: Sendable {
    /// The default number of rows before a trace is summarised.
    public static let defaultRowBudget = 300
    /// From this many spans a trace is "huge": `traces` and `stats` say so, and `explain` will
    /// summarise it (a few hundred rows is what a person reads; 10,000 spans is far beyond).
    public static let hugeTraceSpans = 10_000

    /// `huge traces (10,000 spans or more): 4bf92f35 (100,000 spans), …; explain summarises them`,
    /// or nil when there is none among `traces`.
    public static func hugeTracesLine(_ traces: [(id: TraceID, spans: Int)]) -> String? {
        let huge = traces.filter { $0.spans >= hugeTraceSpans }.sorted { $0.spans > $1.spans }
        guard !huge.isEmpty else { return nil }
        var list = huge.prefix(5).map { TextFormat.shortID($0.id) + " (" + grouped($0.spans) + " spans)" }
        if huge.count > 5 { list.append("\(huge.count - 5) more") }
        return "huge traces (" + grouped(hugeTraceSpans) + " spans or more): " + list.joined(separator: ", ")
            + "; explain summarises them (--all shows every span)"
    }

    /// Why spans were folded.
    public enum FoldReason: Sendable, Equatable {
        /// Shorter than this (`--min-duration`).
        case shorterThan(Int64)
        /// Deeper than this many levels (`--depth`).
        case deeperThan(Int)
        /// Beyond the row budget (`--all` shows them).
        case budget
    }

    /// Sibling spans with the same service and name shown as one row.
    public struct Group: Sendable, Equatable {
        /// The node they are children of.
        public var parent: Int
        public var depth: Int
        public var service: String
        public var name: String
        /// The members, by start (spans with something to say are shown on their own, not here).
        public var nodes: [Int]
        /// The members and every span below them.
        public var spanCount: Int
        /// The median member's duration.
        public var medianNs: Int64
        public var totalNs: Int64
        /// `totalNs` over the parent's duration (0 when it has none).
        public var shareOfParent: Double
        /// From the first member's start to the last member's end.
        public var startNs: Int64
        public var endNs: Int64
    }

    /// Spans nested one inside the next, left out on the way down: a recursion (every one the only
    /// child of the one before, with the same service and name), or the path to a span kept below.
    public struct Nested: Sendable, Equatable {
        /// The spans of the path, top down.
        public var nodes: [Int]
        /// Those and the spans folded beside them.
        public var spanCount: Int
        public var fromDepth: Int
        public var toDepth: Int
        /// Set when every span of the path has this service and name.
        public var service: String?
        public var name: String?
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
        /// A log interval (index into `Explanation.intervals`) shown at `depth`.
        case interval(interval: Int, depth: Int)
        /// Spans left out: how many, why, the nodes, at `depth`.
        case folded(count: Int, reason: FoldReason, nodes: [Int], depth: Int)
        /// Like siblings as one row.
        case group(Group)
        /// A run of nested spans as one row.
        case nested(Nested)
    }

    /// What the row budget made the view leave out.
    public struct Summary: Sendable, Equatable {
        public var rowBudget: Int
        /// Spans (and placeholders) the view shows on a row of their own.
        public var shownSpans: Int
        public var totalSpans: Int
        public var groups: Int
        public var groupedSpans: Int
        public var nestedRuns: Int
        public var nestedSpans: Int
        /// Spans in "… N spans" rows for the budget.
        public var foldedSpans: Int
    }

    public let rows: [Row]
    public let maxDepth: Int?
    public let minDurationNs: Int64
    /// Set when the trace was summarised to fit the row budget.
    public let summary: Summary?

    /// What a node shows under it, in time order.
    private enum Entry {
        case node(Int)
        case fold(Int, FoldReason)
        case group(Group)
        case nested(Nested)
        case gap(Int)
        case log(Int)
        case interval(Int)
    }

    /// Notes the view leaves out: an orphan's "invalid parent span IDs" warning repeats what its
    /// placeholder says.
    static func shows(note: String) -> Bool { !note.hasPrefix("invalid parent span IDs") }

    /// The critical path's turning points: the nodes holding at least 1% of it (at most 100).
    public static func turningPoints(_ e: Explanation) -> Set<Int> {
        var held: [Int: Int64] = [:]
        var total: Int64 = 0
        for step in e.criticalPath {
            held[step.node, default: 0] += step.endNs - step.startNs
            total += step.endNs - step.startNs
        }
        guard total > 0 else { return [] }
        return Set(held.filter { $0.value * 100 >= total }.map(\.key))
    }

    /// The rows of `explanation`, showing `maxDepth` levels at most (nil = all) and folding spans
    /// shorter than `minDurationNs`; summarised when there are more than `rowBudget` rows (nil =
    /// never).
    public init(_ e: Explanation, maxDepth: Int? = nil, minDurationNs: Int64 = 0, rowBudget: Int? = nil) {
        self.maxDepth = maxDepth
        self.minDurationNs = minDurationNs
        let nodes = e.nodes
        let count = nodes.count
        let turning = rowBudget == nil ? [] : Self.turningPoints(e)
        // Nodes are numbered parents first, so one backward pass sees every child before its parent.
        // notable: the node or something below it must stay visible when folding short spans.
        // kept: the node must stay visible when summarising (a log line or a turning point too);
        // keptBelow: it or something below it is kept. size: the node and everything below it.
        var notable = [Bool](repeating: false, count: count)
        var kept = [Bool](repeating: false, count: count)
        var keptBelow = [Bool](repeating: false, count: count)
        var size = [Int](repeating: 1, count: count)
        for n in nodes.indices.reversed() {
            let node = nodes[n]
            var keep = node.isError || !node.findings.isEmpty || !node.gaps.isEmpty || node.shiftNs != 0 || node.isPlaceholder
            keep = keep || node.logs.contains { e.logs[$0].log.isError }
            kept[n] = keep || !node.logs.isEmpty || !node.intervals.isEmpty || turning.contains(n)
            var below = false
            var keptChild = false
            for c in node.children {
                below = below || notable[c]
                keptChild = keptChild || keptBelow[c]
                size[n] += size[c]
            }
            notable[n] = keep || below
            keptBelow[n] = kept[n] || keptChild
        }

        func foldReason(_ c: Int) -> FoldReason? {
            let child = nodes[c]
            if let maxDepth, child.depth >= maxDepth { return .deeperThan(maxDepth) }
            if minDurationNs > 0, child.durationNs < minDurationNs, !notable[c] { return .shorterThan(minDurationNs) }
            return nil
        }
        func sameKind(_ a: Int, _ b: Int) -> Bool {
            nodes[a].role == .span && nodes[b].role == .span && nodes[a].service == nodes[b].service
                && nodes[a].name == nodes[b].name
        }
        /// The entries of `n`: children (grouped and nested when summarising), gaps and log lines.
        func entries(_ n: Int, summarising: Bool) -> [Entry] {
            let node = nodes[n]
            var items: [(time: Int64, order: Int, entry: Entry)] = []
            var groupOf: [String: Int] = [:]  // service + name → index into `groups`
            var groups: [[Int]] = []
            var singleChain = false
            if summarising, node.children.count == 1, let c = node.children.first, sameKind(n, c), !kept[c],
                foldReason(c) == nil
            {
                // A recursion: follow the only child while it has the same service and name.
                var path = [c]
                var current = c
                while nodes[current].children.count == 1, let next = nodes[current].children.first, sameKind(n, next),
                    !kept[next], foldReason(next) == nil
                {
                    path.append(next)
                    current = next
                }
                if path.count >= 3 {
                    let last = path.removeLast()
                    items.append(
                        (nodes[c].startNs, 0,
                         .nested(
                            Nested(
                                nodes: path, spanCount: path.count, fromDepth: nodes[c].depth,
                                toDepth: nodes[path[path.count - 1]].depth, service: node.service, name: node.name))))
                    items.append((nodes[c].startNs, 1, .node(last)))
                    singleChain = true
                }
            }
            if !singleChain {
                for (k, c) in node.children.enumerated() {
                    if let reason = foldReason(c) {
                        items.append((nodes[c].startNs, k, .fold(c, reason)))
                    } else if !summarising || keptBelow[c] || nodes[c].role != .span {
                        items.append((nodes[c].startNs, k, .node(c)))
                    } else {
                        let key = nodes[c].service + "\u{0}" + nodes[c].name
                        if let g = groupOf[key] {
                            groups[g].append(c)
                        } else {
                            groupOf[key] = groups.count
                            groups.append([c])
                            items.append((nodes[c].startNs, k, .fold(c, .budget)))  // replaced below
                        }
                    }
                }
            }
            // Groups of one stay a span; larger groups take the place of their first member.
            if !groups.isEmpty {
                var firstOf: [Int: [Int]] = [:]
                for members in groups { firstOf[members[0]] = members }
                for k in items.indices {
                    guard case .fold(let c, .budget) = items[k].entry, let members = firstOf[c] else { continue }
                    if members.count == 1 {
                        items[k].entry = .node(c)
                        continue
                    }
                    let durations = members.map { nodes[$0].durationNs }.sorted()
                    let total = durations.reduce(Int64(0), +)
                    items[k].entry = .group(
                        Group(
                            parent: n, depth: node.depth + 1, service: nodes[c].service, name: nodes[c].name, nodes: members,
                            spanCount: members.reduce(0) { $0 + size[$1] }, medianNs: durations[(durations.count - 1) / 2],
                            totalNs: total,
                            shareOfParent: node.durationNs > 0 ? Double(total) / Double(node.durationNs) : 0,
                            startNs: members.map { nodes[$0].startNs }.min() ?? 0,
                            endNs: members.map { nodes[$0].endNs }.max() ?? 0))
                }
            }
            for (g, gap) in node.gaps.enumerated() { items.append((gap.startNs, count + g, .gap(g))) }
            for l in node.logs { items.append((e.logs[l].adjustedTimeNs ?? Int64.min, 2 * count + l, .log(l))) }
            for k in node.intervals {
                let interval = e.intervals[k]
                items.append((interval.startNs ?? interval.endNs, 2 * count + e.logs.count + k, .interval(k)))
            }
            items.sort { ($0.time, $0.order) < ($1.time, $1.order) }
            return items.map(\.entry)
        }
        /// The rows a node takes besides those of its children, and one for what may be folded under it.
        func cost(_ n: Int) -> Int {
            let node = nodes[n]
            var rows = 1 + node.notes.filter(Self.shows(note:)).count + node.logs.count + node.intervals.count
            for gap in node.gaps { rows += 1 + gap.logs.count }
            return rows + (node.children.isEmpty ? 0 : 1)
        }

        /// The rows, walking the tree with a stack of what is still to be written (no recursion).
        /// `visible` nil: every node. `passThrough(n)`: the next node down when `n` is part of a
        /// path to fold into one row. `shownGroups`: first members of the groups that get a row.
        func emit(
            entries: (Int) -> [Entry], visible: [Bool]?, shownGroups: Set<Int>, passThrough: (Int) -> Int?
        ) -> [Row] {
            enum Task {
                case node(Int)
                case row(Row)
            }
            var rows: [Row] = []
            /// The tasks for `list`, the entries under node `n` (nil: the top level) at `depth`.
            func place(_ list: [Entry], under n: Int?, depth: Int) -> [Task] {
                var tasks: [Task] = []
                var pending: [Int] = []
                var pendingCount = 0
                var pendingReason: FoldReason?
                func flush() {
                    if let reason = pendingReason, !pending.isEmpty {
                        tasks.append(.row(.folded(count: pendingCount, reason: reason, nodes: pending, depth: depth)))
                    }
                    pending = []
                    pendingCount = 0
                    pendingReason = nil
                }
                func fold(_ members: [Int], _ spans: Int, _ reason: FoldReason) {
                    if pendingReason != reason { flush() }
                    pendingReason = reason
                    pending += members
                    pendingCount += spans
                }
                var announced = Set<Int>()
                for entry in list {
                    switch entry {
                    case .gap(let g):
                        flush()
                        guard let n else { continue }
                        tasks.append(.row(.gap(node: n, gap: g)))
                        for l in nodes[n].gaps[g].logs { tasks.append(.row(.log(log: l, depth: depth + 1))) }
                    case .log(let l):
                        flush()
                        tasks.append(.row(.log(log: l, depth: depth)))
                    case .interval(let k):
                        flush()
                        tasks.append(.row(.interval(interval: k, depth: depth)))
                    case .fold(let c, let reason):
                        fold([c], size[c], reason)
                    case .group(let g):
                        guard visible == nil || shownGroups.contains(g.nodes[0]) else {
                            fold(g.nodes, g.spanCount, .budget)
                            continue
                        }
                        flush()
                        tasks.append(.row(.group(g)))
                    case .nested(let run):
                        flush()
                        tasks.append(.row(.nested(run)))
                    case .node(let c):
                        if let visible, !visible[c] {
                            fold([c], size[c], .budget)
                            continue
                        }
                        flush()
                        if let n, let k = nodes[c].attachedTrace, announced.insert(k).inserted, e.attachedTraces[k].parentNode == n {
                            tasks.append(.row(.attachedTrace(trace: k, depth: nodes[c].depth)))
                        }
                        tasks.append(.node(c))
                    }
                }
                flush()
                return tasks
            }

            var stack: [Task] = []
            if maxDepth.map({ $0 >= 1 }) ?? true {
                stack = place(e.topLevel.map(Entry.node), under: nil, depth: 0).reversed()
            }
            while let task = stack.popLast() {
                switch task {
                case .row(let row):
                    rows.append(row)
                case .node(var n):
                    // A path down to a kept span, beyond the budget: one row.
                    var path: [Int] = []
                    var spans = 0
                    while let down = passThrough(n) {
                        path.append(n)
                        spans += size[n] - size[down]
                        n = down
                    }
                    if path.count == 1 {
                        n = path[0]
                    } else if let first = path.first, let last = path.last {
                        let same = path.allSatisfy { sameKind(first, $0) }
                        rows.append(
                            .nested(
                                Nested(
                                    nodes: path, spanCount: spans, fromDepth: nodes[first].depth, toDepth: nodes[last].depth,
                                    service: same ? nodes[first].service : nil, name: same ? nodes[first].name : nil)))
                    }
                    let node = nodes[n]
                    rows.append(.span(node: n))
                    for note in node.notes where Self.shows(note: note) { rows.append(.note(node: n, text: note)) }
                    stack.append(contentsOf: place(entries(n), under: n, depth: node.depth + 1).reversed())
                }
            }
            return rows
        }

        // First the whole view; summarised only when it does not fit.
        let all = emit(entries: { entries($0, summarising: false) }, visible: nil, shownGroups: [], passThrough: { _ in nil })
        guard let rowBudget, all.count > rowBudget else {
            rows = all
            summary = nil
            return
        }

        // Which nodes get a row: breadth first until the budget is spent, and every kept node.
        var visible = [Bool](repeating: false, count: count)
        var fits = [Bool](repeating: false, count: count)
        var shownGroups = Set<Int>()
        var cache: [Int: [Entry]] = [:]
        var used = 0
        var full = false
        var level: [Int] = maxDepth.map { $0 >= 1 } ?? true ? e.topLevel : []
        while !level.isEmpty {
            var next: [Int] = []
            for n in level {
                let c = cost(n)
                if !full && used + c <= rowBudget {
                    fits[n] = true
                    used += c
                } else {
                    full = true
                    guard keptBelow[n] else { continue }
                }
                visible[n] = true
                let list = entries(n, summarising: true)
                cache[n] = list
                for entry in list {
                    switch entry {
                    case .node(let c):
                        next.append(c)
                    case .group(let g):
                        if !full && used + 1 <= rowBudget {
                            used += 1
                            shownGroups.insert(g.nodes[0])
                        } else {
                            full = true
                        }
                    case .nested:
                        used += 1
                    default:
                        break
                    }
                }
            }
            level = next
        }
        // A node shown only for what is below it, beyond the budget, with one way down: part of a
        // path folded into one row.
        func passThrough(_ n: Int) -> Int? {
            guard visible[n], !fits[n], !kept[n], nodes[n].gaps.isEmpty, nodes[n].logs.isEmpty, nodes[n].intervals.isEmpty else { return nil }
            var down: Int?
            for c in nodes[n].children where keptBelow[c] {
                if down != nil { return nil }
                down = c
            }
            return down
        }
        let summarised = emit(
            entries: { cache[$0] ?? entries($0, summarising: true) }, visible: visible, shownGroups: shownGroups,
            passThrough: passThrough)
        var summary = Summary(
            rowBudget: rowBudget, shownSpans: 0, totalSpans: count, groups: 0, groupedSpans: 0, nestedRuns: 0, nestedSpans: 0,
            foldedSpans: 0)
        for row in summarised {
            switch row {
            case .span: summary.shownSpans += 1
            case .group(let g):
                summary.groups += 1
                summary.groupedSpans += g.spanCount
            case .nested(let run):
                summary.nestedRuns += 1
                summary.nestedSpans += run.spanCount
            case .folded(let n, .budget, _, _): summary.foldedSpans += n
            default: break
            }
        }
        rows = summarised
        self.summary = summary
    }

    /// `2,000`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
