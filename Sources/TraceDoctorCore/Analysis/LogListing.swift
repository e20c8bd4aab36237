// `tracedoctor logs`: the log lines of one trace (or one span of it), the lines without a trace ID
// written while a span of their service was running (`log_unlinked`, each with the spans it may
// belong to), or the lines whose trace ID matches no stored trace (`log_dangling`).

/// Log lines selected from the database.
public struct LogListing: Sendable {
    /// Which lines.
    public enum Selection: Sendable, Equatable {
        /// The lines of a trace (any unique prefix or spelling of its ID), of one span when given.
        case trace(String, span: SpanID?)
        case unlinked
        case dangling
    }

    /// One line, with the spans it may belong to (`unlinked` only).
    public struct Line: Sendable {
        public var log: StoredLog
        /// Spans of its service running when it was written, earliest start first (at most
        /// `candidateLimit`).
        public var candidates: [TraceStore.SpanWindow]
        /// How many spans were running (may exceed `candidates.count`).
        public var candidateCount: Int
        /// The clock-skew shift of the span it names (`trace` only): what `explain` adds to
        /// place the line on the trace's adjusted clock; 0 where the raw clock is kept.
        public var shiftNs: Int64 = 0
        /// The host whose clock was adjusted, when `shiftNs` is not 0.
        public var shiftedHost: String?

        /// The line's time on the adjusted clock (the clock `explain` shows).
        public var adjustedTimeNs: Int64? { log.timeNs.map { $0 + shiftNs } }

        /// How it joins a trace (`time` for an unlinked line that only its time places).
        public var join: LogJoin = .time
        /// The trace and span a correlation key joined it to (`join` is `.key`).
        public var keyTrace: TraceID?
        public var keySpan: SpanID?
        /// A key value it carries that several traces carry too (not joined).
        public var ambiguity: KeyJoins.Ambiguity?
    }

    public let selection: Selection
    /// The trace resolved from the argument (`trace` only).
    public let traceID: TraceID?
    /// The trace's earliest span start on the adjusted clock, for offsets (`trace` only).
    public let traceStartNs: Int64?
    public let lines: [Line]
    /// Every line of the database (for the `unlinked` and `dangling` shares).
    public let totalLogs: Int

    /// The correlation keys used (`--link-key`).
    public internal(set) var linkKeys: [LinkKey] = []

    public static let candidateLimit = 3

    /// Reads the lines `selection` names; with `errorsOnly`, ERROR and FATAL lines only.
    /// With `linkKeys`, lines without a trace ID that share a key value with a span of the
    /// trace are lines of the trace too, and `--unlinked` lines say which trace their key joins.
    public static func read(
        databasePath: String, selection: Selection, errorsOnly: Bool = false, options: AnalysisOptions = AnalysisOptions(),
        linkKeys: [LinkKey] = []
    ) throws(TraceDoctorError) -> LogListing {
        var listing = try select(
            databasePath: databasePath, selection: selection, errorsOnly: errorsOnly, options: options, linkKeys: linkKeys)
        listing.linkKeys = linkKeys
        return listing
    }

