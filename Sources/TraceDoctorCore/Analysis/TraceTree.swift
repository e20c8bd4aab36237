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
    /// Every span once, parents before children, children by start time (an unknown start as 0).
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
    /// The distinct processes of the trace (by identity), and each span's index into it.
    public let processes: [SpanProcess]
    public let processIndex: [Int]
    /// Each span's host as a small number: equal numbers = same known host; -1 = unknown.
    public let hostIndex: [Int]

    private let childOffsets: [Int]
    private let childList: [Int]

    /// The children of span `i`, by start time (an unknown start as 0), then input order.
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
        // halves, and keep distinct spans that share an ID (reported). Most traces have no
        // repeated ID: sorting the IDs finds that out, and then answers the parent lookups.
        var byID = input.indices.map { (id: input[$0].spanID.value, index: $0) }
        byID.sort { $0.id != $1.id ? $0.id < $1.id : $0.index < $1.index }
        var repeated = false
        for k in byID.indices.dropFirst() where byID[k].id == byID[k - 1].id {
            repeated = true
            break
        }
        var spans: [AnalysisSpan]
        var forcedParent: [Int: Int] = [:]
        var targets: [SpanID: Int] = [:]
        var duplicateSpans: [SpanID: [Int]] = [:]
        var collapsed = 0
        var shared = 0
        if !repeated {
            spans = input
        } else {
            spans = []
            spans.reserveCapacity(input.count)
            var sameID: [SpanID: [Int]] = [:]
            var reports: [Int: Int] = [:]
            for span in input {
                guard let first = sameID[span.spanID]?.first else {
                    targets[span.spanID] = spans.count
                    sameID[span.spanID] = [spans.count]
                    spans.append(span)
                    continue
                }
                let earlier = sameID[span.spanID] ?? [first]
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
                    // Spans naming the shared ID run under the server half (as Jaeger re-parents them).
                    targets[span.spanID] = pair.server
                } else {
                    duplicateSpans[span.spanID, default: [first]].append(index)
                }
            }
            for (i, n) in reports {
                notes[i, default: []].append("reported \(n) times; identical reports collapsed")
            }
        }
        /// The span a parent ID names.
        func resolve(_ id: SpanID) -> Int? {
            if repeated { return targets[id] }
            var low = 0
            var high = byID.count
            while low < high {
                let mid = (low + high) / 2
                if byID[mid].id < id.value { low = mid + 1 } else { high = mid }
            }
            return low < byID.count && byID[low].id == id.value ? byID[low].index : nil
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
            } else if let p = resolve(pid) {
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
        // Known starts (Int64.min = unknown) and ends, read once: reading through the span array
        // in a comparison copies the whole span.
        // A zero start is 1970: among spans with real dates it means "not set" (OTLP's default);
        // in a trace of small relative times (test data) it is a time like any other.
        var rawStart = [Int64](repeating: Int64.min, count: n)
        var rawEnd = [Int64?](repeating: nil, count: n)
        var dated = false
        for i in 0..<n {
            if let s = spans[i].startNs { rawStart[i] = s }
            rawEnd[i] = spans[i].endNs
            if rawStart[i] >= Self.datedNs { dated = true }
        }
        if dated {
            for i in 0..<n where rawStart[i] == 0 { rawStart[i] = Int64.min }
        }
        // Children by start, an unknown start counting as 0 (jaeger-ui's fallback; it also puts
        // them first, as zipkin-lens does), ties in input order.
        for i in 0..<n where counts[i + 1] - counts[i] > 1 {
            list[counts[i]..<counts[i + 1]].sort { a, b in
                let sa = rawStart[a] == Int64.min ? 0 : rawStart[a]
                let sb = rawStart[b] == Int64.min ? 0 : rawStart[b]
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
        let earliest = rawStart.lazy.filter { $0 != Int64.min }.min()
        var depth = [Int](repeating: 0, count: n)
        var start = [Int64](repeating: 0, count: n)
        var end = [Int64](repeating: 0, count: n)
        var preorder: [Int] = []
        preorder.reserveCapacity(n)
        var stack: [Int] = top.reversed()
        while let i = stack.popLast() {
            preorder.append(i)
            if rawStart[i] != Int64.min {
                start[i] = rawStart[i]
            } else if let p = parent[i] {
                start[i] = start[p]
                notes[i, default: []].append("start time missing; inherited from its parent")
            } else {
                start[i] = earliest ?? 0
                notes[i, default: []].append("start time missing; set to the trace's earliest start")
            }
            if let e = rawEnd[i], e >= start[i] {
                end[i] = e
            } else {
                end[i] = start[i]
                if rawEnd[i] == nil {
                    notes[i, default: []].append("end time missing; treated as zero-length")
                } else if rawStart[i] != Int64.min {
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

        var processes: [SpanProcess] = []
        var processIndex = [Int](repeating: 0, count: n)
        var hostOfProcess: [Int] = []
        var hosts: [String] = []
        for i in 0..<n {
            let process = spans[i].process
            if let known = processes.firstIndex(where: { $0 === process }) {
                processIndex[i] = known
                continue
            }
            processIndex[i] = processes.count
            processes.append(process)
            if let host = process.host {
                if let h = hosts.firstIndex(of: host) {
                    hostOfProcess.append(h)
                } else {
                    hostOfProcess.append(hosts.count)
                    hosts.append(host)
                }
            } else {
                hostOfProcess.append(-1)
            }
        }
        self.processes = processes
        self.processIndex = processIndex
        hostIndex = processIndex.map { hostOfProcess[$0] }

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

    /// 1973-03-03 in Unix ns: a start after it is a real date.
    static let datedNs: Int64 = 100_000_000_000_000_000

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
