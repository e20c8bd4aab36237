// Where the diagnoses get their spans: the database (TraceStore), or any in-memory set of spans
// (tests, a capture being checked). Analysis never needs to know which.

/// Spans grouped by trace, and the log lines that may refer to them.
public protocol SpanSource {
    /// Calls `body` with the spans of each trace (in input order), one trace at a time.
    func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws
    /// Calls `body` with every log line's IDs, service and time (nothing when there are no logs).
    func forEachLog(_ body: (LogReference) throws -> Void) throws
    /// Log lines without trace context that name a message or task ID (`unpropagated_message`).
    func messageLogs() throws -> [UnpropagatedMessage.MessageLog]
}

extension SpanSource {
    public func forEachLog(_ body: (LogReference) throws -> Void) throws {}
    public func messageLogs() throws -> [UnpropagatedMessage.MessageLog] { [] }
}
