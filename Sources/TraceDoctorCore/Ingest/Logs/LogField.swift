// Which log fields tracedoctor interprets, by key: the spellings of trace and span IDs, times,
// messages, levels and services that JSON loggers, logfmt and text formats use. One table for
// every log reader, so that `trace_id` means the same in a JSON line and in logfmt.

/// How an ID field's value is written.
public enum LogIDEncoding: Sendable, Equatable {
    /// Hex (1–32 / 1–16 digits, left-padded) or base64 in strings; decimal in JSON numbers.
    case hex
    /// Datadog's `dd.trace_id` / `dd.span_id`: decimal unsigned 64-bit (the low 64 bits of the
    /// trace ID), or 32 hex digits when 128-bit trace-ID logging is on.
    case datadog
}

/// What a log field means to tracedoctor.
public enum LogField: Sendable, Equatable {
    case traceID(LogIDEncoding)
    case spanID(LogIDEncoding)
    /// A W3C `traceparent` header value: trace ID, span ID and flags at once.
    case traceparent
    case time
    case message
    case level
    case service
    /// A sampled flag (`otelTraceSampled`, `trace_sampled`): bit 0 of the trace flags.
    case sampled
    /// W3C trace flags as hex (`trace_flags`).
    case traceFlags

    /// The field a key names, or nil for a key tracedoctor keeps as an attribute.
    @inline(__always)
    public static func classify(_ key: UnsafeBufferPointer<UInt8>) -> LogField? {
        lookup(key)?.field
    }

    /// The field a key names and the key's spelling as a static string (which readers keep
    /// instead of copying the key: the spelling is one of the table's).
    public static func lookup(_ key: UnsafeBufferPointer<UInt8>) -> (name: StaticString, field: LogField)? {
        let n = key.count
        guard n < table.count, let base = key.baseAddress else { return nil }
        for entry in table[n] where memcmp(base, entry.name.utf8Start, n) == 0 {
            return entry
        }
        return nil
    }

    /// Every interpreted key, by length (so that a lookup compares a few keys at most).
    private static let table: [[(name: StaticString, field: LogField)]] = {
        let keys: [(StaticString, LogField)] = [
            // Trace and span IDs.
            ("trace_id", .traceID(.hex)), ("traceId", .traceID(.hex)), ("traceID", .traceID(.hex)),
            ("otelTraceID", .traceID(.hex)), ("trace.id", .traceID(.hex)), ("TraceId", .traceID(.hex)),
            ("traceid", .traceID(.hex)), ("@tr", .traceID(.hex)), ("dd.trace_id", .traceID(.datadog)),
            ("span_id", .spanID(.hex)), ("spanId", .spanID(.hex)), ("spanID", .spanID(.hex)),
            ("otelSpanID", .spanID(.hex)), ("span.id", .spanID(.hex)), ("SpanId", .spanID(.hex)),
            ("spanid", .spanID(.hex)), ("@sp", .spanID(.hex)), ("dd.span_id", .spanID(.datadog)),
            ("traceparent", .traceparent), ("otelTraceSampled", .sampled), ("trace_sampled", .sampled),
            ("trace_flags", .traceFlags),
            // Time.
            ("time", .time), ("timestamp", .time), ("ts", .time), ("@timestamp", .time), ("asctime", .time),
            ("date", .time), ("@t", .time), ("Timestamp", .time),
            // Message.
            ("msg", .message), ("message", .message), ("body", .message), ("event", .message), ("@m", .message),
            ("@mt", .message), ("Message", .message),
            // Level.
            ("level", .level), ("lvl", .level), ("severity", .level), ("log.level", .level), ("levelname", .level),
            ("@l", .level), ("loglevel", .level), ("LogLevel", .level),
            // Service.
            ("service", .service), ("service.name", .service), ("svc", .service), ("app", .service),
            ("otelServiceName", .service), ("service_name", .service), ("dd.service", .service),
            ("resource.service.name", .service),
        ]
        var table = Array(repeating: [(name: StaticString, field: LogField)](), count: 22)
        for (name, field) in keys { table[name.utf8CodeUnitCount].append((name, field)) }
        return table
    }()

    /// The spelling of `key` when a JSON object under it may hold interpreted fields one level
    /// down (`"trace": {"id": ...}`, ECS `"log": {"level": ...}`, `"service": {"name": ...}`,
    /// `"dd": {...}`, `"span": {"id": ...}`); its other members stay attributes inside an
    /// object of the same name. Nil for other keys.
    public static func nestingName(_ key: UnsafeBufferPointer<UInt8>) -> StaticString? {
        switch key.count {
        case 2: return key.equals("dd") ? "dd" : nil
        case 3: return key.equals("log") ? "log" : nil
        case 4: return key.equals("span") ? "span" : nil
        case 5: return key.equals("trace") ? "trace" : nil
        case 7: return key.equals("service") ? "service" : nil
        default: return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
