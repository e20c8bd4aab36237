// Reading trace and span IDs out of log fields, where the key says how the value is written
// (hex, base64, Datadog decimal) and "0" means "no span was active".

public enum LogIDParser {
    /// The reading of one ID value.
    public enum Value<ID: Equatable>: Equatable {
        case id(ID)
        /// "0", all zeros or empty: the logger had no active span.
        case none
        /// Not an ID in the encoding the key implies (apm-server's literal `trace-id`, say).
        case invalid
    }

    /// A trace ID from a field value. `isNumber` is true for an unquoted JSON number.
    public static func traceID(_ text: UnsafeBufferPointer<UInt8>, encoding: LogIDEncoding, isNumber: Bool)
        -> Value<TraceID>
    {
        if text.isEmpty { return .none }
        if isNumber || (encoding == .datadog && text.count <= 20) {
            guard let low = IDParser.parseDecimal64(text) else { return .invalid }
            return low == 0 ? .none : .id(TraceID(high: 0, low: low))
        }
        if text.count == 32, let base = text.baseAddress {
            // The common spelling: 32 hex digits.
            guard let high = hex16(base), let low = hex16(base + 16) else { return .invalid }
            return high == 0 && low == 0 ? .none : .id(TraceID(high: high, low: low))
        }
        let mode: IDParseMode = encoding == .datadog ? .hexOrBase64 : .paddedHex
        guard let id = IDParser.parseTraceID(text, mode: mode) else { return .invalid }
        return id.isZero ? .none : .id(id)
    }

    /// A span ID from a field value.
    public static func spanID(_ text: UnsafeBufferPointer<UInt8>, encoding: LogIDEncoding, isNumber: Bool)
        -> Value<SpanID>
    {
        if text.isEmpty { return .none }
        if isNumber || encoding == .datadog {
            guard let value = IDParser.parseDecimal64(text) else { return .invalid }
            return value == 0 ? .none : .id(SpanID(value))
        }
        if text.count == 16, let base = text.baseAddress {
            guard let value = hex16(base) else { return .invalid }
            return value == 0 ? .none : .id(SpanID(value))
        }
        guard let id = IDParser.parseSpanID(text, mode: .paddedHex) else { return .invalid }
        return id.isZero ? .none : .id(id)
    }

    /// A W3C `traceparent` at `start`: `vv-<32 hex>-<16 hex>-<2 hex>`, version not `ff`, not
    /// followed by another hex digit or dash. Returns the IDs, the trace flags and the index
    /// after it. All-zero IDs make it invalid (W3C), and nil is returned.
    public static func traceparent(_ b: UnsafeBufferPointer<UInt8>, at start: Int)
        -> (traceID: TraceID, spanID: SpanID, flags: UInt32, end: Int)?
    {
        let end = start + 55
        guard end <= b.count, b[start + 2] == UInt8(ascii: "-"), b[start + 35] == UInt8(ascii: "-"),
            b[start + 52] == UInt8(ascii: "-"),
            let version = hex(b, start, 2), version != 0xFF,
            let high = hex(b, start + 3, 16), let low = hex(b, start + 19, 16),
            let span = hex(b, start + 36, 16), let flags = hex(b, start + 53, 2)
        else { return nil }
        if end < b.count, isHexDigit(b[end]) || b[end] == UInt8(ascii: "-") { return nil }
        guard high != 0 || low != 0, span != 0 else { return nil }
        return (TraceID(high: high, low: low), SpanID(span), UInt32(flags), end)
    }

    /// 16 hex digits (any case) at `p`, eight at a time (SWAR): IDs are most of the bytes a
    /// log reader interprets.
    @inline(__always)
    static func hex16(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let raw = UnsafeRawPointer(p)
        guard let high = hex8(UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))),
            let low = hex8(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        else { return nil }
        return high << 32 | low
    }

    /// Eight hex digits packed in a word (the first digit in the lowest byte), or nil.
    @inline(__always)
    static func hex8(_ w: UInt64) -> UInt64? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        guard w & high == 0 else { return nil }
        // Per byte x < 0x80: bit 7 of x + (0x80 - lo) is set iff x >= lo, and bit 7 of
        // x + (0x7F - hi) is clear iff x <= hi (no carry crosses a byte).
        @inline(__always) func within(_ x: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
            (x &+ (0x80 - lo) &* ones) & ~(x &+ (0x7F - hi) &* ones) & high
        }
        let lower = w | 0x2020_2020_2020_2020
        guard within(w, 0x30, 0x39) | within(lower, 0x61, 0x66) == high else { return nil }
        // '0'…'9' → 0…9, 'a'…'f' → 1…6 + 9.
        let nibbles = (lower & 0x0F0F_0F0F_0F0F_0F0F) &+ ((lower >> 6) & ones) &* 9
        let pairs = ((nibbles << 4) | (nibbles >> 8)) & 0x00FF_00FF_00FF_00FF
        let quads = ((pairs << 8) | (pairs >> 16)) & 0x0000_FFFF_0000_FFFF
        return ((quads << 16) | (quads >> 32)) & 0xFFFF_FFFF
    }

    @inline(__always)
    static func isHexDigit(_ c: UInt8) -> Bool {
        c &- UInt8(ascii: "0") < 10 || (c | 0x20) &- UInt8(ascii: "a") < 6
    }

    /// `count` hex digits at `at` as a number, or nil.
    @inline(__always)
    static func hex(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> UInt64? {
        guard at + count <= b.count else { return nil }
        var v: UInt64 = 0
        for k in at..<(at + count) {
            guard let d = IDParser.hexValue(b[k]) else { return nil }
            v = (v << 4) | d
        }
        return v
    }
}
