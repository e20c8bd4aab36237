// The one pass behind `orphans`, `gaps`, `traces` and `stats`: analyse each trace as it streams by,
// keep what questions across traces need, then answer them (fragments, unpropagated calls, where
// missing parents went) and compute the quality metrics.

/// What to diagnose.
public struct DiagnosisRequest: Sendable {
    public var databasePath: String
    public var options: AnalysisOptions
    /// Limit the run to one trace (any unique prefix or spelling of its ID). Findings across
    /// traces (fragments, unpropagated calls) need the whole database and are left out then.
    public var traceQuery: String?

    public init(databasePath: String, options: AnalysisOptions = AnalysisOptions(), traceQuery: String? = nil) {
        self.databasePath = databasePath
        self.options = options
        self.traceQuery = traceQuery
    }
}

public enum Diagnoser {
    /// Opens the database read-only and diagnoses it (or one trace of it).
    public static func run(_ request: DiagnosisRequest) throws(TraceDoctorError) -> DiagnosisReport {
        let store = try TraceStore(path: request.databasePath, readOnly: true)
        defer { store.close() }
        do {
            if let query = request.traceQuery {
                let id = try store.resolveTraceID(query)
                let spans = try store.spans(ofTrace: id)
                return try diagnose(InMemorySpanSource(spans: spans), options: request.options)
            }
            return try diagnose(store, options: request.options)
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw TraceStore.describe(error, path: request.databasePath)
        }
    }

    /// One trace (any unique prefix or spelling of its ID) with the findings that involve the
    /// traces running at the same time (at most `neighbourLimit` of them): what `explain` shows.
    public static func diagnoseTrace(
        _ query: String, databasePath: String, options: AnalysisOptions = AnalysisOptions(), neighbourLimit: Int = 500
    ) throws(TraceDoctorError) -> TraceDiagnosis {
        let store = try TraceStore(path: databasePath, readOnly: true)
        defer { store.close() }
        let id = try store.resolveTraceID(query)
        let spans = try store.spans(ofTrace: id)
        let starts = spans.compactMap(\.startNs).filter { $0 != 0 }
        let ends = spans.compactMap(\.endNs)
        var neighbours: [[AnalysisSpan]] = []
        if let start = starts.min(), let end = (ends + starts).max() {
            let ids = try store.traceIDs(runningBetween: start, and: end, excluding: id, limit: neighbourLimit)
            neighbours = try store.spans(ofTraces: ids)
        }
        return TraceDiagnosis(spans: spans, neighbours: neighbours, options: options)
    }

    /// Diagnoses every trace of `source`.
    public static func diagnose(_ source: SpanSource, options: AnalysisOptions) throws -> DiagnosisReport {
        var pass = Pass(options: options)
        let pipeline = AnalysisPipeline(options: options)
        try source.forEachTrace { spans in
            guard !spans.isEmpty else { return }
            pipeline.add(spans) { pass.record($0) }
        }
        pipeline.finish { pass.record($0) }
        pass.crossTraces()
        try source.forEachLog { pass.record(log: $0) }
        return pass.finish()
    }

    /// The state of one run.
    private struct Pass {
        struct FragmentRoot {
            var trace: Int32
            var root: AnalysisSpan
            var spanCount: Int
            var start: Int64
            var end: Int64
        }

        var report: DiagnosisReport
        let options: AnalysisOptions
        let index = CrossTraceIndex()
        var fragmentRoots: [FragmentRoot] = []
        var calls: [UnpropagatedCall.Call] = []
        var entries: [UnpropagatedCall.Entry] = []
        /// Per trace ordinal: one root and no defect orphan, before cross-trace findings.
        var wholeOnItsOwn: [Bool] = []
        var logIndex: LogMatcher?

        init(options: AnalysisOptions) {
            self.options = options
            report = DiagnosisReport(options: options)
        }

