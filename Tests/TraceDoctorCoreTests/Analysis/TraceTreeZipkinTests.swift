// zipkin-lens's tree cases (span-node.test.js, span-cleaner.test.js, trace.test.js) read the way
// tracedoctor names things: merged duplicates, several roots, a headless trace, a self-cycle,
// children in timestamp order, shared client/server IDs.

import Testing

@testable import TraceDoctorCore

@Suite struct TraceTreeZipkinTests {
    func tree(_ file: String) throws -> (TraceTree, CorpusTrace) {
        let trace = try #require(try CorpusLoader.zipkin(file).first)
        return (TraceTree(spans: trace.spans), trace)
    }

    @Test func identicalReportsMerge() throws {
        // GT: 3 × {a,a} → a single root with no children; not a duplicate_span_id.
        let (tree, _) = try tree("derived-from-tests/zipkin-lens/spannode_dedupe.json")
        #expect(tree.count == 1)
        #expect(tree.collapsedReports == 2)
        #expect(tree.roots == [0])
        #expect(!tree.hasChildren(0))
        #expect(tree.duplicates.isEmpty)
        #expect(tree.notes(for: 0) == ["reported 3 times; identical reports collapsed", "start time missing; set to the trace's earliest start", "end time missing; treated as zero-length"])
    }

    @Test func parentlessSpansAreSeveralRoots() throws {
        // GT: zipkin-lens hangs e and f under the first root b; they have no parent: multiple_roots
        // [b, e, f] in input order, and b's children c, d in timestamp order.
        let (tree, trace) = try tree("derived-from-tests/zipkin-lens/spannode_missing_parents_to_root.json")
        #expect(tree.roots.map { tree.spans[$0].spanID } == [trace.id("b"), trace.id("e"), trace.id("f")])
        #expect(tree.orphans.isEmpty)
        #expect(tree.children(of: tree.roots[0]).map { tree.spans[$0].spanID } == [trace.id("c"), trace.id("d")])
        #expect(TraceAnalysis(tree: tree, options: AnalysisOptions()).hasMultipleRoots)
    }

    @Test func headlessTrace() throws {
        // GT: no root → zipkin-lens makes a synthetic root holding all spans. Here: one missing parent
        // 000000000000000a with the three spans under it, and no root.
        let (tree, trace) = try tree("derived-from-tests/zipkin-lens/spannode_missing_root.json")
        #expect(tree.roots.isEmpty)
        #expect(tree.orphans.count == 3)
        let analysis = TraceAnalysis(tree: tree, options: AnalysisOptions())
        #expect(analysis.missingParents.count == 1)
        #expect(analysis.missingParents[0].parentSpanID.hex == "000000000000000a")
        #expect(analysis.missingParents[0].children.map { tree.spans[$0].spanID } == [trace.id("b"), trace.id("c"), trace.id("d")])
        #expect(analysis.primaryRoot != nil)
        #expect(analysis.fragmentRoot == nil)
    }

    @Test func selfParentIsARoot() throws {
        // GT: parentId == id is treated as a root ('skip on cycle').
        let (tree, _) = try tree("derived-from-tests/zipkin-lens/spannode_self_cycle.json")
        #expect(tree.roots == [0])
        #expect(tree.cycles.map(\.message) == ["Cyclic parent reference to 000000000000000b removed"])
    }

    @Test func childrenInTimestampOrderUnknownFirst() throws {
        // GT: children of 1 ordered c (no timestamp), b (1), a (2).
        let (tree, trace) = try tree("derived-from-tests/zipkin-lens/spannode_order_children.json")
        let root = try #require(tree.index(of: trace.id("1")))
        #expect(tree.children(of: root).map { tree.spans[$0].spanID } == [trace.id("c"), trace.id("b"), trace.id("a")])
    }

