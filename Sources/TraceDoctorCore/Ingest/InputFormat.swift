// The formats tracedoctor reads: the one list that detection, --input-format and the error
// messages share.

public enum InputFormat: String, Sendable, CaseIterable, Codable {
    case otlpJSON = "otlp-json"
    case jaegerJSON = "jaeger-json"
    case zipkinJSON = "zipkin-json"

    /// A human list of every format, for error messages.
    public static var readable: String {
        allCases.map(\.description).joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case .otlpJSON: "OTLP/JSON traces (documents or JSON Lines, and Jaeger's API v3 {\"result\": …})"
        case .jaegerJSON: "Jaeger JSON (the UI's download / API v1 {\"data\": […]}, a trace object, or a span list)"
        case .zipkinJSON: "Zipkin v2 JSON (a list of spans, a list of traces, or one span)"
        }
    }

    /// The reader for this format.
    public var reader: RecordReader {
        switch self {
        case .otlpJSON: OTLPJSONReader()
        case .jaegerJSON: JaegerJSONReader()
        case .zipkinJSON: ZipkinJSONReader()
        }
    }

    /// Recognises this format from an input's first bytes.
    public var sniffer: FormatSniffer.Type {
        switch self {
        case .otlpJSON: OTLPJSONSniffer.self
        case .jaegerJSON: JaegerJSONSniffer.self
        case .zipkinJSON: ZipkinJSONSniffer.self
        }
    }
}
