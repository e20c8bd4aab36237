// Where the diagnoses get their spans: the database (TraceStore), or any in-memory set of spans
// (tests, a capture being checked). Analysis never needs to know which.

/// Spans grouped by trace, and the log lines that may refer to them.
public protocol SpanSource {
    /// Calls `body` with the spans of each trace (in input order), one trace at a time.
    func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws
    /// Calls `body` with every log line's IDs, service and time (nothing when there are no logs).
    func forEachLog(_ body: (LogReference) throws -> Void) throws
}

extension SpanSource {
    public func forEachLog(_ body: (LogReference) throws -> Void) throws {}
}

/// What the quality metrics read of a log line.
public struct LogReference: Sendable, Equatable {
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var service: String
    public var timeNs: Int64?

    public init(traceID: TraceID?, spanID: SpanID?, service: String, timeNs: Int64?) {
        self.traceID = traceID.flatMap { $0.isZero ? nil : $0 }
        self.spanID = spanID.flatMap { $0.isZero ? nil : $0 }
        self.service = service
        self.timeNs = timeNs
    }
}

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
