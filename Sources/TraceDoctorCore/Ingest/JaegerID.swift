// Jaeger writes trace and span IDs as 1–32 hex digits without leading zeros. Test fixtures of
// the Jaeger UI use made-up IDs ("span-C"); rather than refuse a file the Jaeger UI displays,
// such an ID is mapped to a stable hash of its text (the text is kept in an attribute).

/// Reads Jaeger IDs: hex of any length up to the ID's size, left-padded; anything else hashed.
enum JaegerID {
    /// An ID as read: nil for none (empty or all zeros); `mapped` when the text was not hex.
    struct Read<ID> {
        var id: ID
        var mapped: Bool
    }

    static let traceSeeds: (UInt64, UInt64) = (0x6A61_6567_6572_7468, 0x6A61_6567_6572_746C)
    static let spanSeed: UInt64 = 0x6A61_6567_6572_7370

    static func traceID(_ text: UnsafeBufferPointer<UInt8>) -> Read<TraceID>? {
        if text.isEmpty { return nil }
        if let id = IDParser.parseTraceID(text, mode: .paddedHex) {
            return id.isZero ? nil : Read(id: id, mapped: false)
        }
        let raw = UnsafeRawBufferPointer(text)
        return Read(id: TraceID(high: XXH64.hash(raw, seed: traceSeeds.0), low: XXH64.hash(raw, seed: traceSeeds.1)), mapped: true)
    }

    static func spanID(_ text: UnsafeBufferPointer<UInt8>) -> Read<SpanID>? {
        if text.isEmpty { return nil }
        if let id = IDParser.parseSpanID(text, mode: .paddedHex) {
            return id.isZero ? nil : Read(id: id, mapped: false)
        }
        let hash = XXH64.hash(UnsafeRawBufferPointer(text), seed: spanSeed)
        return Read(id: SpanID(hash == 0 ? 1 : hash), mapped: true)
    }
}