        mutating func record(_ analysis: TraceAnalysis) {
            let tree = analysis.tree
            let trace = index.add(analysis)
            let traceID = analysis.traceID
            var diagnoses: [Diagnosis: Int] = [:]
            func count(_ d: Diagnosis, _ n: Int) { if n > 0 { diagnoses[d, default: 0] += n } }

            // Tree anomalies.
            for cut in tree.cycles {
                report.cycles.append(
                    DiagnosisReport.Cycle(span: SpanRef(tree.spans[cut.span]), formerParent: cut.formerParent, message: cut.message))
            }
            count(.cycle, tree.cycles.count)
            for duplicate in tree.duplicates {
                report.duplicateSpanIDs.append(
                    DiagnosisReport.DuplicateSpanID(
                        traceID: traceID, spanID: duplicate.spanID, spans: duplicate.spans.map { SpanRef(tree.spans[$0]) }))
            }
            count(.duplicateSpanID, tree.duplicates.count)
            if analysis.hasMultipleRoots {
                report.multipleRoots.append(
                    DiagnosisReport.MultipleRoots(traceID: traceID, roots: tree.roots.map { SpanRef(tree.spans[$0]) }))
                count(.multipleRoots, 1)
            }

            // Missing parents.
            report.orphans.add(analysis)
            let defectOrphans = analysis.defectOrphanCount(includeRemote: options.includeRemote)
            let remoteOrphans = analysis.missingParents.filter(\.isRemote).reduce(0) { $0 + $1.children.count }
            count(.missingParent, analysis.missingParents.filter { !$0.isRemote }.reduce(0) { $0 + $1.children.count })
            count(.remoteParentMissing, remoteOrphans)

            // Time.
            let gaps = analysis.gaps
            var unaccounted: Int64 = 0
            for gap in gaps.unaccounted {
                unaccounted += gap.lengthNs
                report.gaps.append(
                    DiagnosisReport.Gap(
                        span: SpanRef(tree.spans[gap.span]), spanStartNs: analysis.skew.start[gap.span],
                        spanDurationNs: gap.spanDurationNs, startOffsetNs: gap.startOffsetNs, endOffsetNs: gap.endOffsetNs))
            }
            count(.unaccountedTime, gaps.unaccounted.count)
            for low in gaps.lowCoverage {
                report.lowCoverage.append(
                    DiagnosisReport.LowCoverage(root: SpanRef(tree.spans[low.root]), durationNs: low.durationNs, coveredNs: low.coveredNs))
            }
            count(.lowCoverage, gaps.lowCoverage.count)
            for v in gaps.violations {
                report.timingViolations.append(
                    DiagnosisReport.TimingViolation(
                        diagnosis: v.diagnosis, span: SpanRef(tree.spans[v.span]), parent: SpanRef(tree.spans[v.parent]),
                        amountNs: v.amountNs, likelyClockSkew: v.acrossHosts, host: tree.spans[v.span].process.host,
                        parentHost: tree.spans[v.parent].process.host, adjustedByNs: v.adjustedByNs))
                count(v.diagnosis, 1)
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
                report.skewAdjustments.append(
                    DiagnosisReport.SkewAdjustment(
                        span: SpanRef(tree.spans[a.span]), parent: SpanRef(tree.spans[a.parent]), host: a.host,
                        parentHost: a.parentHost, deltaNs: a.deltaNs, applied: a.applied, spansShifted: shifted))
            }

            // Quality (mutated in place: a copy would copy the coverage list every trace).
            report.quality.traces += 1
            report.quality.spans += tree.count
            var remoteChildren = Set<Int>()
            if !options.includeRemote {
                for group in analysis.missingParents where group.isRemote { remoteChildren.formUnion(group.children) }
            }
            var expecting = 0
            var linked = 0
            for i in 0..<tree.count where tree.spans[i].parentSpanID != nil || tree.parent[i] != nil {
                if remoteChildren.contains(i) { continue }
                expecting += 1
                if tree.parent[i] != nil { linked += 1 }
            }
            report.quality.spansExpectingParent += expecting
            report.quality.spansWithParent += linked
            for c in gaps.coverage { report.quality.rootCoverages.append(c.ratio) }
            report.quality.timingViolations += gaps.violations.count
            wholeOnItsOwn.append(tree.roots.count == 1 && defectOrphans == 0)

            // For the questions across traces.
            if let root = analysis.fragmentRoot {
                fragmentRoots.append(
                    FragmentRoot(trace: trace, root: tree.spans[root], spanCount: tree.count, start: tree.start[root], end: tree.endNs))
            }
            for c in analysis.unansweredCalls {
                calls.append(UnpropagatedCall.Call(span: tree.spans[c], trace: trace, start: tree.start[c], end: tree.end[c]))
            }
            for r in analysis.entryRoots {
                entries.append(
                    UnpropagatedCall.Entry(
                        span: tree.spans[r], trace: trace, start: tree.start[r], end: tree.end[r], spanCount: tree.count))
            }

            let primary = analysis.primaryRoot
            var services: [String] = []
            for process in tree.processes where !services.contains(process.service) { services.append(process.service) }
            services.sort()
            report.traces.append(
                TraceSummary(
                    traceID: traceID, rootService: primary.map { tree.spans[$0].service },
                    rootName: primary.map { tree.spans[$0].name }, rootKind: primary.map { tree.spans[$0].kind },
                    startNs: analysis.skew.start.min() ?? 0,
                    durationNs: (analysis.skew.end.max() ?? 0) - (analysis.skew.start.min() ?? 0), spanCount: tree.count,
                    serviceCount: services.count, services: services, orphanCount: defectOrphans,
                    coverage: primary.flatMap { p in gaps.coverage.first { $0.root == p }?.ratio }, unaccountedNs: unaccounted,
                    errorCount: tree.spans.reduce(0) { $0 + ($1.status == .error ? 1 : 0) }, diagnoses: diagnoses))
        }

