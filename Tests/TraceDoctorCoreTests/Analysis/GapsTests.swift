// unaccounted_time, low_coverage and timing violations on hand-made traces.

import Testing

@testable import TraceDoctorCore

@Suite struct GapsTests {
    let api = SpanProcess(service: "api", host: "api-1")
    let db = SpanProcess(service: "db", host: "db-1")
    let ms = SpanBuilder.ms

    @Test func intervalsAboveBothThresholdsInSpansWithChildren() throws {
        // Given a 300 ms root whose children cover 0–20 and 250–290 ms, and a 100 ms leaf.
        var b = SpanBuilder()
        b.add(1, 1, "GET /", .server, api, 0, 300)
        b.add(1, 2, parent: 1, "auth", .internal, api, 0, 20)
        b.add(1, 3, parent: 1, "query", .client, api, 250, 290)
        b.add(2, 9, "lonely", .server, api, 0, 100)
        // When
        let analysis = TraceAnalysis(spans: Array(b.spans.prefix(3)), options: AnalysisOptions())
        // Then: 20–250 (230 ms) and 290–300 (10 ms, 3.3% of the span: below 10%) are uncovered.
        #expect(Array(analysis.gaps.uncovered(of: 0)) == [Gaps.Interval(start: b.spans[0].startNs! + 20 * ms, end: b.spans[0].startNs! + 250 * ms), Gaps.Interval(start: b.spans[0].startNs! + 290 * ms, end: b.spans[0].startNs! + 300 * ms)])
        #expect(analysis.gaps.unaccounted.count == 1)
        let gap = try #require(analysis.gaps.unaccounted.first)
        #expect(gap.startOffsetNs == 20 * ms && gap.endOffsetNs == 250 * ms && gap.lengthNs == 230 * ms)
        #expect(analysis.gaps.selfTime[0] == 240 * ms)
        #expect(analysis.gaps.selfTime[1] == 20 * ms)
        // A leaf is its own work: no gap, but a root without children has no coverage.
        let leaf = TraceAnalysis(spans: [b.spans[3]], options: AnalysisOptions())
        #expect(leaf.gaps.unaccounted.isEmpty)
        #expect(leaf.gaps.lowCoverage.count == 1)
        #expect(leaf.gaps.coverage.first?.coveredNs == 0)
    }

    @Test func thresholdsAreOptions() throws {
        var b = SpanBuilder()
        b.add(1, 1, "GET /", .server, api, 0, 100)
        b.add(1, 2, parent: 1, "work", .internal, api, 0, 92)
        let strict = TraceAnalysis(spans: b.spans, options: AnalysisOptions())
        #expect(strict.gaps.unaccounted.isEmpty)  // 8 ms < 10 ms
        let loose = TraceAnalysis(spans: b.spans, options: AnalysisOptions(minGapNs: 5 * ms, minGapShare: 0.05))
        #expect(loose.gaps.unaccounted.map(\.lengthNs) == [8 * ms])
    }

    @Test func coverageCountsEveryDescendantClampedToTheRoot() throws {
        // A grandchild outside its parent still covers the root's time.
        var b = SpanBuilder()
        b.add(1, 1, "root", .server, api, 0, 100)
        b.add(1, 2, parent: 1, "child", .internal, api, 0, 30)
        b.add(1, 3, parent: 2, "async", .internal, api, 40, 80)
        b.add(1, 4, parent: 1, "late", .internal, api, 90, 130)
        let analysis = TraceAnalysis(spans: b.spans, options: AnalysisOptions())
        let coverage = try #require(analysis.gaps.coverage.first)
        #expect(coverage.coveredNs == 80 * ms)  // 0–30, 40–80, 90–100
        #expect(analysis.gaps.lowCoverage.isEmpty)
        // The async grandchild ends after its parent: child_after_parent, same host.
        let violations = analysis.gaps.violations
        #expect(violations.map(\.diagnosis) == [.childAfterParent, .childAfterParent])
        #expect(violations.map(\.amountNs) == [50 * ms, 30 * ms])
        #expect(violations.allSatisfy { !$0.acrossHosts })
    }

    @Test func childBeforeParentAcrossHostsIsAdjustedAndSaysSo() throws {
        var b = SpanBuilder()
        b.add(1, 1, "GET /", .server, api, 100, 200)
        b.add(1, 2, parent: 1, "SELECT", .server, db, 60, 100)
        let analysis = TraceAnalysis(spans: b.spans, options: AnalysisOptions())
        let violation = try #require(analysis.gaps.violations.first)
        #expect(violation.diagnosis == .childBeforeParent)
        #expect(violation.amountNs == 40 * ms)
        #expect(violation.acrossHosts)
        // Centred in the parent: start 100 + (100 − 40)/2 = 130 ms.
        #expect(violation.adjustedByNs == 70 * ms)
        #expect(analysis.skew.start[1] - analysis.skew.start[0] == 30 * ms)
        // With adjustment off, the shift is reported and not applied.
        var off = AnalysisOptions()
        off.maxSkewNs = 0
        let raw = TraceAnalysis(spans: b.spans, options: off)
        #expect(raw.skew.shift == [0, 0])
        #expect(raw.notes(for: 1).contains("clock skew adjustment disabled; not applying calculated delta of 70ms"))
    }

    @Test func asyncChildrenMayOutliveTheirParent() throws {
        var b = SpanBuilder()
        b.add(1, 1, "publish", .producer, api, 0, 10)
        b.add(1, 2, parent: 1, "consume", .consumer, db, 5, 50)
        let analysis = TraceAnalysis(spans: b.spans, options: AnalysisOptions())
        #expect(analysis.gaps.violations.isEmpty)
        #expect(analysis.skew.shift == [0, 0])
        #expect(analysis.criticalPath.sections.map(\.span) == [0])
    }
}
