// Where a trace's time went: self time per span, the intervals no child covers (`unaccounted_time`),
// how much of each root its descendants cover (`low_coverage`), and children that stick out of
// their parents (`child_before_parent`, `child_after_parent`).

/// Time accounting of one trace.
public struct Gaps: Sendable {
    /// An interval of time, Unix ns, `start <= end`.
    public struct Interval: Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var length: Int64 { end - start }

        public init(start: Int64, end: Int64) {
            self.start = start
            self.end = end
        }
    }

    /// An uncovered interval above the thresholds, inside a span that has children.
    public struct UnaccountedTime: Sendable, Equatable {
        public var span: Int
        /// Where, on the adjusted clock.
        public var interval: Interval
        /// Offsets from the span's start.
        public var startOffsetNs: Int64
        public var endOffsetNs: Int64
        public var spanDurationNs: Int64
        public var lengthNs: Int64 { interval.length }
        /// Length / span duration.
        public var share: Double { spanDurationNs > 0 ? Double(lengthNs) / Double(spanDurationNs) : 0 }
    }

    /// How much of a root its descendants cover.
    public struct RootCoverage: Sendable, Equatable {
        public var root: Int
        public var durationNs: Int64
        public var coveredNs: Int64
        public var uncoveredNs: Int64 { durationNs - coveredNs }
        public var ratio: Double { durationNs > 0 ? Double(coveredNs) / Double(durationNs) : 1 }
    }

    /// A child that starts before or ends after its parent (raw timestamps).
    public struct TimingViolation: Sendable, Equatable {
        public var diagnosis: Diagnosis
        public var span: Int
        public var parent: Int
        public var amountNs: Int64
        /// Parent and child ran on different known hosts: probably clock skew.
        public var acrossHosts: Bool
        /// What the skew adjustment added to the child's timestamps (0 = not adjusted).
        public var adjustedByNs: Int64
    }

    /// Duration minus the union of the children's intervals clamped to the span.
    public let selfTime: [Int64]
    /// Every uncovered interval of every span with children (no threshold), span by span.
    private let uncoveredList: [Interval]
    private let uncoveredOffsets: [Int]

    /// The intervals of span `i` that none of its children covers (empty for a leaf).
    public func uncovered(of i: Int) -> ArraySlice<Interval> {
        uncoveredList[uncoveredOffsets[i]..<uncoveredOffsets[i + 1]]
    }
    /// `unaccounted_time` findings, largest first.
    public let unaccounted: [UnaccountedTime]
    /// One entry per root with a non-zero duration.
    public let coverage: [RootCoverage]
    /// The roots below the coverage threshold (`low_coverage`).
    public let lowCoverage: [RootCoverage]
    /// `child_before_parent` and `child_after_parent`, in tree order.
    public let violations: [TimingViolation]
    /// Children that stick out of their parent as asynchronous work, not as a timing violation
    /// (see `isAsynchronous`), in tree order, with the diagnosis they would otherwise have had.
    public let asynchronous: [TimingViolation]

    /// Accounts for `tree`'s time on the clock of `skew` (adjusted), against `options`.
    public init(tree: TraceTree, skew: ClockSkew, options: AnalysisOptions) {
        let start = skew.start
        let end = skew.end
        var selfTime = [Int64](repeating: 0, count: tree.count)
        var uncoveredList: [Interval] = []
        var uncoveredOffsets = [Int](repeating: 0, count: tree.count + 1)
        var unaccounted: [UnaccountedTime] = []
        var scratch: [Interval] = []
        for i in 0..<tree.count {
            let s = start[i]
            let e = end[i]
            let duration = e - s
            guard tree.hasChildren(i) else {
                selfTime[i] = duration
                uncoveredOffsets[i + 1] = uncoveredList.count
                continue
            }
            scratch.removeAll(keepingCapacity: true)
            for c in tree.children(of: i) {
                let cs = max(start[c], s)
                let ce = min(end[c], e)
                if ce > cs { scratch.append(Interval(start: cs, end: ce)) }
            }
            let first = uncoveredList.count
            Self.complement(of: &scratch, within: Interval(start: s, end: e), into: &uncoveredList)
            uncoveredOffsets[i + 1] = uncoveredList.count
            var own: Int64 = 0
            for hole in uncoveredList[first...] { own += hole.length }
            selfTime[i] = own
            for hole in uncoveredList[first...] where options.isGap(length: hole.length, spanDuration: duration) {
                unaccounted.append(
                    UnaccountedTime(
                        span: i, interval: hole, startOffsetNs: hole.start - s, endOffsetNs: hole.end - s,
                        spanDurationNs: duration))
            }
        }
        unaccounted.sort { $0.lengthNs != $1.lengthNs ? $0.lengthNs > $1.lengthNs : $0.span < $1.span }

        // Coverage: the union of all descendants, clamped to the root. A top-level span's subtree
        // is one run of the preorder.
        var coverage: [RootCoverage] = []
        var lowCoverage: [RootCoverage] = []
        var isRoot = [Bool](repeating: false, count: tree.count)
        for r in tree.roots { isRoot[r] = true }
        var position = 0
        let order = tree.preorder
        while position < order.count {
            let top = order[position]
            var next = position + 1
            while next < order.count && tree.parent[order[next]] != nil { next += 1 }
            if isRoot[top], end[top] > start[top] {
                let window = Interval(start: start[top], end: end[top])
                scratch.removeAll(keepingCapacity: true)
                for k in (position + 1)..<next {
                    let d = order[k]
                    let cs = max(start[d], window.start)
                    let ce = min(end[d], window.end)
                    if ce > cs { scratch.append(Interval(start: cs, end: ce)) }
                }
                var holes: [Interval] = []
                Self.complement(of: &scratch, within: window, into: &holes)
                let uncoveredNs = holes.reduce(0) { $0 + $1.length }
                let entry = RootCoverage(root: top, durationNs: window.length, coveredNs: window.length - uncoveredNs)
                coverage.append(entry)
                if entry.ratio < options.minCoverage && uncoveredNs >= options.minGapNs {
                    lowCoverage.append(entry)
                }
            }
            position = next
        }

        var violations: [TimingViolation] = []
        var asynchronous: [TimingViolation] = []
        for i in tree.preorder {
            guard let p = tree.parent[i] else { continue }
            let across = tree.hostIndex[i] >= 0 && tree.hostIndex[p] >= 0 && tree.hostIndex[i] != tree.hostIndex[p]
            if tree.start[i] < tree.start[p] {
                let v = TimingViolation(
                    diagnosis: .childBeforeParent, span: i, parent: p, amountNs: tree.start[p] - tree.start[i],
                    acrossHosts: across, adjustedByNs: skew.shift[i])
                // Under a receiving CONSUMER span (Brave's `poll`) the processing spans are timed on their
                // own; on one host, a start a little before the receive is not a contradiction of the tree.
                if tree.spans[p].kind == .consumer && !across && !tree.spans[i].kind.isEntryPoint {
                    asynchronous.append(v)
                } else {
                    violations.append(v)
                }
            }
            if tree.end[i] > tree.end[p] {
                let v = TimingViolation(
                    diagnosis: .childAfterParent, span: i, parent: p, amountNs: tree.end[i] - tree.end[p],
                    acrossHosts: across, adjustedByNs: skew.shift[i])
                if Self.isAsynchronous(i, in: tree) { asynchronous.append(v) } else { violations.append(v) }
            }
        }

        self.selfTime = selfTime
        self.uncoveredList = uncoveredList
        self.uncoveredOffsets = uncoveredOffsets
        self.unaccounted = unaccounted
        self.coverage = coverage
        self.lowCoverage = lowCoverage
        self.violations = violations
        self.asynchronous = asynchronous
    }

    /// Whether span `i` may outlive its parent as asynchronous work: a FOLLOWS_FROM reference, a
    /// message hand-off (the PRODUCER or CONSUMER side: a send acknowledged after its caller
    /// returned, a consumer that runs after the producer), or the processing under a `poll`/receive
    /// CONSUMER span, which only marks that messages arrived.
    public static func isAsynchronous(_ i: Int, in tree: TraceTree) -> Bool {
        guard let p = tree.parent[i] else { return false }
        if tree.isAsyncEdge(i) { return true }
        let kinds = (child: tree.spans[i].kind, parent: tree.spans[p].kind)
        return kinds.child == .producer || kinds.child == .consumer || kinds.parent == .producer || kinds.parent == .consumer
    }

    /// Appends the parts of `window` that no interval in `intervals` covers (sorts `intervals`).
    static func complement(of intervals: inout [Interval], within window: Interval, into holes: inout [Interval]) {
        if intervals.count > 1 { intervals.sort { $0.start < $1.start } }
        var cursor = window.start
        for interval in intervals {
            if interval.start > cursor {
                holes.append(Interval(start: cursor, end: interval.start))
            }
            cursor = max(cursor, interval.end)
        }
        if window.end > cursor {
            holes.append(Interval(start: cursor, end: window.end))
        }
    }
}
