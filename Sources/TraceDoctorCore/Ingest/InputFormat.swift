// The formats tracedoctor reads: the one list that detection, --input-format and the error
// messages share.

public enum InputFormat: String, Sendable, CaseIterable, Codable {
    case otlpJSON = "otlp-json"
    case otlpProtobuf = "otlp-protobuf"

    /// A human list of every format, for error messages.
    public static var readable: String {
        allCases.map(\.description).joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case .otlpJSON: "OTLP/JSON traces and logs (documents or JSON Lines)"
        case .otlpProtobuf: "OTLP protobuf traces and logs (binary export requests, optionally length-delimited)"
        }
    }

    /// The reader for this format.
    public var reader: RecordReader {
        switch self {
        case .otlpJSON: OTLPJSONReader()
        case .otlpProtobuf: OTLPProtobufReader()
        }
    }

    /// Recognises this format from an input's first bytes.
    public var sniffer: FormatSniffer.Type {
        switch self {
        case .otlpJSON: OTLPJSONSniffer.self
        case .otlpProtobuf: OTLPProtobufSniffer.self
        }
    }
}
