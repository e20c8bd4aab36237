// One trace rebuilt from parent IDs, with every anomaly named instead of hidden: several roots,
// cycles (cut the way jaeger-ui cuts them), spans sharing an ID, missing start times.

/// The tree of one trace. Indices are positions in `spans` (input order, re-reports collapsed).
public struct TraceTree: Sendable {
    /// A parent link removed to break a loop.
    public struct CycleCut: Sendable, Equatable {
        /// The span that became a root.
        public var span: Int
        /// The parent it named.
        public var formerParent: SpanID
        /// jaeger-ui's warning: `Cyclic parent reference to <parentID> removed`.
        public var message: String { "Cyclic parent reference to \(formerParent.hex) removed" }
    }

    /// Different spans reported under one span ID.
    public struct DuplicateSpanID: Sendable, Equatable {
        public var spanID: SpanID
        /// The spans sharing it, in input order; the first keeps the ID for its children.
        public var spans: [Int]
    }

    public let traceID: TraceID
    /// The spans in input order, identical re-reports of one span collapsed into the first.
    public let spans: [AnalysisSpan]
    /// The parent of each span, or nil (root, orphan, cycle cut).
    public let parent: [Int?]
    /// Spans with no parent: no parent ID, or a parent link cut to break a cycle. Input order.
    public let roots: [Int]
    /// Spans whose parent ID is not in the trace (`missing_parent`), in input order.
    public let orphans: [Int]
    /// What a trace view shows at the top: roots and orphans in input order (jaeger-ui's rootSpans).
    public let topLevel: [Int]
    /// Depth below its top-level span (0 at the top).
    public let depth: [Int]
    /// Every span once, parents before children, children by start time (unknown starts first).
    public let preorder: [Int]
    /// Start and end in Unix ns after filling in missing times (raw clock, no skew adjustment).
    public let start: [Int64]
    public let end: [Int64]
    public let cycles: [CycleCut]
    public let duplicates: [DuplicateSpanID]
    /// Identical re-reports of a span that were collapsed.
    public let collapsedReports: Int
    /// Zipkin-style client/server halves sharing one span ID (normal: the server is the client's child).
    public let sharedPairs: Int
    /// Notes about single spans (times filled in, cycles cut, duplicates), by span index.
    public let notes: [Int: [String]]

    private let childOffsets: [Int]
    private let childList: [Int]

    /// The children of span `i`, by start time (unknown starts first), then input order.
    public func children(of i: Int) -> ArraySlice<Int> {
        childList[childOffsets[i]..<childOffsets[i + 1]]
    }

    public func hasChildren(_ i: Int) -> Bool { childOffsets[i + 1] > childOffsets[i] }

    public var count: Int { spans.count }

    /// The start of the trace: the earliest effective start.
    public var startNs: Int64 { start.min() ?? 0 }
    public var endNs: Int64 { end.max() ?? 0 }

    /// Whether `i`'s link to its parent is asynchronous: FOLLOWS_FROM, or a CONSUMER under a
    /// PRODUCER. Such children neither block their parent nor need to end inside it.
    public func isAsyncEdge(_ i: Int) -> Bool {
        guard let p = parent[i] else { return false }
        return spans[i].parentRelation == .followsFrom || (spans[p].kind == .producer && spans[i].kind == .consumer)
    }

    public func notes(for i: Int) -> [String] { notes[i] ?? [] }

    /// The index of the span with this ID (the first one when several share it).
    public func index(of id: SpanID) -> Int? {
        spans.firstIndex { $0.spanID == id }
    }