    @Test func idsAreLeftPadded() throws {
        let (tree, _) = try tree("derived-from-tests/zipkin-lens/spannode_order_children.json")
        #expect(tree.spans[0].spanID.hex == "0000000000000001")
        #expect(tree.traceID.hex == "0000000000000000000000000000000a")
    }

    @Test(arguments: [
        ("zipkin/yelp.json", 16, 3), ("zipkin/ascend.json", 8, 2), ("zipkin/skew.json", 4, 1),
        ("zipkin/smartthings-oauth-authorization.json", 175, 45),
    ])
    func sharedClientServerIDsAreNotDefects(file: String, spans: Int, sharedServers: Int) throws {
        // GT (span-cleaner.test.js): yelp keeps 16 spans; shared IDs are normal.
        let (tree, _) = try tree(file)
        #expect(tree.count == spans)
        #expect(tree.spans.filter { $0.originalSpanID != nil }.count == sharedServers)
        #expect(tree.duplicates.isEmpty)
        #expect(tree.orphans.isEmpty)
        #expect(tree.roots.count == 1)
    }

    @Test func largeTraceWithPartialReports() throws {
        // 1041 reports, 290 IDs reported 2–3 times (shared halves and partial reports).
        let (tree, _) = try tree("zipkin/smartthings-mobile-web-install.json")
        #expect(tree.duplicates.isEmpty)
        #expect(tree.orphans.isEmpty)
        #expect(tree.roots.count == 1)
        #expect(tree.cycles.isEmpty)
    }

    @Test func ununiquifiedSharedHalvesAreRecognised() {
        // A reader that kept the shared ID: CLIENT and SERVER with one ID, the server's child naming it.
        let a = SpanProcess(service: "a", host: "10.0.0.1")
        let b = SpanProcess(service: "b", host: "10.0.0.2")
        let t = TraceID(high: 0, low: 7)
        let spans = [
            AnalysisSpan(traceID: t, spanID: SpanID(1), name: "root", kind: .server, process: a, startNs: 100, endNs: 900, rowID: 1),
            AnalysisSpan(
                traceID: t, spanID: SpanID(2), parentSpanID: SpanID(1), name: "call", kind: .client, process: a, startNs: 200,
                endNs: 800, rowID: 2),
            AnalysisSpan(
                traceID: t, spanID: SpanID(2), parentSpanID: SpanID(1), name: "call", kind: .server, process: b, startNs: 250,
                endNs: 750, rowID: 3),
            AnalysisSpan(
                traceID: t, spanID: SpanID(3), parentSpanID: SpanID(2), name: "db", kind: .client, process: b, startNs: 300,
                endNs: 700, rowID: 4),
        ]
        let tree = TraceTree(spans: spans)
        #expect(tree.sharedPairs == 1)
        #expect(tree.duplicates.isEmpty)
        #expect(tree.parent == [nil, 0, 1, 2])
    }

    @Test func malformedKongTrace() throws {
        // zipkin-lens malformed.js: spans without duration or local endpoint still make one tree.
        let (tree, _) = try tree("derived-from-tests/zipkin-lens/malformed.json")
        #expect(tree.count == 7)
        #expect(tree.roots.count == 1)
        #expect(tree.orphans.isEmpty)
        let noDuration = tree.spans.indices.filter { tree.spans[$0].endNs == nil }
        #expect(!noDuration.isEmpty)
        for i in noDuration {
            #expect(tree.notes(for: i).contains("end time missing; treated as zero-length"))
        }
    }

    @Test func orphansUnderTwoMissingParents() throws {
        // messaging2.json: 6 orphans under 2 absent parents.
        let (tree, _) = try tree("zipkin/messaging2.json")
        let analysis = TraceAnalysis(tree: tree, options: AnalysisOptions())
        #expect(tree.orphans.count == 6)
        #expect(Set(analysis.missingParents.map(\.parentSpanID.hex)) == ["0153a596db406c83", "0153a596db406111"])
    }
}
