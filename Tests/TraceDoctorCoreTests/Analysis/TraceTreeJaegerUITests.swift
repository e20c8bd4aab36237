// jaeger-ui's trace contract (model/trace-contract-suite.ts, trace-parent-cycles.test.ts) and
// Jaeger's parent-reference choice, checked against the trees tracedoctor builds.

import Testing

@testable import TraceDoctorCore

@Suite struct TraceTreeJaegerUITests {
    func tree(_ file: String) throws -> (TraceTree, CorpusTrace) {
        let trace = try #require(try CorpusLoader.jaeger("jaeger-ui/" + file).first)
        return (TraceTree(spans: trace.spans), trace)
    }

    func ids(_ tree: TraceTree, _ indices: [Int]) -> [String] {
        indices.map { tree.spans[$0].spanID.hex }
    }

    @Test func rootMissingReference() throws {
        // GT: orphanSpanCount == 1; rootSpans == [d4dcb46e95b781f5] with 2 children.
        let (tree, _) = try tree("root-missing-reference.legacy.json")
        #expect(tree.orphans.count == 1)
        #expect(ids(tree, tree.topLevel) == ["d4dcb46e95b781f5"])
        #expect(tree.roots.isEmpty)
        let top = tree.topLevel[0]
        #expect(ids(tree, Array(tree.children(of: top))) == ["41f71485ed2593e4", "4f623fd33c213cba"])
        let analysis = TraceAnalysis(tree: tree, options: AnalysisOptions())
        #expect(analysis.missingParents.map(\.parentSpanID.hex) == ["aaaaaaaaaaaaaaaa"])
        #expect(analysis.missingParents.first?.isRemote == false)
    }

    @Test func multipleOrphans() throws {
        // GT: orphanSpanCount == 2 (children listed before their root).
        let (tree, _) = try tree("multiple-orphans.legacy.json")
        #expect(tree.orphans.count == 2)
        #expect(ids(tree, tree.orphans) == ["0000000000000006", "0000000000000007"])
        #expect(ids(tree, tree.roots) == ["d4dcb46e95b781f5"])
        #expect(ids(tree, Array(tree.children(of: tree.roots[0]))) == ["41f71485ed2593e4", "4f623fd33c213cba"])
        let analysis = TraceAnalysis(tree: tree, options: AnalysisOptions())
        #expect(analysis.missingParents.map(\.parentSpanID.hex) == ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"])
    }

    @Test func followsFromOrphanCounts() throws {
        // GT: a FOLLOWS_FROM to a missing span counts as an orphan.
        let (tree, trace) = try tree("follows-from-orphan.legacy.json")
        #expect(tree.orphans.count == 1)
        #expect(ids(tree, tree.orphans) == ["0000000000000008"])
        #expect(trace.span("0000000000000008")?.parentRelation == .followsFrom)
    }

    @Test func rootNoReferences() throws {
        // GT (root-no-references): 0 orphans; here from a single-root file.
        let (tree, _) = try tree("missing-root-start.legacy.json")
        #expect(tree.orphans.isEmpty)
        #expect(tree.roots.count == 1)
    }

    @Test func multipleRootsKeepInputOrder() throws {
        // GT: rootSpans in order [d4dcb46e95b781f5, 0000000000000009], not orphans.
        let (tree, _) = try tree("multiple-roots.legacy.json")
        #expect(ids(tree, tree.roots) == ["d4dcb46e95b781f5", "0000000000000009"])
        #expect(tree.orphans.isEmpty)
        #expect(TraceAnalysis(tree: tree, options: AnalysisOptions()).hasMultipleRoots)
    }

    @Test func firstChildOfIsTheParent() throws {
        // GT: span 0023 has CHILD_OF 0021 and 0022; the first is the parent.
        let (tree, _) = try tree("multi-reference.legacy.json")
        let linked = try #require(tree.index(of: SpanID(0x23)))
        #expect(tree.parent[linked].map { tree.spans[$0].spanID.hex } == "0000000000000021")
        #expect(tree.roots.count == 1 && tree.orphans.isEmpty)
    }

    @Test func localChildOfBeatsRemoteReference() throws {
        // jaeger/ui_01.json: span 0004's first reference is a CHILD_OF into a foreign trace; the
        // local CHILD_OF 0002 is its parent (ParentReference adjuster), so it is not an orphan.
        let trace = try #require(try CorpusLoader.jaeger("jaeger/ui_01.json").first)
        let tree = TraceTree(spans: trace.spans)
        let span = try #require(tree.index(of: SpanID(4)))
        #expect(tree.parent[span].map { tree.spans[$0].spanID } == SpanID(2))
        #expect(tree.orphans.isEmpty)
        // Two different spans share ID 0002: reported, not collapsed.
        #expect(tree.duplicates.map(\.spanID) == [SpanID(2)])
        #expect(tree.duplicates.first?.spans.count == 2)
    }

