// Hand-made spans for analysis tests: times in ms from zero, IDs as small integers.

@testable import TraceDoctorCore

/// Builds the spans of synthetic traces, in input order.
struct SpanBuilder {
    private(set) var spans: [AnalysisSpan] = []

    static let ms: Int64 = 1_000_000

    /// A span of `trace` from `start` to `end` (ms).
    @discardableResult
    mutating func add(
        _ trace: UInt64, _ id: UInt64, parent: UInt64? = nil, _ name: String, _ kind: SpanKind = .internal,
        _ process: SpanProcess, _ start: Int64, _ end: Int64, flags: UInt32 = 0x100, peers: [String] = [],
        status: StatusCode = .unset, messaging: SpanMessaging? = nil, links: [SpanLink] = []
    ) -> AnalysisSpan {
        let span = AnalysisSpan(
            traceID: TraceID(high: 0xABC, low: trace), spanID: SpanID(id), parentSpanID: parent.map(SpanID.init), name: name,
            kind: kind, process: process, startNs: 1_700_000_000_000_000_000 + start * Self.ms,
            endNs: 1_700_000_000_000_000_000 + end * Self.ms, status: status, flags: flags, peerNames: peers,
            messaging: messaging, links: links, rowID: Int64(spans.count + 1))
        spans.append(span)
        return span
    }

    var source: InMemorySpanSource { InMemorySpanSource(spans: spans) }

    func diagnose(_ options: AnalysisOptions = AnalysisOptions()) throws -> DiagnosisReport {
        try Diagnoser.diagnose(source, options: options)
    }

    static func trace(_ low: UInt64) -> TraceID { TraceID(high: 0xABC, low: low) }
}
