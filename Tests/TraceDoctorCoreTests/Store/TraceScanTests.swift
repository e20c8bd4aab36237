// The windowed scan behind the whole-database diagnoses: every trace handed out once, with the
// same spans in the same order as the whole-table read, and as soon as the scan has read its last
// row (only traces still open at a window's end are held).

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct TraceScanTests {
    /// Five traces whose spans interleave: trace `t` has spans in rows spread over the input.
    func store() throws -> TraceStore {
        // (trace, span) in row order: A and E are open over most of the table, B closes early.
        let order: [(Int, Int)] = [
            (0, 1), (1, 1), (0, 2), (1, 2), (2, 1), (3, 1), (2, 2), (4, 1), (3, 2), (2, 3), (0, 3), (3, 3), (4, 2),
        ]
        var spans: [String] = []
        for (t, s) in order {
            let trace = String(format: "%032x", 0xfeed_0000 - t * 7)
            let parent = s == 1 ? "" : String(format: "%016x", t * 100 + 1)
            spans.append(
                #"{"traceId":"\#(trace)","spanId":"\#(String(format: "%016x", t * 100 + s))","parentSpanId":"\#(parent)","name":"op\#(s)","kind":1,"startTimeUnixNano":"\#(1000 + s)","endTimeUnixNano":"\#(2000 - s)"}"#
            )
        }
        let doc =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":["#
            + spans.joined(separator: ",") + "]}]}]}"
        let store = try TraceStore()
        _ = try store.ingest(
            SourceDescription(path: "t.json", format: .otlpJSON, sizeBytes: Int64(doc.utf8.count)),
            finished: { ("h", Int64(doc.utf8.count), 0) },
            body: { sink in try OTLPJSONReader().read(MemorySource(doc), into: sink, context: ReadContext(keepGoing: false)) })
        return store
    }

    /// The traces the scan hands out, each with the scan's position at that moment.
    func scan(_ store: TraceStore, window: Int64, size: Int = 2) throws -> [([AnalysisSpan], TraceStore.TraceScanPosition)] {
        var out: [([AnalysisSpan], TraceStore.TraceScanPosition)] = []
        try store.forEachTraceBatch(size: size, window: window) { batch, position in
            batch.forEachTrace { out.append(($0, position)) }
        }
        return out
    }

    @Test(arguments: [1, 2, 3, 5, 1000] as [Int64])
    func sameTracesAndSpansAsTheWholeTableRead(window: Int64) throws {
        let store = try store()
        var whole: [[AnalysisSpan]] = []
        try store.forEachTrace { whole.append($0) }
        #expect(whole.count == 5)
        let scanned = try scan(store, window: window).map(\.0).sorted { $0[0].traceID < $1[0].traceID }
        #expect(scanned == whole)
    }

    @Test func aTraceIsHandedOutOnceTheScanHasReadItsLastRow() throws {
        let store = try store()
        var lastRow: [TraceID: Int64] = [:]
        try store.forEachTrace { spans in lastRow[spans[0].traceID] = spans.compactMap(\.rowID).max() }
        let scanned = try scan(store, window: 1)
        for (spans, position) in scanned {
            // Handed out with the window of one row that holds its last row, not later.
            #expect(position.scannedThrough == lastRow[spans[0].traceID])
        }
        // Row order of the last rows (B at 4, C at 10, A at 11, D at 12, E at 13).
        #expect(scanned.map { lastRow[$0.0[0].traceID]! } == [4, 10, 11, 12, 13])
        // What is held: after row 11 (A handed out) only D and E are open, with their 3 spans so far.
        let afterA = scanned.first { $0.1.scannedThrough == 11 }!.1
        #expect(afterA.openTraces == 2 && afterA.openSpans == 3)
        #expect(scanned.last!.1.openTraces == 0 && scanned.last!.1.openSpans == 0)
    }

    @Test func batchesHoldAtMostSizeTraces() throws {
        let store = try store()
        var sizes: [Int] = []
        try store.forEachTraceBatch(size: 2, window: 1000) { batch, _ in
            var n = 0
            batch.forEachTrace { _ in n += 1 }
            sizes.append(n)
        }
        #expect(sizes == [2, 2, 1])
    }
}

/// The diagnoses over a scan that completes traces out of trace-ID order (windows of a few rows)
/// say exactly what they say over one window holding the whole table: the pass is put back in
/// trace-ID order (ordinals, processes, every list of findings) before the questions across traces.
@Suite struct WindowedDiagnosisTests {
    func report(window: Int64) throws -> [String] {
        try withGeneratedStore { store in
            store.scanWindow = window
            let report = try Diagnoser.diagnose(store, options: AnalysisOptions())
            return [
                DiagnosisJSON.orphans(report, limit: 0), DiagnosisJSON.gaps(report, traceID: nil, limit: 0),
                DiagnosisJSON.stats(report), DiagnosisJSON.traces(report, sort: .duration, service: nil, limit: 0),
            ]
        }
    }

    @Test func smallWindowsGiveTheSameFindings() throws {
        let whole = try report(window: 1 << 40)
        for finding in ["suspected_parent", "callee", "continuation", "parent_found_in_trace"] {
            #expect(whole[0].contains("\"\(finding)\""))
        }
        for window: Int64 in [1, 7, 500] {
            let windowed = try report(window: window)
            for (a, b) in zip(windowed, whole) { #expect(a == b, "window \(window)") }
        }
    }
}

/// 3,160 spans in 206 traces with every cross-trace finding planted (fragments, unpropagated calls
/// and messages, links, missing parents found elsewhere), from the benchmark's generator.
func withGeneratedStore<T>(_ body: (TraceStore) throws -> T) throws -> T {
    let dir = NSTemporaryDirectory() + "tracedoctor-generated-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let generator = Process()
    generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    generator.arguments = [
        "python3", fixturesDirectory + "/../bench/gen_otlp.py", "--size", "3M", "--seed", "5", "--out", dir + "/g.jsonl", "--quiet",
    ]
    try generator.run()
    generator.waitUntilExit()
    try #require(generator.terminationStatus == 0)
    _ = try Ingestor.run(IngestRequest(paths: [dir + "/g.jsonl"], databasePath: dir + "/t.db"))
    let store = try TraceStore(path: dir + "/t.db", readOnly: true)
    defer { store.close() }
    return try body(store)
}
