// The formats tracedoctor reads: the one list that detection, --input-format and the error
// messages share.

public enum InputFormat: String, Sendable, CaseIterable, Codable {
    case otlpJSON = "otlp-json"
    case otlpProtobuf = "otlp-protobuf"
    case jaegerJSON = "jaeger-json"
    case zipkinJSON = "zipkin-json"
    case jsonLogs = "json-logs"
    case logfmt = "logfmt"
    case textLogs = "text-logs"

    /// A human list of every format, for error messages.
    public static var readable: String {
        allCases.map(\.description).joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case .otlpJSON: "OTLP/JSON traces and logs (documents or JSON Lines, and Jaeger's API v3 {\"result\": …})"
        case .otlpProtobuf: "OTLP protobuf traces and logs (binary export requests, optionally length-delimited)"
        case .jaegerJSON: "Jaeger JSON (the UI's download / API v1 {\"data\": […]}, a trace object, or a span list)"
        case .zipkinJSON: "Zipkin v2 JSON (a list of spans, a list of traces, or one span)"
        case .jsonLogs: "JSON Lines application logs"
        case .logfmt: "logfmt logs"
        case .textLogs: "plain-text logs"
        }
    }

    /// The reader for this format.
    public var reader: RecordReader {
        switch self {
        case .otlpJSON: OTLPJSONReader()
        case .otlpProtobuf: OTLPProtobufReader()
        case .jaegerJSON: JaegerJSONReader()
        case .zipkinJSON: ZipkinJSONReader()
        case .jsonLogs: JSONLogReader()
        case .logfmt: LogfmtReader()
        case .textLogs: TextLogReader()
        }
    }

    /// Recognises this format from an input's first bytes.
    public var sniffer: FormatSniffer.Type {
        switch self {
        case .otlpJSON: OTLPJSONSniffer.self
        case .otlpProtobuf: OTLPProtobufSniffer.self
        case .jaegerJSON: JaegerJSONSniffer.self
        case .zipkinJSON: ZipkinJSONSniffer.self
        case .jsonLogs: JSONLogSniffer.self
        case .logfmt: LogfmtSniffer.self
        case .textLogs: TextLogSniffer.self
        }
    }

    /// Whether a CLIENT and a SERVER span of this format may share one span ID (Zipkin's B3
    /// lets a server join its client's span; Jaeger stores such spans as Zipkin sent them).
    /// The store then gives each such server half its own ID (`SharedSpanPairs`).
    public var sharesClientServerSpanIDs: Bool {
        switch self {
        case .otlpJSON, .otlpProtobuf, .jsonLogs, .logfmt, .textLogs: false
        case .jaegerJSON, .zipkinJSON: true
        }
    }
}
