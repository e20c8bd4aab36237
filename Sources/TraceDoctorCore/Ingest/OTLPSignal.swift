// The two kinds of OTLP records tracedoctor reads, in JSON and in protobuf alike.

/// Which kind of records a `ResourceSpans` / `ResourceLogs` (or a whole export) holds.
enum OTLPSignal {
    case spans, logs
}
