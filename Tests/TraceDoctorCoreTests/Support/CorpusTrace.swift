// One trace read from a corpus file by the test loader, with the names of its non-hex IDs.

@testable import TraceDoctorCore

/// Spans read from one corpus file, with the names of non-hex IDs kept for the assertions.
struct CorpusTrace {
    var spans: [AnalysisSpan]
    /// Jaeger span logs (Zipkin annotations): timestamps in ns, by span.
    var logTimes: [SpanID: [Int64]] = [:]
    /// Span IDs that were not hex in the file ('span-C' in the critical-path cases).
    var named: [String: SpanID] = [:]
    /// Jaeger trace-level or per-case extras (the clock-skew cases' `maxAdjustMs`).
    var traceID: TraceID { spans.first?.traceID ?? TraceID(high: 0, low: 0) }

    func id(_ text: String) -> SpanID {
        if let known = named[text] { return known }
        return CorpusLoader.spanID(text)!
    }

    func span(_ text: String) -> AnalysisSpan? {
        let id = id(text)
        return spans.first { $0.spanID == id }
    }
}
