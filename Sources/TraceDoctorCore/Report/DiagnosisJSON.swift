// The JSON documents of `orphans`, `gaps`, `traces` and `stats`: stable snake_case objects with
// lowercase hex IDs and times in nanoseconds, documented in docs/diagnoses.md. A missing value is
// `null`, never an absent key.

/// Builders of the JSON documents (each `render` returns the text to print).
public enum DiagnosisJSON {
    /// `limit` caps each list (0 = everything).
    public static func orphans(_ report: DiagnosisReport, limit: Int) -> String {
        let o = report.orphans
        return JSONReport.render(
            OrphansDocument(
                command: "orphans", traces: report.traceCount, spans: report.spanCount, includeRemote: report.options.includeRemote,
                missingParent: MissingParents(o.groups, o.signatures, limit: limit),
                remoteParentMissing: MissingParents(o.remoteGroups, o.remoteSignatures, limit: limit),
                fragmentTrace: capped(report.fragments, limit).map(Fragment.init),
                unpropagatedCall: capped(report.unpropagatedCalls, limit).map(Call.init),
                unpropagatedMessage: capped(report.unpropagatedMessages, limit).map(Message.init),
                ambiguousMessages: capped(report.ambiguousMessages, limit).map(Message.init),
                unconsumedMessages: capped(report.unconsumedMessages, limit).map(Message.init),
                linkedContinuations: capped(report.linkedContinuations, limit).map(Linked.init),
                uncapturedLinks: capped(report.uncapturedLinks, limit).map {
                    Uncaptured(span: TracedSpan($0.span), linkTraceId: $0.link.traceID.hex, linkSpanId: $0.link.spanID.hex)
                },
                cycle: capped(report.cycles, limit).map {
                    CycleCut(traceId: $0.span.traceID.hex, span: Span($0.span), formerParentSpanId: $0.formerParent.hex, message: $0.message)
                },
                duplicateSpanId: capped(report.duplicateSpanIDs, limit).map {
                    Duplicate(traceId: $0.traceID.hex, spanId: $0.spanID.hex, spans: $0.spans.map(Span.init))
                },
                multipleRoots: capped(report.multipleRoots, limit).map {
                    Roots(traceId: $0.traceID.hex, roots: $0.roots.map(Span.init))
                },
                counts: Counts(report.quality)))
    }

    public static func gaps(_ report: DiagnosisReport, traceID: TraceID?, limit: Int) -> String {
        let o = report.options
        return JSONReport.render(
            GapsDocument(
                command: "gaps", traceId: Nullable(traceID?.hex), traces: report.traceCount, spans: report.spanCount,
                minGapNs: o.minGapNs, minGapShare: o.minGapShare, minCoverage: o.minCoverage, maxSkewNs: o.maxSkewNs,
                unaccountedTime: capped(report.gaps, limit).map(GapEntry.init),
                lowCoverage: capped(report.lowCoverage, limit).map {
                    Coverage(traceId: $0.root.traceID.hex, root: Span($0.root), durationNs: $0.durationNs, coveredNs: $0.coveredNs,
                        coverage: round($0.coverage))
                },
                timingViolations: capped(report.timingViolations, limit).map(Violation.init),
                asynchronousWork: capped(report.asynchronousWork, limit).map(Violation.init),
                clockSkewAdjustments: capped(report.skewAdjustments, limit).map(Skew.init),
                counts: Counts(report.quality)))
    }

    public static func traces(_ report: DiagnosisReport, sort: TraceSummary.Sort, service: String?, limit: Int) -> String {
        let (shown, matching) = TraceSummary.select(
            report.traces, sort: sort, service: service, limit: limit, unlisted: report.unlistedTraces.matching(service))
        return JSONReport.render(
            TracesDocument(
                command: "traces", sort: sort.rawValue, service: Nullable(service), total: report.traceCount, matching: matching,
                traces: shown.map(TraceEntry.init)))
    }

