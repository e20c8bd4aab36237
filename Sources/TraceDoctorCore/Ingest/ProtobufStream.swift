// Protobuf's wire format read forward from a ByteSource: varints, tags, skipped fields, and one
// length-delimited field at a time in a buffer that grows only as far as that field needs. It
// is what lets the OTLP protobuf reader hold one span, not the whole export, in memory.

final class ProtobufStream {
    private let source: ByteSource
    private var buf: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var pos = 0
    private var end = 0
    private var sourceEnded = false
    /// Absolute offset of `buf[0]` in the input.
    private var baseOffset: Int64 = 0
    /// What the buffer shrinks back to after holding an unusually large field.
    private let chunkSize: Int

    init(source: ByteSource, chunkSize: Int = 1 << 20) {
        self.source = source
        self.chunkSize = chunkSize
        capacity = chunkSize
        buf = .allocate(capacity: chunkSize)
    }

    deinit { buf.deallocate() }

    /// The offset of the next unread byte.
    var offset: Int64 { baseOffset + Int64(pos) }

    /// Bytes the buffer holds now: the bound on what this stream keeps in memory.
    var bufferCapacity: Int { capacity }

    static func position(_ offset: Int64) -> SourcePosition { .byteOffset(offset) }

    // MARK: Buffering

    /// Reads more input, keeping the unread bytes (and growing the buffer when they fill it, up
    /// to `needed` bytes). False at the end of the input.
    private func refill(needed: Int) throws(InputError) -> Bool {
        if sourceEnded { return false }
        let live = end - pos
        if pos > 0 {
            if live > 0 { buf.update(from: buf + pos, count: live) }
            baseOffset += Int64(pos)
            end = live
            pos = 0
        }
        var newCapacity = capacity
        if end == capacity {
            // Full, so `needed` is more than it holds: grow by doubling as the field's bytes
            // arrive, so that a corrupt length cannot allocate more than the input has.
            newCapacity = min(capacity * 2, max(needed, chunkSize))
        } else if capacity > chunkSize, needed <= chunkSize, end <= chunkSize {
            // Back to the usual size after an unusually large field.
            newCapacity = chunkSize
        }
        if newCapacity != capacity {
            let resized = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            resized.update(from: buf, count: end)
            buf.deallocate()
            buf = resized
            capacity = newCapacity
        }
        let n = try source.read(into: buf + end, count: capacity - end)
        if n == 0 {
            sourceEnded = true
            return false
        }
        end += n
        return true
    }

    /// True at the end of the input.
    func atEnd() throws(InputError) -> Bool {
        if pos < end { return false }
        return try !refill(needed: 1)
    }

    /// Up to `limit` unread bytes, without consuming them (to tell the framing). Valid until the
    /// next call on the stream.
    func peek(upTo limit: Int) throws(InputError) -> UnsafeRawBufferPointer {
        while end - pos < limit {
            if try !refill(needed: limit) { break }
        }
        return UnsafeRawBufferPointer(start: buf + pos, count: min(limit, end - pos))
    }

    // MARK: Values

    /// A base-128 varint. `what` names it in messages ("the length of a Span").
    func readVarint(_ what: @autoclosure () -> String) throws(InputError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            if pos == end, try !refill(needed: 10) {
                throw InputError("the input ends inside \(what()) (a varint)", at: Self.position(start))
            }
            let byte = buf[pos]
            pos += 1
            if shift == 63 && byte > 1 {
                throw InputError("\(what()) is a varint longer than 64 bits", at: Self.position(start))
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// A field's tag.
    func readTag() throws(InputError) -> FieldTag {
        let start = offset
        let raw = try readVarint("a field tag")
        guard let wireType = FieldTag.WireType(rawValue: UInt8(raw & 7)), raw >> 3 != 0 else {
            throw InputError(
                "invalid field tag 0x\(String(raw, radix: 16)) (field \(raw >> 3), wire type \(raw & 7)): "
                    + "the data is corrupt or not protobuf", at: Self.position(start))
        }
        return FieldTag(number: raw >> 3, wireType: wireType)
    }

    /// The length of a length-delimited field, checked against the `limit` offset its enclosing
    /// message ends at (nil when only the input's end bounds it).
    func readLength(of what: @autoclosure () -> String, within limit: Int64?) throws(InputError) -> Int {
        let start = offset
        let length = try readVarint("the length of \(what())")
        let left = limit.map { $0 - offset }
        if let left, length > UInt64(max(left, 0)) {
            throw InputError(
                "\(what()) claims \(length) bytes but its enclosing message has only \(left) left: the data is corrupt",
                at: Self.position(start))
        }
        guard length <= UInt64(Int32.max) else {
            throw InputError("\(what()) claims \(length) bytes (over 2 GiB): the data is corrupt", at: Self.position(start))
        }
        return Int(length)
    }

    /// The next `count` bytes, contiguous in memory; valid until the next call on the stream.
    func readBytes(_ count: Int, of what: @autoclosure () -> String) throws(InputError) -> UnsafeRawBufferPointer {
        let start = offset
        while end - pos < count {
            if try !refill(needed: count) {
                throw InputError(
                    "the input ends inside \(what()) (\(end - pos) of its \(count) bytes are there): is the file cut short?",
                    at: Self.position(start))
            }
        }
        let bytes = UnsafeRawBufferPointer(start: buf + pos, count: count)
        pos += count
        return bytes
    }

    /// Skips `count` bytes without keeping them.
    func skip(_ count: Int64, of what: @autoclosure () -> String) throws(InputError) {
        let start = offset
        var left = count
        while left > 0 {
            if pos == end, try !refill(needed: 1) {
                throw InputError(
                    "the input ends inside \(what()) (\(count - left) of its \(count) bytes are there): is the file cut short?",
                    at: Self.position(start))
            }
            let n = min(left, Int64(end - pos))
            pos += Int(n)
            left -= n
        }
    }

    /// Skips the value of a field this reader does not use.
    func skipValue(of tag: FieldTag, within limit: Int64?) throws(InputError) {
        switch tag.wireType {
        case .varint: _ = try readVarint("field \(tag.number)")
        case .fixed64: try skip(8, of: "field \(tag.number)")
        case .fixed32: try skip(4, of: "field \(tag.number)")
        case .lengthDelimited:
            let length = try readLength(of: "field \(tag.number)", within: limit)
            try skip(Int64(length), of: "field \(tag.number)")
        case .startGroup, .endGroup:
            throw InputError(
                "field \(tag.number) is a group (wire type \(tag.wireType.rawValue)), which OTLP never uses: the data is corrupt",
                at: Self.position(offset))
        }
    }
}
