// Findings across traces: fragment_trace with its suspected parent, unpropagated_call, where a
// missing parent went, and the quality metrics they feed.

import Testing

@testable import TraceDoctorCore

@Suite struct CrossTraceTests {
    let worker1 = SpanProcess(service: "orders", host: "orders-1", instanceID: "i-1", pid: "41")
    let worker2 = SpanProcess(service: "orders", host: "orders-2", instanceID: "i-2", pid: "42")
    let billing = SpanProcess(service: "billing", host: "billing-1")

    @Test func fragmentFindsTheDeepestRunningSpanOfItsProcess() throws {
        var b = SpanBuilder()
        // Trace 1 on orders-1: handler 0–100 → validate 0–10, persist 60–100; the pool task ran 15–50.
        b.add(1, 1, "POST /orders", .server, worker1, 0, 100)
        b.add(1, 2, parent: 1, "validate", .internal, worker1, 0, 10)
        b.add(1, 3, parent: 1, "persist", .internal, worker1, 60, 100)
        // Trace 2 on orders-2 runs at the same time: same service, another process.
        b.add(2, 21, "POST /orders", .server, worker2, 0, 100)
        // Trace 3: the task, a new root.
        b.add(3, 31, "enrich", .internal, worker1, 15, 50)
        b.add(3, 32, parent: 31, "lookup", .client, worker1, 16, 40)
        let report = try b.diagnose()
        #expect(report.fragments.count == 1)
        let fragment = try #require(report.fragments.first)
        #expect(fragment.root.name == "enrich")
        #expect(fragment.spanCount == 2)
        let parent = try #require(fragment.suspectedParent)
        #expect(parent.span.traceID == SpanBuilder.trace(1))
        #expect(parent.span.spanID == SpanID(1))
        #expect(parent.ownTimeOverlapNs == 35 * SpanBuilder.ms)
        // 0.4 base + 0.2 same process + 0.3 × full overlap.
        #expect(parent.confidence == 0.9)
        #expect(parent.evidence.contains { $0.contains("same process") })
        #expect(report.quality.count(.fragmentTrace) == 1)
        // Traces 1 and 3 are not whole; trace 2 is.
        #expect(report.quality.completeTraces == 1)
        #expect(report.traces.first { $0.traceID == SpanBuilder.trace(3) }?.diagnoses[.fragmentTrace] == 1)
    }

    @Test func fragmentWithoutACandidateIsStillReported() throws {
        var b = SpanBuilder()
        b.add(1, 1, "cron tick", .internal, worker1, 0, 10)
        let report = try b.diagnose()
        #expect(report.fragments.count == 1)
        #expect(report.fragments.first?.suspectedParent == nil)
        #expect(report.fragments.first?.evidence.isEmpty == false)
    }

    @Test func entryPointRootsAreNotFragments() throws {
        var b = SpanBuilder()
        b.add(1, 1, "GET /", .server, worker1, 0, 100)
        b.add(2, 2, "consume", .consumer, worker1, 10, 20)
        b.add(3, 3, "handle", .unspecified, worker1, 10, 20, flags: 0x300)
        let report = try b.diagnose()
        #expect(report.fragments.isEmpty)
    }

    @Test func deeperAndOverlappingCandidatesWin() throws {
        var b = SpanBuilder()
        // handler 0–100 fully covered by rag 0–100 (leaf): rag is deeper and idle during the fragment.
        b.add(1, 1, "handler", .server, worker1, 0, 100)
        b.add(1, 2, parent: 1, "rag.retrieve", .internal, worker1, 0, 100)
        b.add(2, 3, "vector-search", .internal, worker1, 20, 60)
        let report = try b.diagnose()
        #expect(report.fragments.first?.suspectedParent?.span.name == "rag.retrieve")
        #expect(report.fragments.first?.suspectedParent?.otherCandidates == 1)
    }

