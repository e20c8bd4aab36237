// The formats tracedoctor reads: the one list that detection, --input-format and the error
// messages share.

public enum InputFormat: String, Sendable, CaseIterable, Codable {
    case otlpJSON = "otlp-json"

    /// A human list of every format, for error messages.
    public static var readable: String {
        allCases.map(\.description).joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case .otlpJSON: "OTLP/JSON traces and logs (documents or JSON Lines)"
        }
    }

    /// The reader for this format.
    public var reader: RecordReader {
        switch self {
        case .otlpJSON: OTLPJSONReader()
        }
    }

    /// Recognises this format from an input's first bytes.
    public var sniffer: FormatSniffer.Type {
        switch self {
        case .otlpJSON: OTLPJSONSniffer.self
        }
    }
}
