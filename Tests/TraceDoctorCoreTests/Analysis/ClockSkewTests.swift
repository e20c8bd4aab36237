// The 13 table cases of Jaeger's clock-skew adjuster (model/adjuster/clockskew_test.go), with the
// adjusted start and log times and the exact warnings Jaeger writes.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct ClockSkewTests {
    struct Case: Sendable, CustomStringConvertible {
        var number: Int
        var name: String
        var description: String { "\(number): \(name)" }
    }

    static let cases: [Case] = {
        guard let list = try? CorpusLoader.json("derived-from-tests/jaeger-adjuster/clockskew_cases.expected.json") as? [[String: Any]]
        else { return [] }
        return list.enumerated().map { Case(number: $0.offset, name: $0.element["case"] as? String ?? "?") }
    }()

    @Test func allThirteenCasesAreThere() {
        #expect(Self.cases.count == 13)
    }

    @Test(arguments: cases)
    func jaegerCase(_ c: Case) throws {
        let traces = try CorpusLoader.jaeger("derived-from-tests/jaeger-adjuster/clockskew_cases.json")
        let expectations = try #require(
            try CorpusLoader.json("derived-from-tests/jaeger-adjuster/clockskew_cases.expected.json") as? [[String: Any]])
        let trace = traces[c.number]
        let expected = expectations[c.number]
        #expect(trace.traceID.hex == expected["traceID"] as? String)
        let maxAdjust = Int64((expected["maxAdjustMs"] as? NSNumber)?.intValue ?? -1) * 1_000_000
        let tree = TraceTree(spans: trace.spans)
        let skew = ClockSkew(tree: tree, maxSkewNs: maxAdjust)

        // Adjusted start times (µs), by span ID.
        let starts = try #require(expected["expectedStartTimeUs"] as? [String: NSNumber])
        for (id, us) in starts {
            let i = try #require(tree.index(of: trace.id(id)))
            #expect(skew.start[i] == us.int64Value * 1000, "start of \(id)")
        }
        // Log timestamps move with their span.
        let logs = expected["expectedLogTimestampsUs"] as? [String: [NSNumber]] ?? [:]
        for (id, times) in logs {
            let spanID = trace.id(id)
            let i = try #require(tree.index(of: spanID))
            let raw = trace.logTimes[spanID] ?? []
            #expect(raw.map { skew.adjusted($0, of: i) } == times.map { $0.int64Value * 1000 }, "logs of \(id)")
        }
        // The warning, exactly as Jaeger words it, on a span or the trace.
        let allNotes = (skew.traceNote.map { [$0] } ?? []) + skew.notes.values.flatMap { $0 }
        let warnings = allNotes.filter { !$0.hasPrefix("clock skew: timestamps adjusted") }
        if let warning = expected["expectedWarning"] as? String {
            #expect(warnings.contains(warning), "warnings: \(warnings)")
        } else {
            #expect(warnings.isEmpty, "warnings: \(warnings)")
        }
        // Every shifted span says so, with the amount.
        for i in 0..<tree.count where skew.shift[i] != 0 {
            let note = skew.notes[i]?.first { $0.hasPrefix("clock skew: timestamps adjusted by") }
            #expect(note != nil)
            #expect(note?.contains(Units.duration(ns: Int64(skew.shift[i].magnitude))) == true)
        }
    }

    @Test func adjustedSpansAndTheirAmounts() throws {
        // Case 13 (0d): child b@50+70 under a@10+100 moves by −25 ms, its same-host child with it.
        let trace = try CorpusLoader.jaeger("derived-from-tests/jaeger-adjuster/clockskew_cases.json")[12]
        let tree = TraceTree(spans: trace.spans)
        let skew = ClockSkew(tree: tree, maxSkewNs: 1_000_000_000)
        #expect(skew.adjustments.count == 1)
        #expect(skew.adjustments.first?.deltaNs == -25_000_000)
        #expect(skew.adjustments.first?.host == "b" && skew.adjustments.first?.parentHost == "a")
        #expect(skew.adjustedSpanCount == 2)
        #expect(skew.notes[1] == ["clock skew: timestamps adjusted by −25 ms (host b)"])
        // Raw times are untouched.
        #expect(tree.start[1] == 50_000_000)
    }

    @Test func goDurationsReadLikeGo() {
        #expect(GoDuration.format(35_000_000) == "35ms")
        #expect(GoDuration.format(-45_000_000) == "-45ms")
        #expect(GoDuration.format(1_500_000) == "1.5ms")
        #expect(GoDuration.format(90_000_000_000) == "1m30s")
        #expect(GoDuration.format(2_500) == "2.5µs")
        #expect(GoDuration.format(0) == "0s")
    }

    @Test func zipkinSkewCorrectsTheServerBeforeItsClient() throws {
        // zipkin-lens clock-skew.test.js (skew.json): the shared server on 192.0.0.0 starts 65 ms
        // before its client on 127.0.0.0; after correction every child starts after its parent.
        // skew = server.ts − client.ts − (client.dur − server.dur)/2 = −65.922 ms.
        let trace = try #require(try CorpusLoader.zipkin("zipkin/skew.json").first)
        let tree = TraceTree(spans: trace.spans)
        let skew = ClockSkew(tree: tree, maxSkewNs: 1_000_000_000)
        #expect(skew.adjustments.map(\.deltaNs) == [65_922_000])
        for i in 0..<tree.count {
            if let p = tree.parent[i] { #expect(skew.start[i] > skew.start[p]) }
        }
        // The async child on the server's host moved with it.
        let async = try #require(tree.index(of: SpanID(0x4321_0ae0_c10d_1234)))
        #expect(skew.shift[async] == 65_922_000)
    }

    @Test func sameHostIsNeverCorrected() throws {
        // Case 5: child before its parent on the same host stays where it is.
        let trace = try CorpusLoader.jaeger("derived-from-tests/jaeger-adjuster/clockskew_cases.json")[4]
        let skew = ClockSkew(tree: TraceTree(spans: trace.spans), maxSkewNs: 1_000_000_000)
        #expect(skew.adjustments.isEmpty)
        #expect(skew.shift == [0, 0])
    }
}