    public static func stats(_ report: DiagnosisReport) -> String {
        let q = report.quality
        let logs = q.logs
        return JSONReport.render(
            StatsDocument(
                command: "stats", traces: q.traces, spans: q.spans, traceCompleteness: Nullable(q.traceCompleteness.map(round)),
                completeTraces: q.completeTraces, parentLinkage: Nullable(q.parentLinkage.map(round)),
                spansExpectingParent: q.spansExpectingParent, spansWithParent: q.spansWithParent,
                coverageMedian: Nullable(q.coverageMedian.map(round)), coverageP10: Nullable(q.coverageP10.map(round)),
                rootsWithCoverage: q.rootsWithCoverage, logLinkage: Nullable(q.logLinkage.map(round)),
                logs: LogCounts(
                    total: logs.total, withTraceId: logs.withTraceID, linkedToSpan: logs.linkedToSpan, dangling: logs.dangling,
                    unlinked: logs.unlinked, joinedByTraceAndSpanId: logs.linkedToSpan, joinedByTraceIdOnly: logs.traceIDOnly,
                    joinedByKey: logs.joinedByKey, ambiguousKey: logs.ambiguousKey, notJoined: logs.notJoined, traceIdLinkage: Nullable(logs.traceIDLinkage.map(round))),
                timingViolations: q.timingViolations, timingViolationsPer1000Spans: round(q.timingViolationsPer1000Spans),
                asynchronousChildren: q.asynchronousChildren, asyncHandoffs: q.asyncHandoffs,
                asyncHandoffsWithContext: q.asyncHandoffsWithContext, asyncHandoffsAmbiguous: q.ambiguousHandoffs,
                asyncContextSurvival: Nullable(q.asyncContextSurvival.map(round)),
                tracesContinuedByLink: q.tracesContinuedByLink, uncapturedLinks: q.uncapturedLinks,
                clockSkewAdjustedSpans: report.skewAdjustments.filter(\.applied).reduce(0) { $0 + $1.spansShifted },
                includeRemote: report.options.includeRemote, diagnoses: Counts(q)))
    }

    static func capped<T>(_ list: [T], _ limit: Int) -> [T] {
        limit > 0 && list.count > limit ? Array(list.prefix(limit)) : list
    }

    /// Four decimals: stable across platforms.
    static func round(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    /// An optional that encodes `nil` as `null` instead of leaving the key out.
    struct Nullable<T: Encodable>: Encodable {
        var value: T?
        init(_ value: T?) { self.value = value }
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            if let value { try c.encode(value) } else { try c.encodeNil() }
        }
    }

    struct Span: Encodable {
        var spanId: String
        var name: String
        var service: String
        var kind: String
        init(_ ref: SpanRef) {
            spanId = ref.spanID.hex
            name = ref.name
            service = ref.service
            kind = ref.kind.name
        }
    }

    struct TracedSpan: Encodable {
        var traceId: String
        var spanId: String
        var name: String
        var service: String
        var kind: String
        init(_ ref: SpanRef) {
            traceId = ref.traceID.hex
            spanId = ref.spanID.hex
            name = ref.name
            service = ref.service
            kind = ref.kind.name
        }
    }

    /// Diagnosis name → count, every diagnosis present.
    struct Counts: Encodable {
        var values: [String: Int]
        init(_ q: Quality) {
            values = Dictionary(uniqueKeysWithValues: Diagnosis.allCases.map { ($0.name, q.count($0)) })
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(values)
        }
    }

    struct OrphansDocument: Encodable {
        var command: String
        var traces: Int
        var spans: Int
        var includeRemote: Bool
        var missingParent: MissingParents
        var remoteParentMissing: MissingParents
        var fragmentTrace: [Fragment]
        var unpropagatedCall: [Call]
        var unpropagatedMessage: [Message]
        var ambiguousMessages: [Message]
        var unconsumedMessages: [Message]
        var linkedContinuations: [Linked]
        var uncapturedLinks: [Uncaptured]
        var cycle: [CycleCut]
        var duplicateSpanId: [Duplicate]
        var multipleRoots: [Roots]
        var counts: Counts
    }