    /// Builds the tree of one trace from its spans in input order.
    public init(spans input: [AnalysisSpan]) {
        traceID = input.first?.traceID ?? TraceID(high: 0, low: 0)
        var notes: [Int: [String]] = [:]

        // 1. One entry per span: collapse identical re-reports, recognise shared client/server
        // halves, and keep distinct spans that share an ID (reported).
        var spans: [AnalysisSpan] = []
        spans.reserveCapacity(input.count)
        var firstWithID: [SpanID: Int] = [:]
        firstWithID.reserveCapacity(input.count)
        var sameID: [SpanID: [Int]] = [:]
        var reports: [Int: Int] = [:]
        var forcedParent: [Int: Int] = [:]
        var childTarget: [SpanID: Int] = [:]
        var duplicateSpans: [SpanID: [Int]] = [:]
        var collapsed = 0
        var shared = 0
        for span in input {
            guard let first = firstWithID[span.spanID] else {
                firstWithID[span.spanID] = spans.count
                spans.append(span)
                continue
            }
            let earlier = [first] + (sameID[span.spanID] ?? [])
            if let same = earlier.first(where: { spans[$0].isSameReport(as: span) }) {
                collapsed += 1
                reports[same, default: 1] += 1
                continue
            }
            let index = spans.count
            spans.append(span)
            sameID[span.spanID, default: []].append(index)
            if earlier.count == 1, let pair = Self.sharedPair(spans[first], first, span, index) {
                shared += 1
                forcedParent[pair.server] = pair.client
                childTarget[span.spanID] = pair.server
            } else {
                duplicateSpans[span.spanID, default: [first]].append(index)
            }
        }
        for (i, n) in reports {
            notes[i, default: []].append("reported \(n) times; identical reports collapsed")
        }
        let n = spans.count

        // 2. Parents from parent IDs.
        var parent = [Int?](repeating: nil, count: n)
        var isOrphan = [Bool](repeating: false, count: n)
        var cycles: [CycleCut] = []
        for i in 0..<n {
            if let p = forcedParent[i] {
                parent[i] = p
                continue
            }
            guard let pid = spans[i].parentSpanID else { continue }
            if pid == spans[i].spanID {
                cycles.append(CycleCut(span: i, formerParent: pid))
            } else if let p = childTarget[pid] ?? firstWithID[pid] {
                parent[i] = p
            } else {
                isOrphan[i] = true
            }
        }

        // 3. Cycles: jaeger-ui's walk. From each span in input order follow parents; a walk
        // that meets its own path cuts the link of the span where it re-entered.
        var state = [UInt8](repeating: 0, count: n)
        var path: [Int] = []
        for startIndex in 0..<n where state[startIndex] == 0 {
            path.removeAll(keepingCapacity: true)
            var current: Int? = startIndex
            while let c = current, state[c] == 0 {
                state[c] = 1
                path.append(c)
                current = parent[c]
            }
            if let c = current, state[c] == 1, let former = parent[c] {
                cycles.append(CycleCut(span: c, formerParent: spans[former].spanID))
                parent[c] = nil
            }
            for s in path { state[s] = 2 }
        }
        cycles.sort { $0.span < $1.span }
        for cut in cycles {
            notes[cut.span, default: []].append(cut.message)
        }

        // 4. Children, ordered by start (unknown first), then input order.
        var counts = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { if let p = parent[i] { counts[p + 1] += 1 } }
        for i in 0..<n { counts[i + 1] += counts[i] }
        var fill = counts
        var list = [Int](repeating: 0, count: counts[n])
        for i in 0..<n {
            if let p = parent[i] {
                list[fill[p]] = i
                fill[p] += 1
            }
        }
        for i in 0..<n where counts[i + 1] - counts[i] > 1 {
            list[counts[i]..<counts[i + 1]].sort { a, b in
                let sa = spans[a].knownStart ?? Int64.min
                let sb = spans[b].knownStart ?? Int64.min
                return sa != sb ? sa < sb : a < b
            }
        }
        childOffsets = counts
        childList = list

        var roots: [Int] = []
        var orphans: [Int] = []
        var top: [Int] = []
        for i in 0..<n where parent[i] == nil {
            top.append(i)
            if isOrphan[i] { orphans.append(i) } else { roots.append(i) }
        }

        // 5. Preorder, depth and times: a missing start is inherited from the parent.
        let earliest = spans.lazy.compactMap(\.knownStart).min()
        var depth = [Int](repeating: 0, count: n)
        var start = [Int64](repeating: 0, count: n)
        var end = [Int64](repeating: 0, count: n)
        var preorder: [Int] = []
        preorder.reserveCapacity(n)
        var stack: [Int] = top.reversed()
        while let i = stack.popLast() {
            preorder.append(i)
            let span = spans[i]
            if let s = span.knownStart {
                start[i] = s
            } else if let p = parent[i] {
                start[i] = start[p]
                notes[i, default: []].append("start time missing; inherited from its parent")
            } else {
                start[i] = earliest ?? 0
                notes[i, default: []].append("start time missing; set to the trace's earliest start")
            }
            if let e = span.endNs, e >= start[i] {
                end[i] = e
            } else {
                end[i] = start[i]
                if span.endNs == nil {
                    notes[i, default: []].append("end time missing; treated as zero-length")
                } else if span.knownStart != nil {
                    notes[i, default: []].append("ends before it starts; treated as zero-length")
                }
            }
            if let p = parent[i] { depth[i] = depth[p] + 1 }
            let kids = list[counts[i]..<counts[i + 1]]
            stack.append(contentsOf: kids.reversed())
        }

        var duplicates: [DuplicateSpanID] = []
        for (id, members) in duplicateSpans {
            duplicates.append(DuplicateSpanID(spanID: id, spans: members))
            for m in members.dropFirst() {
                notes[m, default: []].append("shares span ID \(id.hex) with another span (\(spans[members[0]].label))")
            }
        }
        duplicates.sort { $0.spans[0] < $1.spans[0] }

        self.spans = spans
        self.parent = parent
        self.roots = roots
        self.orphans = orphans
        self.topLevel = top
        self.depth = depth
        self.preorder = preorder
        self.start = start
        self.end = end
        self.cycles = cycles
        self.duplicates = duplicates
        self.collapsedReports = collapsed
        self.sharedPairs = shared
        self.notes = notes
    }

    /// A CLIENT and a SERVER half of one Zipkin span (the server joined the client's span ID).
    private static func sharedPair(_ a: AnalysisSpan, _ ai: Int, _ b: AnalysisSpan, _ bi: Int)
        -> (client: Int, server: Int)?
    {
        let (client, ci, server, si): (AnalysisSpan, Int, AnalysisSpan, Int)
        if a.kind == .client && b.kind == .server {
            (client, ci, server, si) = (a, ai, b, bi)
        } else if a.kind == .server && b.kind == .client {
            (client, ci, server, si) = (b, bi, a, ai)
        } else {
            return nil
        }
        guard server.parentSpanID == nil || server.parentSpanID == client.parentSpanID
            || server.parentSpanID == client.spanID
        else { return nil }
        return (ci, si)
    }
}