    static func select(
        databasePath: String, selection: Selection, errorsOnly: Bool, options: AnalysisOptions, linkKeys: [LinkKey]
    ) throws(TraceDoctorError) -> LogListing {
        Interruption.doing("listing the logs")
        let store = try TraceStore(path: databasePath, readOnly: true)
        defer { store.close() }
        let total = try store.logCount()
        let keys = linkKeys.isEmpty || selection == .dangling ? KeyJoins() : try KeyJoiner.join(keys: linkKeys, store: store)
        switch selection {
        case .trace(let query, let span):
            let id = try store.resolveTraceID(query)
            let spans = try store.spans(ofTrace: id)
            if let span, !spans.contains(where: { $0.spanID == span }) {
                throw .usage("trace \(id.hex) has no span \(span.hex); its spans: "
                    + spans.prefix(8).map { "\($0.spanID.hex) (\($0.name))" }.joined(separator: ", ")
                    + (spans.count > 8 ? ", …" : ""))
            }
            let logs = try store.logs(ofTrace: id, spanID: span, errorsOnly: errorsOnly)
            // One clock with `explain`: each line moves with the clock-skew shift of its span.
            let tree = TraceTree(spans: spans)
            let skew = ClockSkew(tree: tree, maxSkewNs: options.maxSkewNs)
            var bySpan: [SpanID: Int] = [:]
            for (i, s) in tree.spans.enumerated() where bySpan[s.spanID] == nil { bySpan[s.spanID] = i }
            let starts = tree.spans.indices.filter { tree.spans[$0].startNs.map { $0 != 0 } ?? false }.map { skew.start[$0] }
            func shifted(_ line: inout Line, span spanID: SpanID?) {
                if let spanID, let i = bySpan[spanID], skew.shift[i] != 0 {
                    line.shiftNs = skew.shift[i]
                    line.shiftedHost = tree.spans[i].process.host
                }
            }
            var lines = logs.map { log in
                var line = Line(log: log, candidates: [], candidateCount: 0)
                line.join = log.spanID.map { bySpan[$0] != nil } == true ? .traceAndSpan : .traceID
                shifted(&line, span: log.spanID)
                return line
            }
            for log in try store.logs(rowIDs: keys.rows(of: id)) where !(errorsOnly && !log.isError) {
                guard let join = keys.joined[log.rowID], span == nil || join.spanID == span else { continue }
                var line = Line(log: log, candidates: [], candidateCount: 0)
                line.join = .key(join.key, value: join.value)
                line.keyTrace = join.traceID
                line.keySpan = join.spanID
                shifted(&line, span: join.spanID)
                lines.append(line)
            }
            return LogListing(
                selection: selection, traceID: id, traceStartNs: starts.min(),
                lines: lines.sorted {
                    ($0.adjustedTimeNs ?? Int64.min, $0.log.rowID) < ($1.adjustedTimeNs ?? Int64.min, $1.log.rowID)
                }, totalLogs: total)
        case .dangling:
            let ids = try store.allTraceIDs()
            let full = Set(ids)
            let lows = Set(ids.map(\.low))
            let lowsOf64Bit = Set(ids.filter { $0.high == 0 }.map(\.low))
            var lines: [Line] = []
            try store.forEachStoredLog(withTraceID: true) { log in
                guard let id = log.traceID, !(errorsOnly && !log.isError) else { return }
                let matches = full.contains(id) || (id.high == 0 && lows.contains(id.low)) || lowsOf64Bit.contains(id.low)
                if !matches { lines.append(Line(log: log, candidates: [], candidateCount: 0)) }
            }
            return LogListing(selection: selection, traceID: nil, traceStartNs: nil, lines: sorted(lines), totalLogs: total)
        case .unlinked:
            let windows = try store.spanWindows(services: try store.servicesOfUnlinkedLogs()).mapValues(WindowIndex.init)
            var lines: [Line] = []
            try store.forEachStoredLog(withTraceID: false) { log in
                guard !(errorsOnly && !log.isError) else { return }
                var line = Line(log: log, candidates: [], candidateCount: 0)
                if let join = keys.joined[log.rowID] {
                    line.join = .key(join.key, value: join.value)
                    line.keyTrace = join.traceID
                    line.keySpan = join.spanID
                }
                line.ambiguity = keys.ambiguous[log.rowID]
                if let t = log.timeNs, let index = windows[log.service] {
                    (line.candidates, line.candidateCount) = index.running(at: t, limit: candidateLimit)
                }
                if line.candidateCount > 0 || line.keyTrace != nil || line.ambiguity != nil { lines.append(line) }
            }
            return LogListing(selection: selection, traceID: nil, traceStartNs: nil, lines: sorted(lines), totalLogs: total)
        }
    }

    static func sorted(_ lines: [Line]) -> [Line] {
        lines.sorted { ($0.log.timeNs ?? Int64.min, $0.log.rowID) < ($1.log.timeNs ?? Int64.min, $1.log.rowID) }
    }

    /// The spans of one service, to find the spans running at an instant in O(log n + answers)
    /// (a walk back over the spans by start would visit every earlier span while one long span
    /// is still running).
    struct WindowIndex {
        let windows: [TraceStore.SpanWindow]
        let index: IntervalIndex

        init(_ windows: [TraceStore.SpanWindow]) {
            self.windows = windows
            index = IntervalIndex(windows.enumerated().map { ($1.startNs, $1.endNs, Int32($0)) })
        }

        /// The spans running at `t` (start ≤ t ≤ end): up to `limit` of them, earliest start first,
        /// and how many there are.
        func running(at t: Int64, limit: Int) -> ([TraceStore.SpanWindow], Int) {
            var found: [TraceStore.SpanWindow] = []
            index.stab(t) { k, _, _ in found.append(windows[Int(k)]) }
            found.sort { ($0.startNs, $0.spanID.value) < ($1.startNs, $1.spanID.value) }
            return (Array(found.prefix(limit)), found.count)
        }
    }
}
