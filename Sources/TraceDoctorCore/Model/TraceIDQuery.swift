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
        if readings.isEmpty, let prefix = Self.hexPrefix(base64: s) {
            readings.append(.hexPrefix(prefix))
        }
        if readings.isEmpty {
            throw .usage(
                "'\(text)' is not a trace ID: give hex digits or base64 (any unique prefix of either), "
                    + "or a decimal Datadog trace ID")
        }
    }

    /// The hex digits a prefix of a base64 ID stands for (6 bits a character, cut to whole hex
    /// digits): `v1dt97` → `bf576df7b`. Nil unless it is 4 to 23 characters of the standard base64
    /// alphabet (the URL-safe one would read `zz-top` as an ID).
    static func hexPrefix(base64 text: String) -> String? {
        let chars = Array(text.utf8.prefix { $0 != UInt8(ascii: "=") })
        guard chars.count >= 4, chars.count < 24 else { return nil }
        var bits: [UInt8] = []
        for c in chars {
            let v: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            default: return nil
            }
            for k in (0..<6).reversed() { bits.append((v >> UInt8(k)) & 1) }
        }
        let digits = "0123456789abcdef".map { $0 }
        var hex = ""
        for start in stride(from: 0, to: bits.count - 3, by: 4) {
            let n = bits[start] << 3 | bits[start + 1] << 2 | bits[start + 2] << 1 | bits[start + 3]
            hex.append(digits[Int(n)])
        }
        return String(hex.prefix(32))
    }
}