    struct MissingParents: Encodable {
        struct Group: Encodable {
            var traceId: String
            var parentSpanId: String
            var likelyCause: String
            var parentFoundInTrace: Nullable<String>
            var children: [Span]
        }
        struct ByOperation: Encodable {
            var service: String
            var operations: [String]
            var likelyCause: String
            var missingParents: Int
            var orphanSpans: Int
            var traces: Int
            var exampleTraceIds: [String]
        }
        var spans: Int
        var missingParents: Int
        var byOperation: [ByOperation]
        var groups: [Group]

        init(_ groups: [Orphans.Group], _ signatures: [Orphans.Signature], limit: Int) {
            spans = groups.reduce(0) { $0 + $1.children.count }
            missingParents = groups.count
            byOperation = DiagnosisJSON.capped(signatures, limit).map {
                ByOperation(
                    service: $0.service, operations: $0.operations, likelyCause: $0.cause.rawValue, missingParents: $0.missingParents,
                    orphanSpans: $0.orphanSpans, traces: $0.traces, exampleTraceIds: $0.exampleTraceIDs.map(\.hex))
            }
            self.groups = DiagnosisJSON.capped(groups, limit).map {
                Group(
                    traceId: $0.traceID.hex, parentSpanId: $0.parentSpanID.hex, likelyCause: $0.cause.rawValue,
                    parentFoundInTrace: Nullable($0.parentFoundIn?.hex), children: $0.children.map(Span.init))
            }
        }
    }

    struct Fragment: Encodable {
        struct Parent: Encodable {
            var traceId: String
            var spanId: String
            var name: String
            var service: String
            var kind: String
            var confidence: Double
            var ownTimeOverlapNs: Int64
            var otherCandidates: Int
            var evidence: [String]
        }
        var traceId: String
        var root: Span
        var process: Nullable<String>
        var spanCount: Int
        var startUnixNano: Int64
        var durationNs: Int64
        var suspectedParent: Nullable<Parent>
        var evidence: [String]

        init(_ f: FragmentTrace) {
            traceId = f.root.traceID.hex
            root = Span(f.root)
            process = Nullable(f.process)
            spanCount = f.spanCount
            startUnixNano = f.startNs
            durationNs = f.durationNs
            suspectedParent = Nullable(
                f.suspectedParent.map {
                    Parent(
                        traceId: $0.span.traceID.hex, spanId: $0.span.spanID.hex, name: $0.span.name, service: $0.span.service,
                        kind: $0.span.kind.name, confidence: $0.confidence, ownTimeOverlapNs: $0.ownTimeOverlapNs,
                        otherCandidates: $0.otherCandidates, evidence: $0.evidence)
                })
            evidence = f.evidence
        }
    }

    struct Call: Encodable {
        var client: TracedSpan
        var callee: TracedSpan
        var calleeSpanCount: Int
        var startOffsetNs: Int64
        var confidence: Double
        var evidence: [String]
        init(_ c: UnpropagatedCall) {
            client = TracedSpan(c.client)
            callee = TracedSpan(c.callee)
            calleeSpanCount = c.calleeSpanCount
            startOffsetNs = c.startOffsetNs
            confidence = c.confidence
            evidence = c.evidence
        }
    }

    struct Message: Encodable {
        var producer: TracedSpan
        var system: Nullable<String>
        var destination: Nullable<String>
        var messageId: Nullable<String>
        var continuation: Nullable<TracedSpan>
        var continuationSpanCount: Int
        var continuationDurationNs: Int64
        var queueDelayNs: Nullable<Int64>
        var match: Nullable<String>
        var confidence: Double
        var evidence: [String]
        /// An ambiguous hand-off's roots that could equally continue it (empty otherwise).
        var candidates: [TracedSpan]
        init(_ m: UnpropagatedMessage) {
            producer = TracedSpan(m.producer)
            system = Nullable(m.system)
            destination = Nullable(m.destination)
            messageId = Nullable(m.messageID)
            continuation = Nullable(m.continuation.map(TracedSpan.init))
            continuationSpanCount = m.continuationSpanCount
            continuationDurationNs = m.continuationDurationNs
            queueDelayNs = Nullable(m.queueDelayNs)
            match = Nullable(m.match?.rawValue)
            confidence = m.confidence
            evidence = m.evidence
            candidates = m.candidates.map(TracedSpan.init)
        }
    }

