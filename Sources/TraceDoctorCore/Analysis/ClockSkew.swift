// Clock skew between hosts, corrected the way Jaeger's adjuster does it (model/adjuster/clockskew.go),
// and always said out loud: users distrust silent adjustment. Raw timestamps stay in the database.

/// The adjusted times of one trace.
public struct ClockSkew: Sendable {
    /// A shift calculated where a child runs on another host than its parent.
    public struct Adjustment: Sendable, Equatable {
        /// The child whose host changed (its same-host descendants move with it).
        public var span: Int
        public var parent: Int
        public var host: String?
        public var parentHost: String?
        /// Added to the child's timestamps (negative = the child's clock runs ahead).
        public var deltaNs: Int64
        /// False when the delta exceeded the cap (or adjustment is disabled).
        public var applied: Bool
    }

    /// Start and end of every span after adjustment (Unix ns).
    public let start: [Int64]
    public let end: [Int64]
    /// What was added to each span's timestamps (0 for most).
    public let shift: [Int64]
    /// Each host change where a non-zero delta was calculated, in tree order.
    public let adjustments: [Adjustment]
    /// Jaeger's warnings and tracedoctor's notes, by span index.
    public let notes: [Int: [String]]
    /// Set when the whole trace was left alone (duplicate span IDs).
    public let traceNote: String?

    /// A timestamp of span `i` (an event, a log line) on the adjusted clock.
    public func adjusted(_ timeNs: Int64, of i: Int) -> Int64 { timeNs + shift[i] }

    public var adjustedSpanCount: Int { shift.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    /// Adjusts `tree`'s times: `maxSkewNs` caps a shift, 0 disables adjustment.
    public init(tree: TraceTree, maxSkewNs: Int64) {
        var start = tree.start
        var end = tree.end
        var shift = [Int64](repeating: 0, count: tree.count)
        var notes: [Int: [String]] = [:]
        var adjustments: [Adjustment] = []
        if !tree.duplicates.isEmpty || tree.collapsedReports > 0 {
            self.start = start
            self.end = end
            self.shift = shift
            self.notes = notes
            self.adjustments = adjustments
            traceNote = "duplicate span IDs; skipping clock skew adjustment"
            return
        }
        for orphan in tree.orphans {
            if let missing = tree.spans[orphan].parentSpanID {
                notes[orphan, default: []].append(
                    "invalid parent span IDs=\(missing.hex); skipping clock skew adjustment")
            }
        }
        // (host the current delta belongs to, delta), carried down the tree; hosts as numbers.
        let hostOf = tree.hostIndex
        var stack: [(span: Int, host: Int, delta: Int64)] = tree.topLevel.reversed().map { ($0, hostOf[$0], 0) }
        while let (i, inheritedHost, inheritedDelta) = stack.popLast() {
            var host = inheritedHost
            var delta = inheritedDelta
            let ownHost = hostOf[i]
            if let p = tree.parent[i] {
                if tree.isAsyncEdge(i) {
                    // The parent does not wait for this span: no reason for it to fit inside.
                    host = ownHost
                    delta = 0
                } else if ownHost >= 0, host >= 0, ownHost != host {
                    delta = Self.calculateSkew(child: (start[i], end[i]), parent: (start[p], end[p]))
                    host = ownHost
                    if delta != 0 {
                        adjustments.append(
                            Adjustment(
                                span: i, parent: p, host: tree.spans[i].process.host,
                                parentHost: tree.spans[p].process.host, deltaNs: delta,
                                applied: delta.magnitude <= UInt64(maxSkewNs)))
                    }
                } else if host < 0 {
                    host = ownHost
                }
            }
            if delta != 0 {
                if delta.magnitude > UInt64(maxSkewNs) {
                    if maxSkewNs == 0 {
                        notes[i, default: []].append(
                            "clock skew adjustment disabled; not applying calculated delta of \(GoDuration.format(delta))")
                    } else {
                        notes[i, default: []].append(
                            "max clock skew adjustment delta of \(GoDuration.format(maxSkewNs)) exceeded; "
                                + "not applying calculated delta of \(GoDuration.format(delta))")
                    }
                } else {
                    start[i] += delta
                    end[i] += delta
                    shift[i] = delta
                    let sign = delta > 0 ? "+" : "−"
                    notes[i, default: []].append(
                        "clock skew: timestamps adjusted by \(sign)\(Units.duration(ns: Int64(delta.magnitude)))"
                            + (tree.spans[i].process.host.map { " (host \($0))" } ?? ""))
                }
            }
            for c in tree.children(of: i).reversed() {
                stack.append((c, host, delta))
            }
        }
        self.start = start
        self.end = end
        self.shift = shift
        self.notes = notes
        self.adjustments = adjustments
        traceNote = nil
    }

    /// Jaeger's `calculateSkew`: 0 when the child fits; a child longer than its parent only moves
    /// to start no earlier than the parent; otherwise the child is centred in the parent.
    static func calculateSkew(child: (Int64, Int64), parent: (Int64, Int64)) -> Int64 {
        let parentDuration = parent.1 - parent.0
        let childDuration = child.1 - child.0
        if childDuration > parentDuration {
            return child.0 < parent.0 ? parent.0 - child.0 : 0
        }
        if child.0 >= parent.0 && child.1 <= parent.1 { return 0 }
        let latency = (parentDuration - childDuration) / 2
        return parent.0 + latency - child.0
    }
}
