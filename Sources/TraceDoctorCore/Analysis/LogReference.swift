// The IDs, service and time of one log line: all the quality metrics need to join logs to spans.

/// What the quality metrics read of a log line.
public struct LogReference: Sendable, Equatable {
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var service: String
    public var timeNs: Int64?
    /// Its row in `logs` (nil when it is not stored), for the lines joined by correlation keys.
    public var rowID: Int64?

    public init(traceID: TraceID?, spanID: SpanID?, service: String, timeNs: Int64?, rowID: Int64? = nil) {
        self.rowID = rowID
        self.traceID = traceID.flatMap { $0.isZero ? nil : $0 }
        self.spanID = spanID.flatMap { $0.isZero ? nil : $0 }
        self.service = service
        self.timeNs = timeNs
    }
}
