// What the whole-database pass keeps of one trace, prepared on the thread that analysed it, so
// that the thread collecting the results only appends.

/// The findings, numbers and cross-trace material of one analysed trace.
struct TraceRecord: Sendable {
    /// A span as the cross-trace index keeps it (process and own intervals local to this record).
    struct IndexSpan: Sendable {
        var spanID: SpanID
        var start: Int64
        var end: Int64
        var name: String
        var kind: SpanKind
        var process: Int32
        var depth: Int32
        /// Own (uncovered) intervals `own[ownFrom ..< ownFrom + ownCount]`; -1 for a leaf.
        var ownFrom: Int32
        var ownCount: Int32
    }

    var summary: TraceSummary
    var cycles: [DiagnosisReport.Cycle] = []
    var duplicates: [DiagnosisReport.DuplicateSpanID] = []
    var multipleRoots: DiagnosisReport.MultipleRoots?
    var orphanGroups: [Orphans.Group] = []
    var gaps: [DiagnosisReport.Gap] = []
    var lowCoverage: [DiagnosisReport.LowCoverage] = []
    var violations: [DiagnosisReport.TimingViolation] = []
    /// Children outliving their parent as asynchronous work (not violations).
    var asynchronous: [DiagnosisReport.TimingViolation] = []
    /// Spans carrying links to other spans.
    var linkSources: [SpanLinks.Source] = []
    var skewAdjustments: [DiagnosisReport.SkewAdjustment] = []
    var spanCount: Int
    var spansExpectingParent = 0
    var spansWithParent = 0
    var coverages: [Double] = []
    /// One root and no defect orphan (before what other traces reveal).
    var wholeOnItsOwn: Bool
    var fragmentRoot: (root: AnalysisSpan, start: Int64, end: Int64)?
    var calls: [(span: AnalysisSpan, start: Int64, end: Int64)] = []
    var entries: [(span: AnalysisSpan, start: Int64, end: Int64)] = []
    /// PRODUCER spans and CLIENT spans with messaging attributes (asynchronous hand-offs).
    var handoffs = 0
    /// The root, when it may continue a message another trace sent (not a SERVER or PRODUCER).
    var messageRoot: (span: AnalysisSpan, start: Int64, end: Int64)?
    /// (service, destination) of every CONSUMER span naming its destination.
    var consumed: [(service: String, destination: String)] = []
    var processes: [SpanProcess]
    var spans: [IndexSpan] = []
    /// Own intervals on the spans' raw clocks.
    var own: [Gaps.Interval] = []