    struct Linked: Encodable {
        var root: TracedSpan
        var linked: [TracedSpan]
        var notCaptured: [String]
        var spanCount: Int
        var durationNs: Int64
        init(_ l: LinkedContinuation) {
            root = TracedSpan(l.root)
            linked = l.linked.map(TracedSpan.init)
            notCaptured = l.notCaptured.map { $0.traceID.hex + "/" + $0.spanID.hex }
            spanCount = l.spanCount
            durationNs = l.durationNs
        }
    }

    struct Uncaptured: Encodable {
        var span: TracedSpan
        var linkTraceId: String
        var linkSpanId: String
    }

    struct CycleCut: Encodable {
        var traceId: String
        var span: Span
        var formerParentSpanId: String
        var message: String
    }

    struct Duplicate: Encodable {
        var traceId: String
        var spanId: String
        var spans: [Span]
    }

    struct Roots: Encodable {
        var traceId: String
        var roots: [Span]
    }

    struct GapsDocument: Encodable {
        var command: String
        var traceId: Nullable<String>
        var traces: Int
        var spans: Int
        var minGapNs: Int64
        var minGapShare: Double
        var minCoverage: Double
        var maxSkewNs: Int64
        var unaccountedTime: [GapEntry]
        var lowCoverage: [Coverage]
        var timingViolations: [Violation]
        /// Children outside their parent as asynchronous (messaging) work: not violations.
        var asynchronousWork: [Violation]
        var clockSkewAdjustments: [Skew]
        var counts: Counts
    }

    struct GapEntry: Encodable {
        var traceId: String
        var span: Span
        var spanStartUnixNano: Int64
        var spanDurationNs: Int64
        var startOffsetNs: Int64
        var endOffsetNs: Int64
        var lengthNs: Int64
        var share: Double
        var logIntervals: [Overlap]
        var coveredByLogIntervalsNs: Int64
        struct Overlap: Encodable {
            var label: String
            var service: String
            var overlapNs: Int64
            var join: String
            var unfinished: Bool
        }
        init(_ g: DiagnosisReport.Gap) {
            logIntervals = g.logIntervals.map {
                Overlap(label: $0.label, service: $0.service, overlapNs: $0.overlapNs, join: $0.join, unfinished: $0.unfinished)
            }
            coveredByLogIntervalsNs = g.coveredByLogIntervalsNs
            traceId = g.span.traceID.hex
            span = Span(g.span)
            spanStartUnixNano = g.spanStartNs
            spanDurationNs = g.spanDurationNs
            startOffsetNs = g.startOffsetNs
            endOffsetNs = g.endOffsetNs
            lengthNs = g.lengthNs
            share = DiagnosisJSON.round(g.share)
        }
    }

    struct Coverage: Encodable {
        var traceId: String
        var root: Span
        var durationNs: Int64
        var coveredNs: Int64
        var coverage: Double
    }

    struct Violation: Encodable {
        var diagnosis: String
        var traceId: String
        var span: Span
        var parent: Span
        var amountNs: Int64
        var likelyClockSkew: Bool
        var host: Nullable<String>
        var parentHost: Nullable<String>
        var adjustedByNs: Int64
        init(_ v: DiagnosisReport.TimingViolation) {
            diagnosis = v.diagnosis.name
            traceId = v.span.traceID.hex
            span = Span(v.span)
            parent = Span(v.parent)
            amountNs = v.amountNs
            likelyClockSkew = v.likelyClockSkew
            host = Nullable(v.host)
            parentHost = Nullable(v.parentHost)
            adjustedByNs = v.adjustedByNs
        }
    }