    @Test func cycleIsCutAtTheFirstSpanInInputOrder() throws {
        // trace-parent-cycles: 000a CHILD_OF 000b and 000b CHILD_OF 000a → 000a becomes the root with
        // "Cyclic parent reference to 000000000000000b removed"; 000b stays its child.
        let (tree, _) = try tree("parent-cycle.legacy.json")
        #expect(ids(tree, tree.roots) == ["000000000000000a"])
        #expect(tree.cycles.map(\.message) == ["Cyclic parent reference to 000000000000000b removed"])
        #expect(tree.notes(for: 0) == ["Cyclic parent reference to 000000000000000b removed"])
        #expect(ids(tree, Array(tree.children(of: 0))) == ["000000000000000b"])
        #expect(tree.orphans.isEmpty)
    }

    @Test func cyclesSelfParentAndDescendantsAsInTheUpstreamTest() {
        // 'cuts one edge per cycle while preserving descendants': a↔b, leaf under b, self→self.
        let p = SpanProcess(service: "s")
        func span(_ id: UInt64, _ parent: UInt64, _ row: Int64) -> AnalysisSpan {
            AnalysisSpan(
                traceID: TraceID(high: 0, low: 1), spanID: SpanID(id), parentSpanID: SpanID(parent), name: "\(id)",
                process: p, startNs: 1, endNs: 2, rowID: row)
        }
        let tree = TraceTree(spans: [span(0xa, 0xb, 1), span(0xb, 0xa, 2), span(0x1ea, 0xb, 3), span(0x5e, 0x5e, 4)])
        #expect(tree.roots == [0, 3])
        #expect(tree.parent[1] == 0)
        #expect(Array(tree.children(of: 1)) == [2])
        #expect(tree.notes(for: 0) == ["Cyclic parent reference to 000000000000000b removed"])
        #expect(tree.notes(for: 3) == ["Cyclic parent reference to 000000000000005e removed"])
    }

    @Test func deepRingIsRepairedWithoutRecursion() {
        // 'repairs a deep cycle without recursion': 20 000 spans in one ring.
        let p = SpanProcess(service: "s")
        let n = 20_000
        let spans = (0..<n).map { i in
            AnalysisSpan(
                traceID: TraceID(high: 0, low: 1), spanID: SpanID(UInt64(i + 1)), parentSpanID: SpanID(UInt64((i + 1) % n + 1)),
                name: "s", process: p, startNs: 1, endNs: 2, rowID: Int64(i))
        }
        let tree = TraceTree(spans: spans)
        #expect(tree.roots == [0])
        #expect(tree.cycles.count == 1)
        #expect(tree.children(of: 1).isEmpty)
        #expect(tree.depth.max() == n - 1)
    }

    @Test func zeroAndMissingStartTimes() throws {
        // GT: all 3 spans kept, order [d4dcb46e95b781f5, 0001, 0002], trace start 0, every start 0.
        let (tree, _) = try tree("zero-start-times.legacy.json")
        #expect(tree.count == 3)
        #expect(ids(tree, tree.preorder) == ["d4dcb46e95b781f5", "0000000000000001", "0000000000000002"])
        #expect(tree.start == [0, 0, 0])
        #expect(tree.startNs == 0)
        #expect(tree.hasChildren(tree.roots[0]))
        // The third has no start at all: it inherits its parent's, and says so.
        #expect(tree.notes(for: 1).isEmpty)
        #expect(tree.notes(for: 2).contains("start time missing; inherited from its parent"))
    }

    @Test func zeroStartAmongDatedSpansIsMissing() {
        // OTLP leaves startTimeUnixNano 0 when unset: next to real dates it is inherited.
        let p = SpanProcess(service: "s")
        let t = TraceID(high: 0, low: 1)
        let tree = TraceTree(spans: [
            AnalysisSpan(traceID: t, spanID: SpanID(1), name: "root", process: p, startNs: 1_700_000_000_000_000_000, endNs: 1_700_000_000_100_000_000, rowID: 1),
            AnalysisSpan(traceID: t, spanID: SpanID(2), parentSpanID: SpanID(1), name: "child", process: p, startNs: 0, endNs: 1_700_000_000_050_000_000, rowID: 2),
        ])
        #expect(tree.start[1] == 1_700_000_000_000_000_000)
        #expect(tree.end[1] == 1_700_000_000_050_000_000)
        #expect(tree.notes(for: 1) == ["start time missing; inherited from its parent"])
    }

    @Test func missingRootStart() throws {
        // GT: root and child start become 0; trace start 0.
        let (tree, _) = try tree("missing-root-start.legacy.json")
        #expect(tree.start == [0, 0])
        #expect(tree.startNs == 0)
        #expect(tree.notes(for: 0).contains("start time missing; set to the trace's earliest start"))
    }
}
