// jaeger-ui's self-time ground truth (TraceStatistics/tableValues.test.js): self time = duration
// minus the union of the children clamped to the span, summed per service or per operation and
// printed in ms with 2 decimals.

import Testing

@testable import TraceDoctorCore

@Suite struct SelfTimeTests {
    /// Self time summed by `group`, in hundredths of a ms, rounded half up as jaeger-ui prints it.
    func selfTotals(_ file: String, by group: (AnalysisSpan) -> String) throws -> [String: Int64] {
        let trace = try #require(try CorpusLoader.jaeger("jaeger-ui/" + file).first)
        let analysis = TraceAnalysis(spans: trace.spans, options: AnalysisOptions())
        var totals: [String: Int64] = [:]
        for (i, span) in analysis.tree.spans.enumerated() {
            totals[group(span), default: 0] += analysis.gaps.selfTime[i]
        }
        // ns → hundredths of a ms, half up (1.625 ms → 1.63).
        return totals.mapValues { ($0 + 5_000) / 10_000 }
    }

    func byService(_ file: String) throws -> [String: Int64] { try selfTotals(file) { $0.service } }
    func byOperation(_ file: String) throws -> [String: Int64] { try selfTotals(file) { "\($0.service) \($0.name)" } }

    @Test func testTraceNormal() throws {
        // GT: by service [0] api-gateway 3.16 ms, [1] customers-service 1.74 ms; by operation [0] 2.4 ms.
        let services = try byService("testTraceNormal.json")
        #expect(services["api-gateway"] == 316)
        #expect(services["customers-service"] == 174)
        #expect(try byOperation("testTraceNormal.json")["api-gateway GET /api/customer/owners/8/pets/10"] == 240)
    }

    @Test func spansAmongEachOther() throws {
        // GT: service+operation row[4].selfTotal == 1.67 ms (customers-service GET /owners).
        #expect(try byOperation("spansAmongEachOther.json")["customers-service GET /owners"] == 167)
    }

    @Test func spansAmongEachOtherGrouped() throws {
        // GT: row[4].selfTotal == 1.63 ms (1625 µs, rounded half up).
        #expect(try byOperation("spansAmongEachOtherGrouped.json")["customers-service GET /owners"] == 163)
    }

    @Test func spanAmongEachOtherGroupedAndSpans() throws {
        // GT: row[4].selfTotal == 1.56 ms.
        #expect(try byOperation("spanAmongEachOtherGroupedAndSpans.json")["customers-service GET /owners"] == 156)
    }

    @Test func spanLongerAsParent() throws {
        // GT: row[2].selfTotal == 1.22 ms: a child longer than its parent is clamped to it.
        #expect(try byOperation("spanLongerAsParent.json")["api-gateway GET /owners/8/pets/10"] == 122)
    }

    @Test(arguments: [
        ("traceWithOverlappingChildren.json", Int64(0)),
        ("traceWithOverlappingChildrenLongerThanParent.json", 3),
        ("traceWithTwoNonOverlappingChildren.json", 3),
        ("traceWithSingleChildLongerThanParentAndStartsAfterParent.json", 4),
        ("traceWithThreeShortChildren.json", 1),
        ("traceWithTwoChildrenStartedAtTraceStart.json", 0),
    ])
    func firstServiceSelfTotal(file: String, hundredthsOfMs: Int64) throws {
        // GT: the first service (service-one, the producer root) selfTotal.
        #expect(try byService(file)["service-one"] == hundredthsOfMs)
    }
}
