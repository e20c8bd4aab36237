// The formats tracedoctor reads: the one list that detection, --input-format and the error
// messages share.

public enum InputFormat: String, Sendable, CaseIterable, Codable {
    case otlpJSON = "otlp-json"
    case jsonLogs = "json-logs"
    case logfmt = "logfmt"
    case textLogs = "text-logs"

    /// A human list of every format, for error messages.
    public static var readable: String {
        allCases.map(\.description).joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case .otlpJSON: "OTLP/JSON traces (documents or JSON Lines)"
        case .jsonLogs: "JSON Lines application logs"
        case .logfmt: "logfmt logs"
        case .textLogs: "plain-text logs"
        }
    }

    /// The reader for this format.
    public var reader: RecordReader {
        switch self {
        case .otlpJSON: OTLPJSONReader()
        case .jsonLogs: JSONLogReader()
        case .logfmt: LogfmtReader()
        case .textLogs: TextLogReader()
        }
    }

    /// Recognises this format from an input's first bytes.
    public var sniffer: FormatSniffer.Type {
        switch self {
        case .otlpJSON: OTLPJSONSniffer.self
        case .jsonLogs: JSONLogSniffer.self
        case .logfmt: LogfmtSniffer.self
        case .textLogs: TextLogSniffer.self
        }
    }
}