    @Test func ambiguousCandidatesLowerTheConfidence() throws {
        var b = SpanBuilder()
        b.add(1, 1, "a", .server, worker1, 0, 100)
        b.add(2, 2, "b", .server, worker1, 0, 100)
        b.add(3, 3, "task", .internal, worker1, 20, 30)
        let report = try b.diagnose()
        let parent = try #require(report.fragments.first?.suspectedParent)
        #expect(parent.confidence == 0.45)
        #expect(parent.evidence.last?.contains("1 other trace") == true)
    }

    @Test func unpropagatedCallMatchesThePeer() throws {
        var b = SpanBuilder()
        b.add(1, 1, "checkout", .server, worker1, 0, 100)
        b.add(1, 2, parent: 1, "POST /invoice", .client, worker1, 10, 60, peers: ["billing"])
        b.add(1, 3, parent: 1, "SELECT", .client, worker1, 60, 90, peers: ["orders-db"])
        b.add(2, 4, "POST /invoice", .server, billing, 15, 55)
        // Another service's ingress at the same time is not the callee.
        b.add(3, 5, "GET /health", .server, worker2, 20, 21)
        let report = try b.diagnose()
        #expect(report.unpropagatedCalls.count == 1)
        let call = try #require(report.unpropagatedCalls.first)
        #expect(call.client.spanID == SpanID(2))
        #expect(call.callee.traceID == SpanBuilder.trace(2))
        #expect(call.startOffsetNs == 5 * SpanBuilder.ms)
        #expect(call.confidence == 0.9)
        #expect(report.quality.completeTraces == 1)
        #expect(report.traces.first { $0.traceID == SpanBuilder.trace(1) }?.diagnoses[.unpropagatedCall] == 1)
    }

    @Test func answeredCallsAreNotUnpropagated() throws {
        var b = SpanBuilder()
        b.add(1, 1, "checkout", .server, worker1, 0, 100)
        b.add(1, 2, parent: 1, "POST /invoice", .client, worker1, 10, 60, peers: ["billing"])
        b.add(1, 3, parent: 2, "POST /invoice", .server, billing, 15, 55, flags: 0x300)
        b.add(2, 4, "POST /invoice", .server, billing, 20, 50)
        let report = try b.diagnose()
        #expect(report.unpropagatedCalls.isEmpty)
    }

    @Test func missingParentsAreGroupedWithTheirCause() throws {
        var b = SpanBuilder()
        // Two traces lose the same parent operation; a third names a parent that lives in another trace.
        for t in UInt64(1)...2 {
            b.add(t, t * 10, "POST /invoices", .server, billing, 0, 20)
            b.add(t, t * 10 + 1, parent: t * 10 + 9, "tax.lookup", .internal, billing, 1, 5)
            b.add(t, t * 10 + 2, parent: t * 10 + 9, "tax.round", .internal, billing, 5, 8)
        }
        b.add(3, 31, parent: 10, "stray", .internal, billing, 2, 3)
        // An ingress whose caller was not captured.
        b.add(4, 41, parent: 99, "GET /", .server, worker1, 0, 10, flags: 0x300)
        let report = try b.diagnose()
        let o = report.orphans
        #expect(o.groups.count == 3)
        #expect(o.orphanSpanCount == 5)
        #expect(o.groups[0].children.map(\.name) == ["tax.lookup", "tax.round"])
        #expect(o.groups[2].cause == .parentInOtherTrace)
        #expect(o.groups[2].parentFoundIn == SpanBuilder.trace(1))
        let signature = try #require(o.signatures.first)
        #expect(signature.operations == ["tax.lookup", "tax.round"])
        #expect(signature.missingParents == 2 && signature.orphanSpans == 4 && signature.traces == 2)
        #expect(o.remoteGroups.count == 1 && o.remoteGroups[0].cause == .remoteCallerNotCaptured)
        #expect(report.quality.count(.missingParent) == 5)
        #expect(report.quality.count(.remoteParentMissing) == 1)
        // Remote parents are not a defect by default…
        #expect(report.quality.spansExpectingParent == 5)
        #expect(report.quality.spansWithParent == 0)
        // …and count with --include-remote.
        var options = AnalysisOptions()
        options.includeRemote = true
        let counted = try b.diagnose(options)
        #expect(counted.quality.spansExpectingParent == 6)
        #expect(counted.traces.first { $0.traceID == SpanBuilder.trace(4) }?.orphanCount == 1)
    }

