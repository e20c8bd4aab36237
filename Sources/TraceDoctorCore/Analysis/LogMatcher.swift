// How log lines join the traces, for the log linkage metric, `log_dangling` and `log_unlinked`.
// Built once, after the trace pass, from what the pass kept.

/// Sets of the stored trace and span IDs, matched the way the SPEC says (64-bit trace IDs match
/// 128-bit ones on their low 64 bits).
struct LogMatcher {
    private let traces: Set<TraceID>
    private let lowHalves: Set<UInt64>
    private let lowHalvesOf64Bit: Set<UInt64>
    private let spans: Set<SpanKey>
    private let index: CrossTraceIndex
    private var services: [String: SpanProcess] = [:]
    /// Rows joined by a correlation key, and rows whose key value is ambiguous.
    var keyJoined: Set<Int64> = []
    var keyAmbiguous: Set<Int64> = []

    private struct SpanKey: Hashable {
        var traceLow: UInt64
        var spanID: UInt64
    }

    init(index: CrossTraceIndex) {
        self.index = index
        traces = Set(index.traceIDs)
        lowHalves = Set(index.traceIDs.map(\.low))
        lowHalvesOf64Bit = Set(index.traceIDs.filter { $0.high == 0 }.map(\.low))
        var spans = Set<SpanKey>()
        let traceIDs = index.traceIDs
        index.forEachSpan { trace, span in
            spans.insert(SpanKey(traceLow: traceIDs[Int(trace)].low, spanID: span.spanID.value))
        }
        self.spans = spans
    }

    func matchesTrace(_ id: TraceID) -> Bool {
        traces.contains(id) || (id.high == 0 && lowHalves.contains(id.low)) || lowHalvesOf64Bit.contains(id.low)
    }

    mutating func record(_ log: LogReference, into linkage: inout Quality.LogLinkage) {
        linkage.total += 1
        if let traceID = log.traceID {
            linkage.withTraceID += 1
            if !matchesTrace(traceID) {
                linkage.dangling += 1
            } else if let spanID = log.spanID, spans.contains(SpanKey(traceLow: traceID.low, spanID: spanID.value)) {
                linkage.linkedToSpan += 1
            }
            return
        }
        if let row = log.rowID, keyJoined.contains(row) {
            linkage.joinedByKey += 1
            return
        }
        if let row = log.rowID, keyAmbiguous.contains(row) { linkage.ambiguousKey += 1 }
        guard let time = log.timeNs else { return }
        let probe: SpanProcess
        if let known = services[log.service] {
            probe = known
        } else {
            probe = SpanProcess(service: log.service)
            services[log.service] = probe
        }
        var inside = false
        index.spans(of: log.service, compatibleWith: probe, runningAt: time) { _ in inside = true }
        if inside { linkage.unlinked += 1 }
    }
}
