// The nine critical-path cases of jaeger-ui (components/TracePage/CriticalPath/testCases), with
// the sections jaeger-ui expects, in the trace's own µs.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct CriticalPathTests {
    struct Expected: Equatable, CustomStringConvertible {
        var span: String
        var start: Int64
        var end: Int64
        var description: String { "\(span)[\(start),\(end)]" }
    }

    func run(_ n: Int) throws -> (actual: [Expected], expected: [Expected]) {
        let dir = "derived-from-tests/jaeger-ui-critical-path/criticalpath-test\(n)"
        let traceObject = try #require(try CorpusLoader.json(dir + ".trace.json") as? [String: Any])
        let trace = CorpusLoader.jaegerTrace(traceObject)
        let expectedObject = try #require(try CorpusLoader.json(dir + ".expected.json") as? [String: Any])
        let sections = try #require(expectedObject["criticalPathSections"] as? [[String: Any]])
        let expected = sections.map {
            Expected(
                span: $0["spanID"] as? String ?? "", start: ($0["sectionStart"] as? NSNumber)?.int64Value ?? -1,
                end: ($0["sectionEnd"] as? NSNumber)?.int64Value ?? -1)
        }
        let names = Dictionary(uniqueKeysWithValues: trace.named.map { ($0.value, $0.key) })
        let analysis = TraceAnalysis(spans: trace.spans, options: AnalysisOptions())
        let actual = analysis.criticalPath.sections.map { section in
            let id = analysis.tree.spans[section.span].spanID
            return Expected(span: names[id] ?? id.hex, start: section.start / 1000, end: section.end / 1000)
        }
        return (actual, expected)
    }

    @Test(arguments: 1...9)
    func jaegerUICase(_ n: Int) throws {
        let (actual, expected) = try run(n)
        #expect(actual == expected, "test\(n)")
    }

    @Test func overlappingChildrenOnlyTheLastFinishingOneCounts() throws {
        // test2: X[60,101], C[20,60], X[1,20] (A overlaps C and finishes first).
        let (actual, _) = try run(2)
        #expect(actual.map(\.description) == ["span-X[60,101]", "span-C[20,60]", "span-X[1,20]"])
    }
}
