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
    /// The per-trace summaries the caller prints (`DiagnosisReport.traces`); the others are
    /// counted, not kept.
    public var summaries: SummaryNeed

    public init(
        databasePath: String, options: AnalysisOptions = AnalysisOptions(), traceQuery: String? = nil, linkKeys: [LinkKey] = [],
        summaries: SummaryNeed = .all
    ) {
        self.databasePath = databasePath
        self.linkKeys = linkKeys
        self.options = options
        self.traceQuery = traceQuery
        self.summaries = summaries
    }
}

/// Which per-trace summaries (`DiagnosisReport.traces`) a run keeps: one a trace costs memory in
/// proportion to the database, and most commands print none or a few.
public enum SummaryNeed: Sendable, Equatable {
    /// Every trace's (`check`, `explain`).
    case all
    /// None: the findings are all that is printed (`orphans`, `gaps`).
    case none
    /// Those of traces with `ExplainWaterfall.hugeTraceSpans` spans or more (`stats`).
    case huge
    /// What `traces` shows: the first `limit` in `sort` order among the traces with a span of
    /// `service`, and the earliest and latest of those to start (the listing's time range); the
    /// others are counted in `DiagnosisReport.unlistedTraces`. A limit of 0 keeps all of them.
    case listing(sort: TraceSummary.Sort, service: String?, limit: Int)
}

