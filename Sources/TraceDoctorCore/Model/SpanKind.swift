// The small closed vocabularies of the span model, with the numbers OTLP gives them.

/// OTLP's `Span.SpanKind`.
public enum SpanKind: Int, Sendable, CaseIterable, Codable {
    case unspecified = 0
    case `internal` = 1
    case server = 2
    case client = 3
    case producer = 4
    case consumer = 5

    /// The name used in output and JSON: `server`, `client`, ….
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .internal: "internal"
        case .server: "server"
        case .client: "client"
        case .producer: "producer"
        case .consumer: "consumer"
        }
    }

    /// A span that receives work from outside its process: SERVER or CONSUMER.
    public var isEntryPoint: Bool { self == .server || self == .consumer }
}

/// OTLP's `Status.StatusCode`.
public enum StatusCode: Int, Sendable, CaseIterable, Codable {
    case unset = 0
    case ok = 1
    case error = 2

    public var name: String {
        switch self {
        case .unset: "unset"
        case .ok: "ok"
        case .error: "error"
        }
    }
}

/// OTLP `Span.flags` bits tracedoctor reads.
public enum SpanFlags {
    /// Bits 0–7: W3C trace flags (bit 0 = sampled).
    public static let traceFlagsMask: UInt32 = 0xFF
    /// Bit 8: the producer knows whether the parent is remote.
    public static let hasIsRemote: UInt32 = 0x100
    /// Bit 9: the parent span is remote (came over the wire).
    public static let isRemote: UInt32 = 0x200
}
