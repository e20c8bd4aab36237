// Spans already in memory as a source for the diagnoses: tests, and captures checked without a
// database.

/// Spans held in memory, grouped by trace ID in order of first appearance.
public struct InMemorySpanSource: SpanSource {
    public var traces: [[AnalysisSpan]]
    public var logs: [LogReference]

    public init(spans: [AnalysisSpan], logs: [LogReference] = []) {
        var order: [TraceID] = []
        var byTrace: [TraceID: [AnalysisSpan]] = [:]
        for span in spans {
            if byTrace[span.traceID] == nil { order.append(span.traceID) }
            byTrace[span.traceID, default: []].append(span)
        }
        traces = order.map { byTrace[$0]! }
        self.logs = logs
    }

    public func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws {
        for trace in traces { try body(trace) }
    }

    public func forEachLog(_ body: (LogReference) throws -> Void) throws {
        for log in logs { try body(log) }
    }
}