public enum Diagnoser {
    /// Opens the database read-only and diagnoses it (or one trace of it).
    public static func run(_ request: DiagnosisRequest) throws(TraceDoctorError) -> DiagnosisReport {
        Interruption.doing("analysing the traces")
        let store = try TraceStore(path: request.databasePath, readOnly: true)
        defer { store.close() }
        do {
            if let query = request.traceQuery {
                let id = try store.resolveTraceID(query)
                let spans = try store.spans(ofTrace: id)
                var report = try diagnose(InMemorySpanSource(spans: spans), options: request.options, summaries: request.summaries)
                let keys = request.linkKeys.isEmpty ? KeyJoins() : try KeyJoiner.join(keys: request.linkKeys, store: store)
                try GapIntervalEvidence.attach(to: &report, store: store, keyJoins: keys)
                return report
            }
            let keys = request.linkKeys.isEmpty ? KeyJoins() : try KeyJoiner.join(keys: request.linkKeys, store: store)
            var report = try diagnose(store, options: request.options, keyJoins: keys, summaries: request.summaries)
            try GapIntervalEvidence.attach(to: &report, store: store, keyJoins: keys)
            return report
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
        var messageLogs: [UnpropagatedMessage.MessageLog] = []
        if let start = starts.min(), let end = (ends + starts).max() {
            var ids = try store.traceIDs(runningBetween: start, and: end, excluding: id, limit: neighbourLimit)
            // Across a queue the other side may run after (a consumer, a batch linking this trace) or
            // before (the producer of a message this trace continues): look a little further.
            let sends = spans.contains { UnpropagatedMessage.isHandoff($0) }
            let continues = spans.contains { $0.parentSpanID == nil && UnpropagatedMessage.mayContinue($0) }
            if sends || continues {
                let reach = UnpropagatedMessage.explainReachNs
                let more = try store.traceIDs(
                    runningBetween: continues ? start - reach : start, and: sends ? end + reach : end, excluding: id,
                    limit: neighbourLimit)
                var known = Set(ids)
                for other in more where known.insert(other).inserted { ids.append(other) }
            }
            // The traces this one links to.
            var known = Set(ids + [id])
            for span in spans { for link in span.links where known.insert(link.traceID).inserted { ids.append(link.traceID) } }
            neighbours = try store.spans(ofTraces: ids).filter { !$0.isEmpty }
            // Log lines naming message IDs matter only when some producer here carries one.
            let carriesIDs = (spans + neighbours.joined()).contains {
                UnpropagatedMessage.isHandoff($0) && $0.messaging?.messageID != nil
            }
            if (sends || continues) && carriesIDs {
                let reach = UnpropagatedMessage.explainReachNs
                do {
                    messageLogs = try store.messageLogs(from: start - reach, to: end + reach)
                } catch {
                    throw TraceStore.describe(error, path: databasePath)
                }
            }
        }
        return TraceDiagnosis(spans: spans, neighbours: neighbours, options: options, messageLogs: messageLogs)
    }

    /// Diagnoses every trace of `source`.
    public static func diagnose(
        _ source: SpanSource, options: AnalysisOptions, keyJoins: KeyJoins = KeyJoins(), summaries: SummaryNeed = .all
    ) throws -> DiagnosisReport {
        var pass = Pass(options: options)
        pass.summaries = summaries
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
            // Records come in the order the scan completes traces (nothing is held for them); the
            // pass is then put in trace-ID order, as a source handing out traces sorted gives it.
            try batched.forEachTraceBatch(size: 256) { batch in
                try Interruption.check()
                pipeline.submit(batch) { pass.record($0) }
            }
            pipeline.finish { pass.record($0) }
            phase("read")
            pass.sortByTraceID()
        } else {
            var started = false
            try source.forEachTrace { spans in
                if !started {
                    started = true
                    phase("read")
                }
                guard !spans.isEmpty else { return }
                try Interruption.check()
                pipeline.add(spans) { pass.record($0) }
            }
        }
        pipeline.finish { pass.record($0) }
        phase("traces")
        try Interruption.check()
        try pass.crossTraces(messageLogs: { try source.messageLogs() })
        phase("across traces")
        try Interruption.check()
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
        var producers: [UnpropagatedMessage.Producer] = []
        var messageRoots: [UnpropagatedMessage.Candidate] = []
        var consumers: [String: Set<String>] = [:]
        var linkSources: [SpanLinks.TraceSources] = []
        /// Per trace ordinal: one root and no defect orphan, before cross-trace findings.
        var wholeOnItsOwn: [Bool] = []
        var logIndex: LogMatcher?
        var keyJoins = KeyJoins()
        var summaries = SummaryNeed.all
        /// Where each kept summary is, by trace ID (when not every trace's is kept).
        var keptPosition: [TraceID: Int]?
        /// Traces with a span of the listing's service (all traces when it names none).
        var listed = 0

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
            report.asynchronousWork += record.asynchronous
            report.quality.asynchronousChildren += record.asynchronous.count
            report.quality.asyncHandoffs += record.handoffs
            for (service, destination) in record.consumed { consumers[destination, default: []].insert(service) }
            if let m = record.messageRoot {
                messageRoots.append(
                    UnpropagatedMessage.Candidate(span: m.span, trace: trace, start: m.start, end: m.end, spanCount: record.spanCount))
            }
            if !record.linkSources.isEmpty {
                linkSources.append(
                    SpanLinks.TraceSources(
                        trace: trace, sources: record.linkSources, spanCount: record.spanCount, startNs: record.summary.startNs,
                        durationNs: record.summary.durationNs))
            }
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
                if UnpropagatedMessage.isHandoff(c.span) {
                    producers.append(UnpropagatedMessage.Producer(span: c.span, trace: trace, start: c.start, end: c.end))
                } else {
                    calls.append(UnpropagatedCall.Call(span: c.span, trace: trace, start: c.start, end: c.end))
                }
            }
            for e in record.entries {
                entries.append(
                    UnpropagatedCall.Entry(span: e.span, trace: trace, start: e.start, end: e.end, spanCount: record.spanCount))
            }
            keep(record.summary)
        }

        /// Keeps a trace's summary when the caller may print it (`summaries`).
        mutating func keep(_ summary: TraceSummary) {
            switch summaries {
            case .all:
                report.traces.append(summary)
            case .none:
                break
            case .huge:
                if summary.spanCount >= ExplainWaterfall.hugeTraceSpans { report.traces.append(summary) }
            case .listing(let sort, let service, let limit):
                if let service, !summary.services.contains(service) { return }
                listed += 1
                report.traces.append(summary)
                if limit > 0 && report.traces.count >= 2 * limit + 64 { pruneListing(sort: sort, limit: limit) }
            }
        }

        /// The first `limit` summaries in the listing's order, and the earliest and latest to start:
        /// a summary dropped here has `limit` others before it, so it cannot be among the first
        /// `limit` of all traces either.
        mutating func pruneListing(sort: TraceSummary.Sort, limit: Int) {
            var kept = TraceSummary.select(report.traces, sort: sort, service: nil, limit: limit).shown
            if let earliest = report.traces.min(by: { $0.startNs < $1.startNs }),
                !kept.contains(where: { $0.startNs == earliest.startNs })
            {
                kept.append(earliest)
            }
            if let latest = report.traces.max(by: { $0.startNs < $1.startNs }),
                !kept.contains(where: { $0.startNs == latest.startNs })
            {
                kept.append(latest)
            }
            report.traces = kept
        }

        /// Adds to the diagnoses of trace `ordinal`'s summary, when it is kept.
        mutating func addDiagnosis(_ diagnosis: Diagnosis, to ordinal: Int, set: Bool = false) {
            let position: Int
            if summaries == .all {
                position = ordinal
            } else {
                if keptPosition == nil {
                    keptPosition = [:]
                    for (i, t) in report.traces.enumerated() { keptPosition![t.traceID] = i }
                }
                guard let p = keptPosition![index.traceIDs[ordinal]] else { return }
                position = p
            }
            if set {
                report.traces[position].diagnoses[diagnosis] = 1
            } else {
                report.traces[position].diagnoses[diagnosis, default: 0] += 1
            }
        }

        /// Puts what `record` collected in trace-ID order, as if the records had come in that
        /// order: trace ordinals and processes of the index, what refers to them, and every list of
        /// findings (stable: a trace's own findings keep their order).
        mutating func sortByTraceID() {
            guard let ordinal = index.sortByTraceID() else { return }
            func renumber<T>(_ list: inout [T], _ trace: WritableKeyPath<T, Int32>) {
                for i in list.indices { list[i][keyPath: trace] = ordinal[Int(list[i][keyPath: trace])] }
                list.stableSort { $0[keyPath: trace] }
            }
            renumber(&fragmentRoots, \.trace)
            renumber(&calls, \.trace)
            renumber(&entries, \.trace)
            renumber(&producers, \.trace)
            renumber(&messageRoots, \.trace)
            renumber(&linkSources, \.trace)
            var whole = wholeOnItsOwn
            for (old, value) in wholeOnItsOwn.enumerated() { whole[Int(ordinal[old])] = value }
            wholeOnItsOwn = whole
            report.traces.stableSort { $0.traceID }
            report.cycles.stableSort { $0.span.traceID }
            report.duplicateSpanIDs.stableSort { $0.traceID }
            report.multipleRoots.stableSort { $0.traceID }
            report.orphans.groups.stableSort { $0.traceID }
            report.orphans.remoteGroups.stableSort { $0.traceID }
            report.gaps.stableSort { $0.span.traceID }
            report.lowCoverage.stableSort { $0.root.traceID }
            report.timingViolations.stableSort { $0.span.traceID }
            report.asynchronousWork.stableSort { $0.span.traceID }
            report.skewAdjustments.stableSort { $0.span.traceID }
        }

        /// Fragments, unpropagated calls, missing parents found elsewhere.
        mutating func crossTraces(messageLogs: () throws -> [UnpropagatedMessage.MessageLog]) rethrows {
            if case .listing(let sort, let service, let limit) = summaries {
                if limit > 0 { pruneListing(sort: sort, limit: limit) }
                let unlisted = report.quality.traces - report.traces.count
                report.unlistedTraces = DiagnosisReport.UnlistedTraces(
                    all: unlisted, service: service, withService: listed - report.traces.count)
            }
            // Span links first: a root that links is continued on purpose (not a fragment, not a
            // continuation of a lost message), and a PRODUCER someone links to was answered.
            let links = SpanLinks(linkSources, index: index)
            report.linkedContinuations = links.continuations
            report.uncapturedLinks = links.uncaptured
            report.quality.tracesContinuedByLink = links.continuedTraces.count
            report.quality.uncapturedLinks = links.uncaptured.count
            if !links.linkedRootTraces.isEmpty {
                fragmentRoots.removeAll { links.linkedRootTraces.contains($0.trace) }
                entries.removeAll { links.linkedRootTraces.contains($0.trace) }
                messageRoots.removeAll { links.linkedRootTraces.contains($0.trace) }
            }
            if !links.targets.isEmpty {
                let traceIDs = index.traceIDs
                func linked(_ span: AnalysisSpan, _ trace: Int32) -> Bool {
                    links.targets.contains(SpanLink(traceID: traceIDs[Int(trace)], spanID: span.spanID))
                }
                calls.removeAll { linked($0.span, $0.trace) }
                producers.removeAll { linked($0.span, $0.trace) }
            }
            report.quality.asyncHandoffsWithContext = report.quality.asyncHandoffs - producers.count
            // Queue hand-offs: log lines naming message IDs are read only when a producer lacks a consumer.
            let logs = producers.isEmpty ? [] : try messageLogs()
            let messages = UnpropagatedMessage.match(
                producers: producers, candidates: messageRoots, consumers: consumers, logs: logs, traceIDs: index.traceIDs)
            report.unpropagatedMessages = messages.filter { $0.continuation != nil }
            report.ambiguousMessages = messages.filter(\.isAmbiguous)
            report.unconsumedMessages = messages.filter { $0.continuation == nil && !$0.isAmbiguous }
            report.quality.ambiguousHandoffs = report.ambiguousMessages.count
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
            var fragmentKinds: [Int32: SpanKind] = [:]
            for f in fragmentRoots { fragmentKinds[f.trace] = f.root.kind }
            var continuing: [TraceID: UnpropagatedMessage] = [:]
            for m in report.unpropagatedMessages { if let c = m.continuation { continuing[c.traceID] = m } }
            var mayContinue: [TraceID: [UnpropagatedMessage]] = [:]
            for m in report.ambiguousMessages { for c in m.candidates { mayContinue[c.traceID, default: []].append(m) } }
            var traceOrdinal: [TraceID: Int32] = [:]
            if !continuing.isEmpty { for (i, id) in index.traceIDs.enumerated() { traceOrdinal[id] = Int32(i) } }
            for f in fragmentRoots {
                var (fragment, parentTrace) = FragmentTrace.match(
                    root: f.root, trace: f.trace, spanCount: f.spanCount, startNs: f.start, endNs: f.end, index: index,
                    fragmentKinds: fragmentKinds)
                if let message = continuing[index.traceIDs[Int(f.trace)]] {
                    fragment.continueMessage(message)
                    parentTrace = traceOrdinal[message.producer.traceID]
                } else if let sent = mayContinue[index.traceIDs[Int(f.trace)]] {
                    fragment.mayContinue(sent)
                }
                report.fragments.append(fragment)
                addDiagnosis(.fragmentTrace, to: Int(f.trace), set: true)
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
            if !report.unpropagatedCalls.isEmpty || !report.unpropagatedMessages.isEmpty {
                for (i, id) in index.traceIDs.enumerated() { ordinals[id] = i }
            }
            for call in report.unpropagatedCalls {
                if let client = ordinals[call.client.traceID] {
                    addDiagnosis(.unpropagatedCall, to: client)
                    incomplete.insert(Int32(client))
                }
                if let callee = ordinals[call.callee.traceID] { incomplete.insert(Int32(callee)) }
            }
            for message in report.unpropagatedMessages {
                if let producer = ordinals[message.producer.traceID] {
                    addDiagnosis(.unpropagatedMessage, to: producer)
                    incomplete.insert(Int32(producer))
                }
                if let c = message.continuation, let continuation = ordinals[c.traceID] { incomplete.insert(Int32(continuation)) }
            }
            for trace in links.continuedTraces { incomplete.remove(trace) }

            report.quality.completeTraces = wholeOnItsOwn.enumerated().reduce(0) {
                $0 + ($1.element && !incomplete.contains(Int32($1.offset)) ? 1 : 0)
            }
            // A continuation root lost its parent like a fragment root (counted once when it is both).
            let fragmentTraces = Set(fragmentRoots.map(\.trace))
            let messageOnly = report.unpropagatedMessages.filter { m in
                guard let c = m.continuation, let t = ordinals[c.traceID] else { return false }
                return !fragmentTraces.contains(Int32(t))
            }
            report.quality.spansExpectingParent +=
                report.fragments.count + report.unpropagatedCalls.count + messageOnly.count
            calls = []
            entries = []
            producers = []
            messageRoots = []
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
            counts[.unpropagatedMessage] = report.unpropagatedMessages.count
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

extension Array {
    /// Sorts by `key`, keeping the order of elements with equal keys.
    mutating func stableSort<Key: Comparable>(by key: (Element) -> Key) {
        let keys = map(key)
        let order = indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        self = order.map { self[$0] }
    }
}
