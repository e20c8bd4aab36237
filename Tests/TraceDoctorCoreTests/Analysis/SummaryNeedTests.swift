// Keeping only the per-trace summaries a command prints (`SummaryNeed`) changes nothing printed.

import Testing

@testable import TraceDoctorCore

/// A run that keeps only the summaries a command prints prints the same as one that keeps them
/// all: `traces`' first N (pruned as the pass goes) are those of a full sort, with the same
/// counts and time range; `stats` and the findings need none.
@Suite struct SummaryNeedTests {
    @Test func aListingKeepsTheFirstNOfAFullSortAndTheSameCounts() throws {
        try withGeneratedStore { store in
            let all = try Diagnoser.diagnose(store, options: AnalysisOptions())
            #expect(all.traces.count == 206)
            for sort in TraceSummary.Sort.allCases {
                for service in [nil, "cart"] as [String?] {
                    for limit in [1, 3, 20] {
                        let need = SummaryNeed.listing(sort: sort, service: service, limit: limit)
                        let few = try Diagnoser.diagnose(store, options: AnalysisOptions(), summaries: need)
                        // Pruned to the first `limit` and the earliest and latest start.
                        #expect(few.traces.count <= limit + 2, "\(need)")
                        #expect(
                            DiagnosisJSON.traces(few, sort: sort, service: service, limit: limit)
                                == DiagnosisJSON.traces(all, sort: sort, service: service, limit: limit), "\(need)")
                        #expect(
                            TracesTextReport.render(few, sort: sort, service: service, limit: limit)
                                == TracesTextReport.render(all, sort: sort, service: service, limit: limit), "\(need)")
                    }
                }
            }
        }
    }

    @Test func findingsAndStatsKeepNoSummaryHere() throws {
        try withGeneratedStore { store in
            let all = try Diagnoser.diagnose(store, options: AnalysisOptions())
            let none = try Diagnoser.diagnose(store, options: AnalysisOptions(), summaries: .none)
            let huge = try Diagnoser.diagnose(store, options: AnalysisOptions(), summaries: .huge)
            #expect(none.traces.isEmpty && huge.traces.isEmpty)
            #expect(DiagnosisJSON.orphans(none, limit: 0) == DiagnosisJSON.orphans(all, limit: 0))
            #expect(DiagnosisJSON.gaps(none, traceID: nil, limit: 0) == DiagnosisJSON.gaps(all, traceID: nil, limit: 0))
            #expect(DiagnosisJSON.stats(huge) == DiagnosisJSON.stats(all))
            #expect(StatsTextReport.render(huge, database: "t.db") == StatsTextReport.render(all, database: "t.db"))
        }
    }
}
