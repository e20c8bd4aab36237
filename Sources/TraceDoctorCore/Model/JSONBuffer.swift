// A growable byte buffer that writes JSON: how attributes, events and links are stored.
// Raw storage with memcpy appends: the ingest path writes every attribute through it.

/// Bytes of JSON text under construction. Reused between records; never shrinks.
public final class JSONBuffer {
    @usableFromInline var storage: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    public var isEmpty: Bool { count == 0 }

    public func reset() { count = 0 }

    /// Forgets everything after the first `length` bytes.
    public func truncate(to length: Int) { count = min(count, length) }

    /// A copy of the bytes.
    public var bytes: [UInt8] { Array(buffer) }

    /// The bytes, valid until the next change.
    public var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage, count: count) }

    public var string: String { String(decoding: buffer, as: UTF8.self) }

    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    @inline(never)
    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }

    @inline(__always)
    public func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    @inline(__always)
    public func append(_ text: StaticString) {
        appendRaw(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    @inline(__always)
    public func appendRaw(_ raw: UnsafeBufferPointer<UInt8>) {
        let n = raw.count
        guard n > 0 else { return }
        reserve(n)
        (storage + count).update(from: raw.baseAddress!, count: n)
        count += n
    }

    public func appendRaw(_ raw: [UInt8]) {
        raw.withUnsafeBufferPointer { appendRaw($0) }
    }

    /// Appends bytes `range` of this same buffer (they are copied first).
    public func appendCopy(of range: Range<Int>) {
        let n = range.count
        reserve(n)
        (storage + count).update(from: storage + range.lowerBound, count: n)
        count += n
    }

    /// Removes a trailing comma, if any (used when closing an object or array).
    @inline(__always)
    public func dropTrailingComma() {
        if count > 0 && storage[count - 1] == UInt8(ascii: ",") { count -= 1 }
    }

    /// Appends `"body"` where `body` is already valid JSON string content.
    @inline(__always)
    public func appendQuotedRaw(_ body: UnsafeBufferPointer<UInt8>) {
        reserve(body.count + 2)
        storage[count] = UInt8(ascii: "\"")
        if body.count > 0 { (storage + count + 1).update(from: body.baseAddress!, count: body.count) }
        count += body.count + 2
        storage[count - 1] = UInt8(ascii: "\"")
    }

    /// Appends `text` (UTF-8) as a JSON string, escaping what JSON requires. Runs of bytes that
    /// need no escape (nearly all of them) are copied whole.
    public func appendString(_ text: UnsafeBufferPointer<UInt8>) {
        reserve(text.count + 2)
        storage[count] = UInt8(ascii: "\"")
        count += 1
        var run = 0
        for i in 0..<text.count {
            let c = text[i]
            if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") { continue }
            appendRaw(UnsafeBufferPointer(rebasing: text[run..<i]))
            run = i + 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                append(0x5C)
                append(c)
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            default:
                append("\\u00")
                append(HexID.digits[Int(c >> 4)])
                append(HexID.digits[Int(c & 0xF)])
            }
        }
        appendRaw(UnsafeBufferPointer(rebasing: text[run...]))
        append(UInt8(ascii: "\""))
    }

    public func appendString(_ text: String) {
        var text = text
        text.withUTF8 { appendString($0) }
    }

    public func appendString(_ text: [UInt8]) {
        text.withUnsafeBufferPointer { appendString($0) }
    }

    /// Appends `"key":`.
    @inline(__always)
    public func appendKey(_ key: StaticString) {
        append(UInt8(ascii: "\""))
        append(key)
        append(UInt8(ascii: "\""))
        append(UInt8(ascii: ":"))
    }

    public func appendInt(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendUInt(value.magnitude)
        } else {
            appendUInt(UInt64(value))
        }
    }

    public func appendUInt(_ value: UInt64) {
        reserve(20)
        if value < 10 {
            storage[count] = UInt8(ascii: "0") + UInt8(value)
            count += 1
            return
        }
        var digits = 0
        var v = value
        while v > 0 {
            digits += 1
            v /= 10
        }
        v = value
        var i = count + digits - 1
        while v > 0 {
            storage[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
        count += digits
    }

    public func appendHex(_ id: TraceID) {
        reserve(34)
        storage[count] = UInt8(ascii: "\"")
        HexID.write(id.high, to: storage + count + 1)
        HexID.write(id.low, to: storage + count + 17)
        storage[count + 33] = UInt8(ascii: "\"")
        count += 34
    }

    public func appendHex(_ id: SpanID) {
        reserve(18)
        storage[count] = UInt8(ascii: "\"")
        HexID.write(id.value, to: storage + count + 1)
        storage[count + 17] = UInt8(ascii: "\"")
        count += 18
    }
}
