// Correlation keys (`--link-key`): a log line without a trace ID joins the trace of the span whose
// attributes carry the same key value, or of another line that carries both the value and a
// trace ID (keys propagate: once one line of a request joins a trace, every line with that key
// does, in any service's log). A value seen on several traces joins nothing: it is ambiguous.

/// How a log line joins a trace.
public enum LogJoin: Sendable, Equatable {
    /// Its trace and span IDs name a stored span.
    case traceAndSpan
    /// Its trace ID (no span ID, or one that names no stored span).
    case traceID
    /// A correlation key's value it shares with a span (or with a line that has a trace ID).
    case key(LinkKey, value: String)
    /// No ID or key: only its service and time say which spans were running.
    case time

    /// `trace_and_span`, `trace_id`, `key`, `time`.
    public var name: String {
        switch self {
        case .traceAndSpan: "trace_and_span"
        case .traceID: "trace_id"
        case .key: "key"
        case .time: "time"
        }
    }

    /// For a person: `trace+span ID`, `trace ID`, `key request_id`, `time (guess)`.
    public var label: String {
        switch self {
        case .traceAndSpan: "trace+span ID"
        case .traceID: "trace ID"
        case let .key(key, _): "key \(key.field)"
        case .time: "time (guess)"
        }
    }
}

/// The lines joined to a trace by correlation keys.
public struct KeyJoins: Sendable {
    /// A line joined by a key.
    public struct Join: Sendable, Equatable {
        public var traceID: TraceID
        /// The first span of the trace carrying the value (nil when only a log line carried it).
        public var spanID: SpanID?
        public var key: LinkKey
        public var value: String
    }

    /// A line whose key value is seen on several traces: not joined.
    public struct Ambiguity: Sendable, Equatable {
        public var key: LinkKey
        public var value: String
        public var traces: [TraceID]
    }

    /// By log row.
    public var joined: [Int64: Join] = [:]
    public var ambiguous: [Int64: Ambiguity] = [:]
    /// Lines without a trace ID that carry a key field whose value no span or traced line carries.
    public var unmatched = 0

    public init() {}

    /// The rows joined to `trace`.
    public func rows(of trace: TraceID) -> [Int64] {
        joined.filter { $0.value.traceID == trace }.map(\.key).sorted()
    }
}

public enum KeyJoiner {
    /// Joins the lines without a trace ID that carry one of `keys`. The first key that joins a
    /// line wins; a line ambiguous under one key may still join under a later one.
    public static func join(keys: [LinkKey], store: TraceStore) throws(TraceDoctorError) -> KeyJoins {
        var result = KeyJoins()
        for key in keys {
            let spans = try store.spanKeyValues(attribute: key.attribute)
            let lines = try store.logKeyValues(field: key.field)
            join(key: key, spans: spans, lines: lines, into: &result)
        }
        return result
    }

    /// One key: the value → traces map from the spans and the traced lines, applied to the
    /// untraced lines.
    static func join(key: LinkKey, spans: [TraceStore.SpanKeyValue], lines: [TraceStore.LogKeyValue], into result: inout KeyJoins) {
        // Value → traces (in first-seen order) and the first span of each.
        var traces: [String: [TraceID]] = [:]
        var firstSpan: [String: [TraceID: SpanID]] = [:]
        func note(_ value: String, _ trace: TraceID, _ span: SpanID?) {
            if traces[value]?.contains(trace) != true { traces[value, default: []].append(trace) }
            if let span, firstSpan[value]?[trace] == nil { firstSpan[value, default: [:]][trace] = span }
        }
        for s in spans { note(s.value, s.traceID, s.spanID) }
        for line in lines { if let trace = line.traceID { note(line.value, trace, nil) } }
        for line in lines where line.traceID == nil && result.joined[line.rowID] == nil {
            guard let found = traces[line.value] else {
                if result.ambiguous[line.rowID] == nil { result.unmatched += 1 }
                continue
            }
            if found.count == 1 {
                result.ambiguous[line.rowID] = nil
                result.joined[line.rowID] = KeyJoins.Join(
                    traceID: found[0], spanID: firstSpan[line.value]?[found[0]], key: key, value: line.value)
            } else if result.ambiguous[line.rowID] == nil {
                result.ambiguous[line.rowID] = KeyJoins.Ambiguity(key: key, value: line.value, traces: found)
            }
        }
    }
}
