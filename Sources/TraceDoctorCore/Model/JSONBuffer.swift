// A growable byte buffer that writes JSON: how attributes, events and links are stored.

/// Bytes of JSON text under construction. Reused between records; never shrinks.
public struct JSONBuffer: Sendable {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { bytes.isEmpty }
    public var count: Int { bytes.count }

    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    @inline(__always)
    public mutating func append(_ byte: UInt8) { bytes.append(byte) }

    @inline(__always)
    public mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    public mutating func appendRaw(_ raw: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: raw) }

    /// Removes a trailing comma, if any (used when closing an object or array).
    @inline(__always)
    public mutating func dropTrailingComma() {
        if bytes.last == UInt8(ascii: ",") { bytes.removeLast() }
    }

    /// Appends `"body"` where `body` is already valid JSON string content.
    @inline(__always)
    public mutating func appendQuotedRaw(_ body: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: body)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `bytes` (UTF-8) as a JSON string, escaping what JSON requires.
    public mutating func appendString(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        for c in text {
            switch c {
            case UInt8(ascii: "\""): bytes.append(0x5C); bytes.append(c)
            case UInt8(ascii: "\\"): bytes.append(0x5C); bytes.append(c)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                append("\\u00")
                bytes.append(HexID.digits[Int(c >> 4)])
                bytes.append(HexID.digits[Int(c & 0xF)])
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { appendString($0) }
    }

    public mutating func appendString(_ text: [UInt8]) {
        text.withUnsafeBufferPointer { appendString($0) }
    }

    /// Appends `"key":`.
    @inline(__always)
    public mutating func appendKey(_ key: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        append(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func appendInt(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendUInt(value.magnitude)
        } else {
            appendUInt(UInt64(value))
        }
    }

    public mutating func appendUInt(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        withUnsafeMutableBytes(of: &digits) { raw in
            var v = value
            var i = 23
            while v > 0 {
                raw[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                i -= 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(i + 1)...]))
        }
    }

    public mutating func appendHex(_ id: TraceID) {
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 32))
        bytes.withUnsafeMutableBufferPointer { b in
            HexID.write(id.high, to: b.baseAddress! + start)
            HexID.write(id.low, to: b.baseAddress! + start + 16)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func appendHex(_ id: SpanID) {
        bytes.append(UInt8(ascii: "\""))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 16))
        bytes.withUnsafeMutableBufferPointer { b in
            HexID.write(id.value, to: b.baseAddress! + start)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