    struct Skew: Encodable {
        var traceId: String
        var span: Span
        var parent: Span
        var host: Nullable<String>
        var parentHost: Nullable<String>
        var deltaNs: Int64
        var applied: Bool
        var spansShifted: Int
        init(_ a: DiagnosisReport.SkewAdjustment) {
            traceId = a.span.traceID.hex
            span = Span(a.span)
            parent = Span(a.parent)
            host = Nullable(a.host)
            parentHost = Nullable(a.parentHost)
            deltaNs = a.deltaNs
            applied = a.applied
            spansShifted = a.spansShifted
        }
    }

    struct TracesDocument: Encodable {
        var command: String
        var sort: String
        var service: Nullable<String>
        var total: Int
        var matching: Int
        var traces: [TraceEntry]
    }

    struct TraceEntry: Encodable {
        var traceId: String
        var rootService: Nullable<String>
        var rootName: Nullable<String>
        var rootKind: Nullable<String>
        var startUnixNano: Int64
        var durationNs: Int64
        var spanCount: Int
        var services: [String]
        var orphanCount: Int
        var coverage: Nullable<Double>
        var unaccountedNs: Int64
        var errorCount: Int
        var diagnoses: [String: Int]
        init(_ t: TraceSummary) {
            traceId = t.traceID.hex
            rootService = Nullable(t.rootService)
            rootName = Nullable(t.rootName)
            rootKind = Nullable(t.rootKind?.name)
            startUnixNano = t.startNs
            durationNs = t.durationNs
            spanCount = t.spanCount
            services = t.services
            orphanCount = t.orphanCount
            coverage = Nullable(t.coverage.map(DiagnosisJSON.round))
            unaccountedNs = t.unaccountedNs
            errorCount = t.errorCount
            diagnoses = Dictionary(uniqueKeysWithValues: t.diagnoses.map { ($0.key.name, $0.value) })
        }
    }

    struct LogCounts: Encodable {
        var total: Int
        var withTraceId: Int
        var linkedToSpan: Int
        var dangling: Int
        var unlinked: Int
        /// How lines join: by trace and span ID, by trace ID only, not at all (no trace ID and
        /// not written in a span's time); the share joined by trace ID.
        var joinedByTraceAndSpanId: Int
        var joinedByTraceIdOnly: Int
        var joinedByKey: Int
        var ambiguousKey: Int
        var notJoined: Int
        var traceIdLinkage: Nullable<Double>
    }

    struct StatsDocument: Encodable {
        var command: String
        var traces: Int
        var spans: Int
        var traceCompleteness: Nullable<Double>
        var completeTraces: Int
        var parentLinkage: Nullable<Double>
        var spansExpectingParent: Int
        var spansWithParent: Int
        var coverageMedian: Nullable<Double>
        var coverageP10: Nullable<Double>
        var rootsWithCoverage: Int
        var logLinkage: Nullable<Double>
        var logs: LogCounts
        var timingViolations: Int
        var timingViolationsPer1000Spans: Double
        var asynchronousChildren: Int
        var asyncHandoffs: Int
        var asyncHandoffsWithContext: Int
        var asyncHandoffsAmbiguous: Int
        var asyncContextSurvival: Nullable<Double>
        var tracesContinuedByLink: Int
        var uncapturedLinks: Int
        var clockSkewAdjustedSpans: Int
        var includeRemote: Bool
        var diagnoses: Counts

        enum CodingKeys: String, CodingKey {
            case command, traces, spans, traceCompleteness, completeTraces, parentLinkage, spansExpectingParent
            case spansWithParent, coverageMedian, coverageP10, rootsWithCoverage, logLinkage, logs, timingViolations
            case timingViolationsPer1000Spans = "timing_violations_per_1000_spans"
            case asynchronousChildren, asyncHandoffs, asyncHandoffsWithContext, asyncHandoffsAmbiguous, asyncContextSurvival
            case tracesContinuedByLink, uncapturedLinks
            case clockSkewAdjustedSpans, includeRemote, diagnoses
        }
    }
}