        /// Fragments, unpropagated calls, missing parents found elsewhere.
        mutating func crossTraces() {
            var incomplete = Set<Int32>()
            for f in fragmentRoots {
                let (fragment, parentTrace) = FragmentTrace.match(
                    root: f.root, trace: f.trace, spanCount: f.spanCount, startNs: f.start, endNs: f.end, index: index)
                report.fragments.append(fragment)
                report.traces[Int(f.trace)].diagnoses[.fragmentTrace] = 1
                incomplete.insert(f.trace)
                if let parentTrace { incomplete.insert(parentTrace) }
            }
            report.fragments.sort { a, b in
                let ca = a.suspectedParent?.confidence ?? -1
                let cb = b.suspectedParent?.confidence ?? -1
                return ca != cb ? ca > cb : a.root.traceID < b.root.traceID
            }
            report.unpropagatedCalls = UnpropagatedCall.match(calls: calls, entries: entries, traceIDs: index.traceIDs)
            var ordinals: [TraceID: Int] = [:]
            if !report.unpropagatedCalls.isEmpty {
                for (i, id) in index.traceIDs.enumerated() { ordinals[id] = i }
            }
            for call in report.unpropagatedCalls {
                if let client = ordinals[call.client.traceID] {
                    report.traces[client].diagnoses[.unpropagatedCall, default: 0] += 1
                    incomplete.insert(Int32(client))
                }
                if let callee = ordinals[call.callee.traceID] { incomplete.insert(Int32(callee)) }
            }
            report.orphans.finish(index: index)

            report.quality.completeTraces = wholeOnItsOwn.enumerated().reduce(0) {
                $0 + ($1.element && !incomplete.contains(Int32($1.offset)) ? 1 : 0)
            }
            report.quality.spansExpectingParent += report.fragments.count + report.unpropagatedCalls.count
            calls = []
            entries = []
        }

        mutating func record(log: LogReference) {
            if logIndex == nil { logIndex = LogMatcher(index: index) }
            logIndex!.record(log, into: &report.quality.logs)
        }

        mutating func finish() -> DiagnosisReport {
            report.gaps.sort { a, b in
                a.lengthNs != b.lengthNs ? a.lengthNs > b.lengthNs : (a.span.traceID, a.startOffsetNs) < (b.span.traceID, b.startOffsetNs)
            }
            report.lowCoverage.sort { a, b in
                a.coverage != b.coverage ? a.coverage < b.coverage : a.root.traceID < b.root.traceID
            }
            report.timingViolations.sort { a, b in
                a.amountNs != b.amountNs ? a.amountNs > b.amountNs : a.span.traceID < b.span.traceID
            }
            report.quality.rootCoverages.sort()
            var counts: [Diagnosis: Int] = [:]
            for d in Diagnosis.allCases { counts[d] = 0 }
            counts[.missingParent] = report.orphans.orphanSpanCount
            counts[.remoteParentMissing] = report.orphans.remoteOrphanSpanCount
            counts[.fragmentTrace] = report.fragments.count
            counts[.unpropagatedCall] = report.unpropagatedCalls.count
            counts[.duplicateSpanID] = report.duplicateSpanIDs.count
            counts[.cycle] = report.cycles.count
            counts[.multipleRoots] = report.multipleRoots.count
            counts[.unaccountedTime] = report.gaps.count
            counts[.lowCoverage] = report.lowCoverage.count
            counts[.childBeforeParent] = report.timingViolations.filter { $0.diagnosis == .childBeforeParent }.count
            counts[.childAfterParent] = report.timingViolations.filter { $0.diagnosis == .childAfterParent }.count
            counts[.logUnlinked] = report.quality.logs.unlinked
            counts[.logDangling] = report.quality.logs.dangling
            report.quality.counts = counts
            return report
        }
    }
}
