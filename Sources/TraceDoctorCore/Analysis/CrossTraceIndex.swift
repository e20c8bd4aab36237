// What one pass over the database keeps of every span so that questions across traces ("which
// span of this process was running when that fragment started?") are answered without a second
// pass and without comparing traces pairwise.

/// Spans of every trace, by process, on their raw clocks (spans of one host share a clock).
final class CrossTraceIndex {
    /// A span as a question across traces sees it.
    struct Entry {
        var spanID: SpanID
        var start: Int64
        var end: Int64
        var name: String
        var kind: SpanKind
        var trace: Int32
        var process: Int32
        var depth: Int32
        /// Where the span's own (uncovered) intervals are; `ownCount == -1` for a leaf, whose
        /// whole interval is its own time.
        var ownFrom: Int32
        var ownCount: Int32
    }

    /// One trace's spans, as its record prepared them, and its processes' ordinals here.
    private struct Trace {
        var spans: [TraceRecord.IndexSpan]
        var own: [Gaps.Interval]
        var processes: [Int32]
    }

    private var traces: [Trace] = []
    private(set) var processes: [SpanProcess] = []
    private var processOrdinal: [ObjectIdentifier: Int32] = [:]
    /// Per process: its spans as `trace << 32 | index in trace`, built at the first question.
    private var members: [[Int64]]?
    private var indexes: [Int32: IntervalIndex] = [:]
    /// Trace IDs by ordinal.
    private(set) var traceIDs: [TraceID] = []

    /// The ordinal of a process (one per distinct `SpanProcess` object).
    func ordinal(of process: SpanProcess) -> Int32 {
        let key = ObjectIdentifier(process)
        if let known = processOrdinal[key] { return known }
        let ordinal = Int32(processes.count)
        processOrdinal[key] = ordinal
        processes.append(process)
        return ordinal
    }

    /// Adds every span of one trace; returns the trace's ordinal.
    @discardableResult
    func add(_ record: TraceRecord) -> Int32 {
        let trace = Int32(traceIDs.count)
        traceIDs.append(record.summary.traceID)
        traces.append(Trace(spans: record.spans, own: record.own, processes: record.processes.map { ordinal(of: $0) }))
        members = nil
        return trace
    }

    /// Renumbers the traces in trace-ID order, and the processes in the order that adding the
    /// traces in that order would have met them: the index a pass over traces sorted by ID builds.
    /// Returns the new ordinal of each old one; nil when the traces came sorted (nothing changes).
    func sortByTraceID() -> [Int32]? {
        guard zip(traceIDs, traceIDs.dropFirst()).contains(where: { $0.0 >= $0.1 }) else { return nil }
        let order = traceIDs.indices.sorted { traceIDs[$0] < traceIDs[$1] }
        var newOrdinal = [Int32](repeating: 0, count: order.count)
        for (position, old) in order.enumerated() { newOrdinal[old] = Int32(position) }
        let oldProcesses = processes
        var processOf = [Int32](repeating: -1, count: oldProcesses.count)
        processes = []
        processOrdinal = [:]
        var sorted: [Trace] = []
        sorted.reserveCapacity(order.count)
        for old in order {
            var trace = traces[old]
            trace.processes = trace.processes.map { g in
                if processOf[Int(g)] < 0 { processOf[Int(g)] = ordinal(of: oldProcesses[Int(g)]) }
                return processOf[Int(g)]
            }
            sorted.append(trace)
        }
        traces = sorted
        traceIDs = order.map { traceIDs[$0] }
        members = nil
        indexes = [:]
        return newOrdinal
    }

    /// The span at `trace << 32 | index`.
    func entry(_ key: Int64) -> Entry {
        let t = Int(key >> 32)
        let trace = traces[t]
        let span = trace.spans[Int(key & 0xFFFF_FFFF)]
        return Entry(
            spanID: span.spanID, start: span.start, end: span.end, name: span.name, kind: span.kind, trace: Int32(t),
            process: trace.processes[Int(span.process)], depth: span.depth, ownFrom: span.ownFrom, ownCount: span.ownCount)
    }

