// Trace and span identifiers, normalised to the one spelling the database stores: lowercase hex.

/// A 128-bit trace ID. A 64-bit ID from an older tracer is stored with its high half zero.
public struct TraceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The all-zero ID, which every format uses to mean "no trace".
    public var isZero: Bool { high == 0 && low == 0 }

    /// 32 lowercase hex digits.
    public var hex: String { HexID.render(high) + HexID.render(low) }

    public var description: String { hex }

    public static func < (a: TraceID, b: TraceID) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }

    /// Parses 32 hex digits (any case). Anything else is nil.
    public init?(hex: String) {
        var utf8 = Array(hex.utf8)
        guard let id = utf8.withUnsafeMutableBufferPointer({ IDParser.parseTraceID(UnsafeBufferPointer($0), mode: .hexOrBase64) }) else {
            return nil
        }
        self = id
    }
}

/// A 64-bit span ID.
public struct SpanID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public var isZero: Bool { value == 0 }

    /// 16 lowercase hex digits.
    public var hex: String { HexID.render(value) }

    public var description: String { hex }

    public static func < (a: SpanID, b: SpanID) -> Bool { a.value < b.value }

    public init?(hex: String) {
        var utf8 = Array(hex.utf8)
        guard let id = utf8.withUnsafeMutableBufferPointer({ IDParser.parseSpanID(UnsafeBufferPointer($0), mode: .hexOrBase64) }) else {
            return nil
        }
        self = id
    }
}

/// Hex rendering into caller-owned bytes, so that the ingest path binds IDs without allocating.
public enum HexID {
    @usableFromInline static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes 16 lowercase hex digits of `value` at `out`.
    @inline(__always)
    public static func write(_ value: UInt64, to out: UnsafeMutablePointer<UInt8>) {
        digits.withUnsafeBufferPointer { table in
            var v = value
            var i = 15
            while i >= 0 {
                out[i] = table[Int(v & 0xF)]
                v >>= 4
                i -= 1
            }
        }
    }

    public static func render(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            write(value, to: buffer.baseAddress!)
            return 16
        }
    }
}

/// How strictly an ID string is read. OTLP fixes the length (32 / 16 hex digits or their
/// base64); Zipkin and log lines allow 1–32 hex digits, left-padded.
public enum IDParseMode: Sendable {
    /// Exactly 32 (trace) or 16 (span) hex digits, or 24 / 12 characters of base64.
    case hexOrBase64
    /// 1–32 (trace) or 1–16 (span) hex digits, left-padded with zeros; also the base64 forms.
    case paddedHex
}

public enum IDParser {
    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt64? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(c &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(c &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(c &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// Hex digits to an integer; nil on a non-hex byte or more than 16 digits.
    @inline(__always)
    static func parseHex64(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard bytes.count <= 16 else { return nil }
        var v: UInt64 = 0
        for c in bytes {
            guard let d = hexValue(c) else { return nil }
            v = (v << 4) | d
        }
        return v
    }

    /// A trace ID from its text, or nil when it is none of the accepted spellings.
    /// The all-zero ID parses (to `isZero`); callers decide whether that means "none".
    public static func parseTraceID(_ bytes: UnsafeBufferPointer<UInt8>, mode: IDParseMode) -> TraceID? {
        let n = bytes.count
        if n == 32 {
            guard let hi = parseHex64(UnsafeBufferPointer(rebasing: bytes[0..<16])),
                let lo = parseHex64(UnsafeBufferPointer(rebasing: bytes[16..<32]))
            else { return nil }
            return TraceID(high: hi, low: lo)
        }
        if n == 24, let raw = Base64.decode(bytes), raw.count == 16 {
            return TraceID(high: bigEndian(raw, 0), low: bigEndian(raw, 8))
        }
        if mode == .paddedHex, n >= 1, n < 32 {
            if n <= 16 {
                guard let lo = parseHex64(bytes) else { return nil }
                return TraceID(high: 0, low: lo)
            }
            let split = n - 16
            guard let hi = parseHex64(UnsafeBufferPointer(rebasing: bytes[0..<split])),
                let lo = parseHex64(UnsafeBufferPointer(rebasing: bytes[split..<n]))
            else { return nil }
            return TraceID(high: hi, low: lo)
        }
        return nil
    }

    public static func parseSpanID(_ bytes: UnsafeBufferPointer<UInt8>, mode: IDParseMode) -> SpanID? {
        let n = bytes.count
        if n == 16 {
            return parseHex64(bytes).map(SpanID.init)
        }
        if n == 12, let raw = Base64.decode(bytes), raw.count == 8 {
            return SpanID(bigEndian(raw, 0))
        }
        if mode == .paddedHex, n >= 1, n < 16 {
            return parseHex64(bytes).map(SpanID.init)
        }
        return nil
    }

    /// A decimal unsigned 64-bit integer (Datadog's `dd.trace_id`), or nil.
    public static func parseDecimal64(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        if bytes.count <= 19 {
            // Nineteen digits cannot overflow 64 bits: no checks needed (every timestamp).
            var v: UInt64 = 0
            for c in bytes {
                let d = c &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v &* 10 &+ UInt64(d)
            }
            return v
        }
        var v: UInt64 = 0
        for c in bytes {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            v = s
        }
        return v
    }

    @inline(__always)
    static func bigEndian(_ raw: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in at..<(at + 8) { v = (v << 8) | UInt64(raw[i]) }
        return v
    }
}

/// Standard base64 (with `+/`, also accepting the URL-safe `-_`), padding optional.
public enum Base64 {
    @inline(__always)
    static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): return 63
        default: return nil
        }
    }

    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "=") { end -= 1 }
        guard bytes.count - end <= 2 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(end * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for i in 0..<end {
            guard let s = sextet(bytes[i]) else { return nil }
            acc = (acc << 6) | UInt32(s)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero padding, and a lone sextet is not a byte.
        guard bits < 6, acc & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }

    public static func decode(_ string: String) -> [UInt8]? {
        var utf8 = Array(string.utf8)
        return utf8.withUnsafeMutableBufferPointer { decode(UnsafeBufferPointer($0)) }
    }
}