    init(_ analysis: TraceAnalysis, options: AnalysisOptions) {
        let tree = analysis.tree
        let traceID = analysis.traceID
        var diagnoses: [Diagnosis: Int] = [:]
        func count(_ d: Diagnosis, _ n: Int) { if n > 0 { diagnoses[d, default: 0] += n } }

        for cut in tree.cycles {
            cycles.append(
                DiagnosisReport.Cycle(span: SpanRef(tree.spans[cut.span]), formerParent: cut.formerParent, message: cut.message))
        }
        count(.cycle, tree.cycles.count)
        for duplicate in tree.duplicates {
            duplicates.append(
                DiagnosisReport.DuplicateSpanID(
                    traceID: traceID, spanID: duplicate.spanID, spans: duplicate.spans.map { SpanRef(tree.spans[$0]) }))
        }
        count(.duplicateSpanID, tree.duplicates.count)
        if analysis.hasMultipleRoots {
            multipleRoots = DiagnosisReport.MultipleRoots(traceID: traceID, roots: tree.roots.map { SpanRef(tree.spans[$0]) })
            count(.multipleRoots, 1)
        }

        var remoteChildren = Set<Int>()
        for missing in analysis.missingParents {
            orphanGroups.append(
                Orphans.Group(
                    traceID: traceID, parentSpanID: missing.parentSpanID, children: missing.children.map { SpanRef(tree.spans[$0]) },
                    isRemote: missing.isRemote, cause: missing.isRemote ? .remoteCallerNotCaptured : .parentNotCaptured,
                    parentFoundIn: nil))
            count(missing.isRemote ? .remoteParentMissing : .missingParent, missing.children.count)
            if missing.isRemote && !options.includeRemote { remoteChildren.formUnion(missing.children) }
        }
        let defectOrphans = analysis.defectOrphanCount(includeRemote: options.includeRemote)

        let g = analysis.gaps
        var unaccounted: Int64 = 0
        let clockedSpans = g.unaccounted.isEmpty ? [] : LogIntervalClock.shiftedServices(of: analysis)
        for gap in g.unaccounted {
            unaccounted += gap.lengthNs
            gaps.append(
                DiagnosisReport.Gap(
                    span: SpanRef(tree.spans[gap.span]), spanStartNs: analysis.skew.start[gap.span],
                    spanDurationNs: gap.spanDurationNs, startOffsetNs: gap.startOffsetNs, endOffsetNs: gap.endOffsetNs,
                    spanShiftNs: analysis.skew.shift[gap.span], clockedSpans: clockedSpans))
        }
        count(.unaccountedTime, g.unaccounted.count)
        for low in g.lowCoverage {
            lowCoverage.append(
                DiagnosisReport.LowCoverage(root: SpanRef(tree.spans[low.root]), durationNs: low.durationNs, coveredNs: low.coveredNs))
        }
        count(.lowCoverage, g.lowCoverage.count)
        for v in g.violations {
            violations.append(
                DiagnosisReport.TimingViolation(
                    diagnosis: v.diagnosis, span: SpanRef(tree.spans[v.span]), parent: SpanRef(tree.spans[v.parent]),
                    amountNs: v.amountNs, likelyClockSkew: v.acrossHosts, host: tree.spans[v.span].process.host,
                    parentHost: tree.spans[v.parent].process.host, adjustedByNs: v.adjustedByNs))
            count(v.diagnosis, 1)
        }
        for v in g.asynchronous {
            asynchronous.append(
                DiagnosisReport.TimingViolation(
                    diagnosis: v.diagnosis, span: SpanRef(tree.spans[v.span]), parent: SpanRef(tree.spans[v.parent]),
                    amountNs: v.amountNs, likelyClockSkew: false, host: tree.spans[v.span].process.host,
                    parentHost: tree.spans[v.parent].process.host, adjustedByNs: v.adjustedByNs))
        }
        for i in 0..<tree.count where !tree.spans[i].links.isEmpty {
            linkSources.append(
                SpanLinks.Source(
                    span: SpanRef(tree.spans[i]), isRoot: tree.parent[i] == nil && tree.spans[i].parentSpanID == nil,
                    links: tree.spans[i].links))
        }
        for a in analysis.skew.adjustments {
            var shifted = 0
            if a.applied {
                var stack = [a.span]
                while let s = stack.popLast() {
                    guard analysis.skew.shift[s] == a.deltaNs else { continue }
                    shifted += 1
                    stack.append(contentsOf: tree.children(of: s))
                }
            }
            skewAdjustments.append(
                DiagnosisReport.SkewAdjustment(
                    span: SpanRef(tree.spans[a.span]), parent: SpanRef(tree.spans[a.parent]), host: a.host,
                    parentHost: a.parentHost, deltaNs: a.deltaNs, applied: a.applied, spansShifted: shifted))
        }

        // Quality numbers.
        spanCount = tree.count
        var errors = 0
        for i in 0..<tree.count {
            if tree.spans[i].status == .error { errors += 1 }
            guard tree.spans[i].parentSpanID != nil || tree.parent[i] != nil, !remoteChildren.contains(i) else { continue }
            spansExpectingParent += 1
            if tree.parent[i] != nil { spansWithParent += 1 }
        }
        coverages = g.coverage.map(\.ratio)
        wholeOnItsOwn = tree.roots.count == 1 && defectOrphans == 0

        // Material for the questions across traces.
        if let root = analysis.fragmentRoot {
            fragmentRoot = (tree.spans[root], tree.start[root], tree.endNs)
        }
        calls = analysis.unansweredCalls.map { (tree.spans[$0], tree.start[$0], tree.end[$0]) }
        entries = analysis.entryRoots.map { (tree.spans[$0], tree.start[$0], tree.end[$0]) }
        for i in 0..<tree.count {
            let span = tree.spans[i]
            if UnpropagatedMessage.isHandoff(span) { handoffs += 1 }
            if span.kind == .consumer, let d = span.messaging?.destination { consumed.append((span.service, d)) }
        }
        if let root = analysis.primaryRoot, tree.parent[root] == nil, tree.spans[root].parentSpanID == nil,
            UnpropagatedMessage.mayContinue(tree.spans[root])
        {
            messageRoot = (tree.spans[root], tree.start[root], tree.end[root])
        }
        processes = tree.processes
        spans.reserveCapacity(tree.count)
        for i in 0..<tree.count {
            var from: Int32 = 0
            var ownCount: Int32 = -1
            if tree.hasChildren(i) {
                // Back from the adjusted clock to the span's own raw clock.
                let back = analysis.skew.shift[i]
                let holes = g.uncovered(of: i)
                from = Int32(own.count)
                ownCount = Int32(holes.count)
                for hole in holes { own.append(Gaps.Interval(start: hole.start - back, end: hole.end - back)) }
            }
            spans.append(
                IndexSpan(
                    spanID: tree.spans[i].spanID, start: tree.start[i], end: tree.end[i], name: tree.spans[i].name,
                    kind: tree.spans[i].kind, process: Int32(tree.processIndex[i]), depth: Int32(tree.depth[i]), ownFrom: from,
                    ownCount: ownCount))
        }

        let primary = analysis.primaryRoot
        var services: [String] = []
        for process in tree.processes where !services.contains(process.service) { services.append(process.service) }
        services.sort()
        let start = analysis.skew.start.min() ?? 0
        summary = TraceSummary(
            traceID: traceID, rootService: primary.map { tree.spans[$0].service }, rootName: primary.map { tree.spans[$0].name },
            rootKind: primary.map { tree.spans[$0].kind }, startNs: start, durationNs: (analysis.skew.end.max() ?? 0) - start,
            spanCount: tree.count, serviceCount: services.count, services: services, orphanCount: defectOrphans,
            coverage: primary.flatMap { p in g.coverage.first { $0.root == p }?.ratio }, unaccountedNs: unaccounted,
            errorCount: errors, diagnoses: diagnoses)
    }
}
