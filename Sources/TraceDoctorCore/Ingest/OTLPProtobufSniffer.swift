// Recognising OTLP protobuf from an input's first bytes, for format detection. Binary detection
// must never claim text: the bytes must hold a control byte no text has, and their fields must
// nest the way OTLP's schema says (OTLPProtobufLayout).

/// OTLP protobuf: an `ExportTraceServiceRequest`/`TracesData` or `ExportLogsServiceRequest`/
/// `LogsData`, or a sequence of length-prefixed ones.
public enum OTLPProtobufSniffer: FormatSniffer {
    public static func sniff(_ prefix: InputPrefix) -> SniffResult {
        guard !prefix.bytes.isEmpty else { return .reject("the input is empty") }
        if looksLikeText(prefix.bytes) {
            return .reject("text, not binary protobuf (\(prefix.foundDescription))")
        }
        return prefix.bytes.withUnsafeBytes { bytes in
            let strict = OTLPProtobufLayout.inspect(bytes, isComplete: prefix.isComplete, strict: true)
            if case let .success(layout) = strict {
                return .accept(confidence: layout.wholeRecords > 0 ? 100 : 80)
            }
            if prefix.isComplete, case .success = OTLPProtobufLayout.inspect(bytes, isComplete: false, strict: true) {
                // Sound up to where it stops: a cut-short export, which the reader reports exactly.
                return .accept(confidence: 60)
            }
            switch OTLPProtobufLayout.inspect(bytes, isComplete: false, strict: false) {
            case .success:
                // Fields OTLP does not define (yet): probably a newer OTLP.
                return .accept(confidence: 30)
            case let .failure(error):
                return .reject("not OTLP protobuf: \(error.position.map { "byte \($0.offset): " } ?? "")\(error.message)")
            }
        }
    }

    /// True when `bytes` could be text: valid UTF-8 with no control byte but tab, line feed,
    /// carriage return and form feed. OTLP protobuf always has one (the tag 0x12 of its scopes,
    /// binary IDs and timestamps).
    static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        var end = bytes.count
        // The prefix may end inside a multi-byte character.
        var back = 0
        while back < 3, end - back > 0, bytes[end - back - 1] & 0xC0 == 0x80 { back += 1 }
        if back < 3, end - back > 0, bytes[end - back - 1] >= 0xC0 { end -= back + 1 }
        for c in bytes[..<end] where c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D && c != 0x0C {
            return false
        }
        return bytes.withUnsafeBufferPointer { UTF8Validation.isValid(UnsafeBufferPointer(rebasing: $0[..<end])) }
    }
}
