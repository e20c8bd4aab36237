// The explanation of one trace, built without a database: the tree with a placeholder for a
// missing parent and the fragment under its suspected parent, gaps tied to their findings, the
// critical path, and every log line placed under its span, at its gap or at the end.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct ExplanationBuilderTests {
    static let api = SpanProcess(service: "chat-api", host: "chat-1", instanceID: "i-1")
    static let inventory = SpanProcess(service: "inventory", host: "inv-1")
    static let ms = SpanBuilder.ms
    static let t0: Int64 = 1_700_000_000_000_000_000

    /// The broken chat request by hand: a 200 ms wait without a span, a pool task in a new trace
    /// (trace 2), a call to a host whose clock runs 150 ms ahead, and two orphans of span 99.
    static func chat() -> SpanBuilder {
        var b = SpanBuilder()
        b.add(1, 1, "POST /v1/chat-messages", .server, api, 0, 240)
        b.add(1, 2, parent: 1, "validate-request", .internal, api, 0, 2)
        b.add(1, 3, parent: 1, "rag.retrieve", .internal, api, 204, 229)
        b.add(1, 4, parent: 1, "POST /reserve", .client, api, 229, 232, peers: ["inventory"])
        b.add(1, 5, parent: 4, "POST /reserve", .server, inventory, 379, 382, flags: 0x300)
        b.add(1, 10, parent: 99, "tax.lookup", .internal, api, 100, 110)
        b.add(1, 11, parent: 99, "tax.round", .internal, api, 111, 112)
        b.add(2, 6, "vector-search", .internal, api, 205, 228)
        b.add(2, 7, parent: 6, "embed", .internal, api, 205, 210)
        return b
    }

    static func log(
        _ row: Int64, at ms: Int64, _ body: String, trace: UInt64? = 1, span: UInt64? = nil, service: String = "chat-api",
        severity: Int = 9
    ) -> StoredLog {
        StoredLog(
            rowID: row, timeNs: t0 + ms * Self.ms, severityNumber: severity, body: body,
            traceID: trace.map(SpanBuilder.trace), spanID: span.map(SpanID.init), service: service)
    }

    /// The explanation of trace 1, with trace 2 attached as its fragment.
    static func explanation(logs: [StoredLog] = [], unlinked: [StoredLog] = []) -> Explanation {
        let b = chat()
        let diagnosis = TraceDiagnosis(
            spans: b.spans.filter { $0.traceID.low == 1 }, neighbours: [b.spans.filter { $0.traceID.low == 2 }],
            options: AnalysisOptions())
        var builder = ExplanationBuilder(diagnosis: diagnosis)
        for fragment in diagnosis.fragments {
            guard let parent = fragment.suspectedParent else { continue }
            builder.attachments.append(
                ExplanationBuilder.Attachment(
                    relation: .fragmentTrace, traceID: fragment.root.traceID, parentSpanID: parent.span.spanID,
                    confidence: parent.confidence, evidence: parent.evidence, spans: b.spans.filter { $0.traceID.low == 2 }))
        }
        builder.logs = logs
        builder.unlinkedLogs = unlinked
        return builder.build()
    }

    func node(_ e: Explanation, _ name: String) throws -> Int {
        try #require(e.nodes.firstIndex { $0.name == name }, "no node \(name)")
    }

    @Test func theTreeHasAPlaceholderForTheMissingParentAndTheFragmentUnderItsParent() throws {
        let e = Self.explanation()
        // Top level: the root, then the placeholder holding both orphans.
        #expect(e.topLevel.count == 2)
        let placeholder = e.nodes[e.topLevel[1]]
        #expect(placeholder.role == .missingParent(remote: false))
        #expect(placeholder.spanID == SpanID(99))
        #expect(placeholder.children.map { e.nodes[$0].name } == ["tax.lookup", "tax.round"])
        #expect(placeholder.startNs == Self.t0 + 100 * Self.ms && placeholder.endNs == Self.t0 + 112 * Self.ms)
        // The fragment's spans hang under rag.retrieve, dimmed as attached trace 0.
        let rag = try node(e, "rag.retrieve")
        let vector = try node(e, "vector-search")
        #expect(e.nodes[vector].parent == rag)
        #expect(e.nodes[vector].attachedTrace == 0)
        #expect(e.attachedTraces.first?.parentNode == rag)
        #expect(e.attachedTraces.first?.relation == .fragmentTrace)
        #expect(e.nodes[try node(e, "embed")].depth == e.nodes[vector].depth + 1)
        // The header numbers.
        #expect(e.spanCount == 7)
        #expect(e.services == ["chat-api", "inventory"])
        #expect(e.rootNode == e.topLevel[0])
    }

    @Test func theGapIsTiedToTheFirstFindingAndTheSkewedSpansAreMarked() throws {
        let e = Self.explanation()
        let first = try #require(e.findings.first)
        #expect(first.finding.diagnosis == .unaccountedTime)
        let root = try #require(e.rootNode)
        #expect(first.node == root)
        let g = try #require(first.gap)
        #expect(e.nodes[root].gaps[g].finding == 0)
        #expect(e.nodes[root].gaps[g].startNs == Self.t0 + 2 * Self.ms)
        // inventory's span is moved back 150 ms and says so.
        let server = try #require(e.nodes.firstIndex { $0.service == "inventory" })
        #expect(e.nodes[server].shiftNs == -150 * Self.ms)
        #expect(e.nodes[server].notes.contains { $0.hasPrefix("clock skew") })
        // The critical path runs through the root, earliest step first.
        #expect(e.nodes[root].onCriticalPath)
        #expect(!e.criticalPath.isEmpty)
        let starts = e.criticalPath.map(\.startNs)
        #expect(starts == starts.sorted())
    }

    @Test func logLinesGoUnderTheirSpanAtTheirGapOrAtTheEnd() throws {
        let logs = [
            Self.log(1, at: 1, "waiting for LLM rate-limit token", span: 1),
            Self.log(2, at: 206, "embedding", trace: 2, span: 7),
            Self.log(3, at: 230, "calling inventory", span: 4),
            Self.log(4, at: 231, "no such span", span: 12345),
            Self.log(5, at: 105, "tax computed", span: 99),
        ]
        let unlinked = [Self.log(6, at: 150, "token granted", trace: nil)]
        let e = Self.explanation(logs: logs, unlinked: unlinked)
        func entry(_ body: String) throws -> ExplainedLog { try #require(e.logs.first { $0.log.body == body }) }
        let root = try #require(e.rootNode)
        // Logged to the millisecond at +1 ms: may fall in the gap that starts at +2 ms? No — it ends
        // before; it stays under the root. The unlinked line at +150 ms is at the gap.
        #expect(try entry("waiting for LLM rate-limit token").placement == .span(node: root))
        #expect(try entry("token granted").placement == .gap(node: root, gap: 0))
        #expect(try entry("token granted").link == .unlinked)
        #expect(e.findings[0].logs.map { e.logs[$0].log.body } == ["token granted"])
        #expect(try entry("embedding").node == (try node(e, "embed")))
        #expect(try entry("embedding").attachedTrace == 0)
        #expect(try entry("calling inventory").placement == .span(node: try node(e, "POST /reserve")))
        #expect(try entry("no such span").placement == .unmatched)
        #expect(try entry("tax computed").link == .missingParent)
        #expect(e.unmatchedLogs.map { e.logs[$0].log.body } == ["no such span"])
        // By time.
        let times = e.logs.compactMap(\.adjustedTimeNs)
        #expect(times == times.sorted())
    }

    @Test func aSixtyFourBitLogIDNamesTheTrace() {
        let trace = TraceID(high: 0xABC, low: 7)
        #expect(ExplanationBuilder.names(TraceID(high: 0, low: 7), trace))
        #expect(ExplanationBuilder.names(trace, trace))
        #expect(!ExplanationBuilder.names(TraceID(high: 1, low: 7), trace))
    }

    @Test func theWaterfallFoldsShortAndDeepSpansButKeepsWhatHasSomethingToSay() throws {
        let e = Self.explanation()
        let all = ExplainWaterfall(e)
        let spanRows = all.rows.filter { if case .span = $0 { return true } else { return false } }
        #expect(spanRows.count == e.nodes.count)
        // Under 5 ms: validate-request (2 ms) folds; the skewed inventory call and the gap stay.
        let short = ExplainWaterfall(e, minDurationNs: 5 * Self.ms)
        let folded = short.rows.compactMap { row -> Int? in
            if case .folded(let count, .shorterThan, _, _) = row { return count }
            return nil
        }
        #expect(folded.reduce(0, +) >= 1)
        #expect(short.rows.contains(.gap(node: try #require(e.rootNode), gap: 0)))
        #expect(short.rows.contains(.span(node: try #require(e.nodes.firstIndex { $0.service == "inventory" }))))
        // --depth 1: only the top level.
        let shallow = ExplainWaterfall(e, maxDepth: 1)
        for row in shallow.rows {
            if case .span(let n) = row { #expect(e.nodes[n].depth == 0) }
        }
        #expect(shallow.rows.contains { if case .folded(_, .deeperThan(1), _, _) = $0 { return true } else { return false } })
    }

    @Test func theMostBrokenTraceHasTheMostKindsOfDefect() throws {
        let report = try Self.chat().diagnose()
        #expect(MostBrokenTrace.pick(report) == SpanBuilder.trace(1))
        var healthy = SpanBuilder()
        healthy.add(1, 1, "GET /", .server, Self.api, 0, 10)
        healthy.add(1, 2, parent: 1, "db", .client, Self.api, 0, 10)
        #expect(MostBrokenTrace.pick(try healthy.diagnose()) == nil)
    }
}