    /// How many spans trace `trace` holds.
    func spanCount(of trace: Int32) -> Int { traces[Int(trace)].spans.count }

    /// Every span, once.
    func forEachSpan(_ body: (_ trace: Int32, _ span: TraceRecord.IndexSpan) -> Void) {
        for (t, trace) in traces.enumerated() {
            for span in trace.spans { body(Int32(t), span) }
        }
    }

    /// Calls `body` with every span of `service` whose process may be `process` and whose
    /// interval contains `t`.
    func spans(of service: String, compatibleWith process: SpanProcess, runningAt t: Int64, _ body: (Entry) -> Void) {
        for (ordinal, candidate) in processes.enumerated()
        where candidate.service == service && candidate.mayBeSameProcess(as: process) {
            let index = intervalIndex(of: Int32(ordinal))
            let list = keys(of: Int32(ordinal))
            index.stab(t) { payload, _, _ in body(entry(list[Int(payload)])) }
        }
    }

    private func keys(of process: Int32) -> [Int64] {
        if members == nil {
            var lists = [[Int64]](repeating: [], count: processes.count)
            for (t, trace) in traces.enumerated() {
                for (i, span) in trace.spans.enumerated() {
                    lists[Int(trace.processes[Int(span.process)])].append(Int64(t) << 32 | Int64(i))
                }
            }
            members = lists
        }
        return members![Int(process)]
    }

    private func intervalIndex(of process: Int32) -> IntervalIndex {
        if let built = indexes[process] { return built }
        let list = keys(of: process)
        let index = IntervalIndex(
            list.enumerated().map { k, key in
                let span = traces[Int(key >> 32)].spans[Int(key & 0xFFFF_FFFF)]
                return (span.start, span.end, Int32(k))
            })
        indexes[process] = index
        return index
    }

    /// How much of `[from, to]` is the entry's own time (not covered by its children).
    func ownTime(of entry: Entry, overlapping from: Int64, _ to: Int64) -> Int64 {
        if entry.ownCount < 0 {
            return max(0, min(to, entry.end) - max(from, entry.start))
        }
        var total: Int64 = 0
        let own = traces[Int(entry.trace)].own
        for k in Int(entry.ownFrom)..<Int(entry.ownFrom + entry.ownCount) {
            total += max(0, min(to, own[k].end) - max(from, own[k].start))
        }
        return total
    }

    /// For each span ID in `ids`, the traces (by ordinal) that hold a span with that ID.
    func traces(holding ids: Set<SpanID>) -> [SpanID: [Int32]] {
        guard !ids.isEmpty else { return [:] }
        var found: [SpanID: [Int32]] = [:]
        forEachSpan { trace, span in
            if ids.contains(span.spanID) { found[span.spanID, default: []].append(trace) }
        }
        return found
    }
}

extension CrossTraceIndex {
    /// The spans that `links` name and the capture holds (same trace and span ID), in one pass.
    func spanRefs(of links: Set<SpanLink>) -> [SpanLink: SpanRef] {
        guard !links.isEmpty else { return [:] }
        let spanIDs = Set(links.map(\.spanID))
        var found: [SpanLink: SpanRef] = [:]
        for t in 0..<traceIDs.count {
            let traceID = traceIDs[t]
            for k in 0..<spanCount(of: Int32(t)) {
                let key = Int64(t) << 32 | Int64(k)
                let e = entry(key)
                guard spanIDs.contains(e.spanID) else { continue }
                let link = SpanLink(traceID: traceID, spanID: e.spanID)
                guard links.contains(link), found[link] == nil else { continue }
                found[link] = SpanRef(
                    traceID: traceID, spanID: e.spanID, name: e.name, service: processes[Int(e.process)].service, kind: e.kind)
            }
        }
        return found
    }
}
