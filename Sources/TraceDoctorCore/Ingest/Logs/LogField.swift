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
    public static func classify(_ key: UnsafeBufferPointer<UInt8>) -> LogField? {
        switch key.count {
        case 2:
            if key.equals("ts") || key.equals("@t") { return .time }
            if key.equals("@m") { return .message }
            if key.equals("@l") { return .level }
            return nil
        case 3:
            if key.equals("msg") || key.equals("@mt") { return .message }
            if key.equals("lvl") { return .level }
            if key.equals("svc") || key.equals("app") { return .service }
            if key.equals("@tr") { return .traceID(.hex) }
            if key.equals("@sp") { return .spanID(.hex) }
            return nil
        case 4:
            if key.equals("time") || key.equals("date") { return .time }
            if key.equals("body") { return .message }
            return nil
        case 5:
            if key.equals("level") { return .level }
            if key.equals("event") { return .message }
            return nil
        case 7:
            if key.equals("message") || key.equals("Message") { return .message }
            if key.equals("traceId") || key.equals("traceID") || key.equals("TraceId") || key.equals("traceid") {
                return .traceID(.hex)
            }
            if key.equals("service") { return .service }
            if key.equals("asctime") { return .time }
            if key.equals("span_id") || key.equals("span.id") { return .spanID(.hex) }
            return nil
        case 6:
            if key.equals("spanId") || key.equals("spanID") || key.equals("SpanId") || key.equals("spanid") {
                return .spanID(.hex)
            }
            return nil
        case 8:
            if key.equals("trace_id") || key.equals("trace.id") { return .traceID(.hex) }
            if key.equals("severity") || key.equals("LogLevel") || key.equals("loglevel") { return .level }
            return nil
        case 9:
            if key.equals("timestamp") || key.equals("Timestamp") { return .time }
            if key.equals("log.level") || key.equals("levelname") { return .level }
            return nil
        case 10:
            if key.equals("@timestamp") { return .time }
            if key.equals("otelSpanID") { return .spanID(.hex) }
            if key.equals("dd.span_id") { return .spanID(.datadog) }
            if key.equals("dd.service") { return .service }
            return nil
        case 11:
            if key.equals("otelTraceID") { return .traceID(.hex) }
            if key.equals("dd.trace_id") { return .traceID(.datadog) }
            if key.equals("traceparent") { return .traceparent }
            if key.equals("trace_flags") { return .traceFlags }
            return nil
        case 12:
            if key.equals("service.name") || key.equals("service_name") { return .service }
            return nil
        case 13:
            if key.equals("trace_sampled") { return .sampled }
            return nil
        case 15:
            if key.equals("otelServiceName") { return .service }
            return nil
        case 16:
            if key.equals("otelTraceSampled") { return .sampled }
            return nil
        case 21:
            if key.equals("resource.service.name") { return .service }
            return nil
        default:
            return nil
        }
    }

    /// Whether a JSON object under `key` may hold interpreted fields one level down (`"trace":
    /// {"id": ...}`, ECS `"log": {"level": ...}`, `"service": {"name": ...}`, `"dd": {...}`,
    /// `"span": {"id": ...}`); its other members stay attributes inside the same object.
    public static func isNestingKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        switch key.count {
        case 2: return key.equals("dd")
        case 3: return key.equals("log")
        case 4: return key.equals("span")
        case 5: return key.equals("trace")
        case 7: return key.equals("service")
        default: return false
        }
    }
}
