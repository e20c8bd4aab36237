// The one pass behind `orphans`, `gaps`, `traces` and `stats`: analyse each trace as it streams by,
// keep what questions across traces need, then answer them (fragments, unpropagated calls, where
// missing parents went) and compute the quality metrics.

import Dispatch

/// What to diagnose.
public struct DiagnosisRequest: Sendable {
    public var databasePath: String
    public var options: AnalysisOptions
    /// Limit the run to one trace (any unique prefix or spelling of its ID). Findings across
    /// traces (fragments, unpropagated calls) need the whole database and are left out then.
    public var traceQuery: String?
    /// Correlation keys: lines without a trace ID that they join count as joined by key.
    public var linkKeys: [LinkKey]

    public init(
        databasePath: String, options: AnalysisOptions = AnalysisOptions(), traceQuery: String? = nil, linkKeys: [LinkKey] = []
    ) {
        self.databasePath = databasePath
        self.linkKeys = linkKeys
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
            let keys = request.linkKeys.isEmpty ? KeyJoins() : try KeyJoiner.join(keys: request.linkKeys, store: store)
            return try diagnose(store, options: request.options, keyJoins: keys)
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
    public static func diagnose(_ source: SpanSource, options: AnalysisOptions, keyJoins: KeyJoins = KeyJoins()) throws
        -> DiagnosisReport
    {
        var pass = Pass(options: options)
        pass.keyJoins = keyJoins
        let pipeline = AnalysisPipeline(options: options)
        let clock = ContinuousClock()
        var mark = clock.now
        func phase(_ name: String) {
            let now = clock.now
            let d = (now - mark).components
            pass.report.phaseSeconds.append((name, Double(d.seconds) + Double(d.attoseconds) / 1e18))
            mark = now
        }
        if let batched = source as? BatchedSpanSource {
            let batches = try batched.traceBatches(size: 256)
            phase("read")
            for batch in batches { pipeline.submit(batch) { pass.record($0) } }
        } else {
            var started = false
            try source.forEachTrace { spans in
                if !started {
                    started = true
                    phase("read")
                }
                guard !spans.isEmpty else { return }
                pipeline.add(spans) { pass.record($0) }
            }
        }
        pipeline.finish { pass.record($0) }
        phase("traces")
        pass.crossTraces()
        phase("across traces")
        try source.forEachLog { pass.record(log: $0) }
        phase("logs")
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
        var keyJoins = KeyJoins()

        init(options: AnalysisOptions) {
            self.options = options
            report = DiagnosisReport(options: options)
        }

        /// Takes in one trace's record: appends only (the work was done where it was analysed).
        mutating func record(_ record: TraceRecord) {
            let trace = index.add(record)
            report.cycles += record.cycles
            report.duplicateSpanIDs += record.duplicates
            if let roots = record.multipleRoots { report.multipleRoots.append(roots) }
            report.orphans.add(record.orphanGroups)
            report.gaps += record.gaps
            report.lowCoverage += record.lowCoverage
            report.timingViolations += record.violations
            report.skewAdjustments += record.skewAdjustments
            report.quality.traces += 1
            report.quality.spans += record.spanCount
            report.quality.spansExpectingParent += record.spansExpectingParent
            report.quality.spansWithParent += record.spansWithParent
            report.quality.rootCoverages += record.coverages
            report.quality.timingViolations += record.violations.count
            wholeOnItsOwn.append(record.wholeOnItsOwn)
            if let f = record.fragmentRoot {
                fragmentRoots.append(
                    FragmentRoot(trace: trace, root: f.root, spanCount: record.spanCount, start: f.start, end: f.end))
            }
            for c in record.calls {
                calls.append(UnpropagatedCall.Call(span: c.span, trace: trace, start: c.start, end: c.end))
            }
            for e in record.entries {
                entries.append(
                    UnpropagatedCall.Entry(span: e.span, trace: trace, start: e.start, end: e.end, spanCount: record.spanCount))
            }
            report.traces.append(record.summary)
        }

        /// Fragments, unpropagated calls, missing parents found elsewhere.
        mutating func crossTraces() {
            // Unpropagated calls on another thread while fragments are matched here (they share
            // nothing but the trace IDs, which no one changes any more).
            let unpropagated = SendableBox<[UnpropagatedCall]>([])
            let matching = SendableBox((calls, entries, index.traceIDs))
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                let (calls, entries, traceIDs) = matching.value
                unpropagated.value = UnpropagatedCall.match(calls: calls, entries: entries, traceIDs: traceIDs)
                done.signal()
            }
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
            report.orphans.finish(index: index)
            done.wait()
            report.unpropagatedCalls = unpropagated.value
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

            report.quality.completeTraces = wholeOnItsOwn.enumerated().reduce(0) {
                $0 + ($1.element && !incomplete.contains(Int32($1.offset)) ? 1 : 0)
            }
            report.quality.spansExpectingParent += report.fragments.count + report.unpropagatedCalls.count
            calls = []
            entries = []
        }

        mutating func record(log: LogReference) {
            if logIndex == nil {
                logIndex = LogMatcher(index: index)
                logIndex!.keyJoined = Set(keyJoins.joined.keys)
                logIndex!.keyAmbiguous = Set(keyJoins.ambiguous.keys)
            }
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
