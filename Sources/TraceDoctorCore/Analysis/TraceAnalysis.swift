// Everything tracedoctor can say about one trace on its own: the tree, adjusted times, time
// accounting, missing parents, and whether it looks like a piece of another trace. Cheap enough
// to run for one trace on demand (`explain`) and for every trace in a pass (`orphans`, `stats`).

/// The analysis of one trace.
public struct TraceAnalysis: Sendable {
    /// Spans whose parent span ID is not in the trace, grouped by that ID.
    public struct MissingParent: Sendable, Equatable {
        public var parentSpanID: SpanID
        /// The orphans, in input order.
        public var children: [Int]
        /// Every child says its parent is remote (OTLP flags) or is a SERVER/CONSUMER entry point, and
        /// the trace has no root of its own: `remote_parent_missing`, expected at the edge of a capture.
        public var isRemote: Bool
    }

    public let tree: TraceTree
    public let skew: ClockSkew
    public let gaps: Gaps
    /// `missing_parent` and `remote_parent_missing`, by first child in input order.
    public let missingParents: [MissingParent]
    /// The root a trace view starts from: the earliest true root, else the earliest top-level span.
    public let primaryRoot: Int?
    /// The primary root when it is not an entry point (INTERNAL, CLIENT, PRODUCER, or UNSPECIFIED
    /// without a remote-parent flag): the trace may be a `fragment_trace` of another one.
    public let fragmentRoot: Int?
    /// CLIENT and PRODUCER spans with no SERVER or CONSUMER child: calls whose other side is not
    /// in this trace (an uninstrumented callee, or an `unpropagated_call`).
    public let unansweredCalls: [Int]
    /// True roots that are SERVER or CONSUMER spans (possible continuations of an unpropagated call).
    public let entryRoots: [Int]

    public var traceID: TraceID { tree.traceID }

    /// The critical path on the adjusted clock (computed on demand).
    public var criticalPath: CriticalPath { CriticalPath(tree: tree, start: skew.start, end: skew.end) }

    /// Every note about span `i`: filled-in times, cycles, duplicates, clock skew.
    public func notes(for i: Int) -> [String] { tree.notes(for: i) + (skew.notes[i] ?? []) }

    public init(spans: [AnalysisSpan], options: AnalysisOptions) {
        let tree = TraceTree(spans: spans)
        self.init(tree: tree, options: options)
    }

    public init(tree: TraceTree, options: AnalysisOptions) {
        self.tree = tree
        skew = ClockSkew(tree: tree, maxSkewNs: options.maxSkewNs)
        gaps = Gaps(tree: tree, skew: skew, options: options)

        var groups: [MissingParent] = []
        var groupOf: [SpanID: Int] = [:]
        // A missing remote parent is the edge of the capture only when the trace has no root of its
        // own; under a captured root it is a span lost between two captured services.
        let headless = tree.roots.isEmpty
        for orphan in tree.orphans {
            guard let pid = tree.spans[orphan].parentSpanID else { continue }
            let span = tree.spans[orphan]
            let remote = headless && (span.parentIsRemote == true || span.kind.isEntryPoint)
            if let g = groupOf[pid] {
                groups[g].children.append(orphan)
                groups[g].isRemote = groups[g].isRemote && remote
            } else {
                groupOf[pid] = groups.count
                groups.append(MissingParent(parentSpanID: pid, children: [orphan], isRemote: remote))
            }
        }
        missingParents = groups

        let root = tree.roots.min { (tree.start[$0], $0) < (tree.start[$1], $1) }
        primaryRoot = root ?? tree.topLevel.min { (tree.start[$0], $0) < (tree.start[$1], $1) }
        if let root, !Self.isEntryPoint(tree.spans[root]) {
            fragmentRoot = root
        } else {
            fragmentRoot = nil
        }

        var unanswered: [Int] = []
        for i in 0..<tree.count {
            let kind = tree.spans[i].kind
            guard kind == .client || kind == .producer else { continue }
            let answered = tree.children(of: i).contains { tree.spans[$0].kind.isEntryPoint }
            if !answered && !Self.answeredByOrphan(i, in: tree) { unanswered.append(i) }
        }
        unansweredCalls = unanswered
        entryRoots = tree.roots.filter {
            tree.spans[$0].kind.isEntryPoint && tree.spans[$0].parentSpanID == nil
        }
    }

    /// Whether an orphan of the called service started during call `i`: the callee's span was
    /// lost from this trace, but the call did carry the context.
    static func answeredByOrphan(_ i: Int, in tree: TraceTree) -> Bool {
        guard !tree.orphans.isEmpty else { return false }
        let call = tree.spans[i]
        return tree.orphans.contains { o in
            guard tree.start[o] >= tree.start[i] && tree.start[o] <= tree.end[i] else { return false }
            let callee = tree.spans[o]
            if call.peerNames.isEmpty { return callee.service != call.service }
            return UnpropagatedCall.names(call.peerNames, callee)
        }
    }

    /// An entry point receives work from outside its process: SERVER or CONSUMER, or an
    /// UNSPECIFIED span whose flags say its parent is remote.
    public static func isEntryPoint(_ span: AnalysisSpan) -> Bool {
        switch span.kind {
        case .server, .consumer: true
        case .unspecified: span.parentIsRemote == true
        case .internal, .client, .producer: false
        }
    }

    /// `multiple_roots`: more than one root (cycle cuts included), in input order.
    public var hasMultipleRoots: Bool { tree.roots.count > 1 }

    /// Orphans whose missing parent counts as a defect under `options`.
    public func defectOrphanCount(includeRemote: Bool) -> Int {
        missingParents.reduce(0) { $0 + (($1.isRemote && !includeRemote) ? 0 : $1.children.count) }
    }
}
