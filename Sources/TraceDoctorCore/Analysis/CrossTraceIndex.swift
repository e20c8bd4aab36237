// What one pass over the database keeps of every span so that questions across traces ("which
// span of this process was running when that fragment started?") are answered without a second
// pass and without comparing traces pairwise.

/// Spans of every trace, by process, on their raw clocks (spans of one host share a clock).
final class CrossTraceIndex {
    struct Entry {
        var spanID: SpanID
        var start: Int64
        var end: Int64
        var name: String
        var kind: SpanKind
        var trace: Int32
        var process: Int32
        var depth: Int32
        /// The span's own (uncovered) intervals are `own[ownFrom ..< ownFrom + ownCount]`;
        /// `ownCount == -1` for a leaf, whose whole interval is its own time.
        var ownFrom: Int32
        var ownCount: Int32
    }

    private(set) var entries: [Entry] = []
    private var ownStart: [Int64] = []
    private var ownEnd: [Int64] = []
    private(set) var processes: [SpanProcess] = []
    private var processOrdinal: [ObjectIdentifier: Int32] = [:]
    private var entriesByProcess: [[Int32]] = []
    private var indexes: [Int32: IntervalIndex] = [:]
    /// Trace IDs by ordinal.
    private(set) var traceIDs: [TraceID] = []

    init(expectedSpans: Int = 0) {
        entries.reserveCapacity(expectedSpans)
    }

    /// The ordinal of a process (one per distinct `SpanProcess` object).
    func ordinal(of process: SpanProcess) -> Int32 {
        let key = ObjectIdentifier(process)
        if let known = processOrdinal[key] { return known }
        let ordinal = Int32(processes.count)
        processOrdinal[key] = ordinal
        processes.append(process)
        entriesByProcess.append([])
        return ordinal
    }

    /// Adds every span of one analysed trace; returns the trace's ordinal.
    @discardableResult
    func add(_ analysis: TraceAnalysis) -> Int32 {
        let trace = Int32(traceIDs.count)
        traceIDs.append(analysis.traceID)
        let tree = analysis.tree
        let processOrdinals = tree.processes.map { ordinal(of: $0) }
        for i in 0..<tree.count {
            let process = processOrdinals[tree.processIndex[i]]
            var from: Int32 = 0
            var count: Int32 = -1
            if tree.hasChildren(i) {
                // Back from the adjusted clock to the span's own raw clock.
                let back = analysis.skew.shift[i]
                let holes = analysis.gaps.uncovered(of: i)
                from = Int32(ownStart.count)
                count = Int32(holes.count)
                for hole in holes {
                    ownStart.append(hole.start - back)
                    ownEnd.append(hole.end - back)
                }
            }
            entriesByProcess[Int(process)].append(Int32(entries.count))
            entries.append(
                Entry(
                    spanID: tree.spans[i].spanID, start: tree.start[i], end: tree.end[i], name: tree.spans[i].name,
                    kind: tree.spans[i].kind, trace: trace, process: process, depth: Int32(tree.depth[i]), ownFrom: from,
                    ownCount: count))
        }
        return trace
    }

    /// Calls `body` with every span of `service` whose process may be `process` and whose
    /// interval contains `t`.
    func spans(of service: String, compatibleWith process: SpanProcess, runningAt t: Int64, _ body: (Entry) -> Void) {
        for (ordinal, candidate) in processes.enumerated()
        where candidate.service == service && candidate.mayBeSameProcess(as: process) {
            let index = intervalIndex(of: Int32(ordinal))
            index.stab(t) { payload, _, _ in body(entries[Int(payload)]) }
        }
    }

    private func intervalIndex(of process: Int32) -> IntervalIndex {
        if let built = indexes[process] { return built }
        let members = entriesByProcess[Int(process)]
        let index = IntervalIndex(members.map { (entries[Int($0)].start, entries[Int($0)].end, $0) })
        indexes[process] = index
        return index
    }

    /// How much of `[from, to]` is the entry's own time (not covered by its children).
    func ownTime(of entry: Entry, overlapping from: Int64, _ to: Int64) -> Int64 {
        if entry.ownCount < 0 {
            return max(0, min(to, entry.end) - max(from, entry.start))
        }
        var total: Int64 = 0
        for k in Int(entry.ownFrom)..<Int(entry.ownFrom + entry.ownCount) {
            total += max(0, min(to, ownEnd[k]) - max(from, ownStart[k]))
        }
        return total
    }

    /// For each span ID in `ids`, the traces (by ordinal) that hold a span with that ID.
    func traces(holding ids: Set<SpanID>) -> [SpanID: [Int32]] {
        guard !ids.isEmpty else { return [:] }
        var found: [SpanID: [Int32]] = [:]
        for entry in entries where ids.contains(entry.spanID) {
            found[entry.spanID, default: []].append(entry.trace)
        }
        return found
    }
}