    @Test func width64TraceIDMismatchIsNamed() throws {
        let p = SpanProcess(service: "s")
        let wide = TraceID(high: 0x1234, low: 0x99)
        let narrow = TraceID(high: 0, low: 0x99)
        let spans = [
            AnalysisSpan(traceID: wide, spanID: SpanID(1), name: "root", kind: .server, process: p, startNs: 10, endNs: 20, rowID: 1),
            AnalysisSpan(
                traceID: narrow, spanID: SpanID(2), parentSpanID: SpanID(1), name: "child", process: p, startNs: 11, endNs: 12,
                rowID: 2),
        ]
        let report = try Diagnoser.diagnose(InMemorySpanSource(spans: spans), options: AnalysisOptions())
        #expect(report.orphans.groups.first?.cause == .traceIDWidthMismatch)
    }

    @Test func qualityMetrics() throws {
        var b = SpanBuilder()
        b.add(1, 1, "GET /", .server, worker1, 0, 100)
        b.add(1, 2, parent: 1, "work", .internal, worker1, 0, 90)
        b.add(2, 3, "GET /", .server, worker1, 0, 100)
        b.add(2, 4, parent: 3, "work", .internal, worker1, 0, 20)
        b.add(2, 5, parent: 4, "late", .internal, worker1, 10, 30)
        let report = try b.diagnose()
        let q = report.quality
        #expect(q.traces == 2 && q.spans == 5)
        #expect(q.traceCompleteness == 1)
        #expect(q.parentLinkage == 1)
        #expect(q.rootCoverages == [0.3, 0.9])
        #expect(q.coverageMedian == 0.3)
        #expect(q.coverageP10 == 0.3)
        #expect(q.timingViolations == 1)
        #expect(q.timingViolationsPer1000Spans == 200)
        #expect(q.count(.lowCoverage) == 1)
        // 90–100 in trace 1; 20–100 in trace 2's root and 0–10 in its 'work'.
        #expect(q.count(.unaccountedTime) == 3)
    }

    @Test func remoteParentsFailOnlyWhenIncluded() throws {
        var b = SpanBuilder()
        b.add(1, 1, parent: 99, "GET /", .server, worker1, 0, 10, flags: 0x300)
        #expect(!(try b.diagnose()).found(.missingParent))
        var options = AnalysisOptions()
        options.includeRemote = true
        #expect(try b.diagnose(options).found(.missingParent))
    }

    @Test func logLinkage() throws {
        var b = SpanBuilder()
        let root = b.add(1, 1, "GET /", .server, worker1, 0, 100)
        var source = b.source
        let inside = root.startNs! + 50 * SpanBuilder.ms
        source.logs = [
            LogReference(traceID: root.traceID, spanID: root.spanID, service: "orders", timeNs: inside),
            LogReference(traceID: TraceID(high: 0, low: root.traceID.low), spanID: root.spanID, service: "orders", timeNs: inside),
            LogReference(traceID: TraceID(high: 5, low: 5), spanID: nil, service: "orders", timeNs: inside),
            LogReference(traceID: nil, spanID: nil, service: "orders", timeNs: inside),
            LogReference(traceID: nil, spanID: nil, service: "orders", timeNs: inside + 500 * SpanBuilder.ms),
        ]
        let report = try Diagnoser.diagnose(source, options: AnalysisOptions())
        let logs = report.quality.logs
        #expect(logs.total == 5 && logs.withTraceID == 3)
        #expect(logs.linkedToSpan == 2)
        #expect(logs.dangling == 1)
        #expect(logs.unlinked == 1)
        #expect(report.quality.count(.logDangling) == 1)
        #expect(report.quality.count(.logUnlinked) == 1)
    }
}
