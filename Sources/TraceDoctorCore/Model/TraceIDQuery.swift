// What a trace ID typed on the command line can mean: a full ID or a prefix in hex, base64, or
// Datadog's decimal low 64 bits. The Store looks each reading up and keeps what exists.

import Foundation

/// The readings of a trace ID argument.
public struct TraceIDQuery: Sendable, Equatable {
    /// One way to read the argument.
    public enum Reading: Sendable, Equatable {
        /// Lowercase hex digits the trace ID starts with (the whole ID when 32 digits).
        case hexPrefix(String)
        /// The low 64 bits of the ID (64-bit IDs match 128-bit ones on their low half): 16 hex
        /// digits, 12 base64 characters, or a decimal `dd.trace_id`.
        case low64(UInt64)
        /// A whole ID given in base64.
        case exact(TraceID)
    }

    /// The argument as given.
    public var text: String
    public var readings: [Reading] = []

    /// Reads `text`; a usage error when it can be no trace ID at all.
    public init(_ text: String) throws(TraceDoctorError) {
        self.text = text
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.hasPrefix("0x") || s.hasPrefix("0X") { s.removeFirst(2) }
        let lower = s.lowercased()
        let bytes = Array(lower.utf8)
        if !bytes.isEmpty, bytes.count <= 32, bytes.allSatisfy({ IDParser.hexValue($0) != nil }) {
            readings.append(.hexPrefix(lower))
            if bytes.count == 16, let value = UInt64(lower, radix: 16) { readings.append(.low64(value)) }
        }
        if !bytes.isEmpty, bytes.count <= 20, bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = UInt64(lower), !readings.contains(.low64(value))
        {
            readings.append(.low64(value))
        }
        if s.count == 24 || s.count == 22 || s.count == 12 || s.count == 11, let raw = Base64.decode(s) {
            if raw.count == 16 {
                readings.append(.exact(TraceID(high: IDParser.bigEndian(raw, 0), low: IDParser.bigEndian(raw, 8))))
            } else if raw.count == 8 {
                readings.append(.low64(IDParser.bigEndian(raw, 0)))
            }
        }
        if readings.isEmpty {
            throw .usage(
                "'\(text)' is not a trace ID: give hex digits (any unique prefix), base64 (24 characters) "
                    + "or a decimal Datadog trace ID")
        }
    }
}
