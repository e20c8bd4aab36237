// Typed reads on top of the scanner that several readers share: IDs, integers that JSON
// writers put in strings, OTLP attribute lists.

extension UnsafeBufferPointer where Element == UInt8 {
    /// Byte-wise equality with a literal, for matching keys without allocating.
    @inline(__always)
    func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, literal.utf8Start, count) == 0)
    }

    /// Equality with either spelling (camelCase and snake_case, as protobuf JSON allows).
    @inline(__always)
    func equals(_ a: StaticString, or b: StaticString) -> Bool {
        equals(a) || equals(b)
    }

    /// ASCII case-insensitive equality with a lowercase literal (`INT64` matches "int64").
    func equalsIgnoringCase(_ lowercase: StaticString) -> Bool {
        guard count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for i in 0..<count {
            let c = self[i]
            let folded = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 0x20 : c
            if folded != expected[i] { return false }
        }
        return true
    }

    var text: String { String(decoding: self, as: UTF8.self) }
}

extension JSONScanner {
    /// A short, printable rendering of bytes for messages.
    static func quote(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let limit = 48
        let shown = bytes.count > limit ? UnsafeBufferPointer(rebasing: bytes[0..<limit]) : bytes
        return "'" + String(decoding: shown, as: UTF8.self) + (bytes.count > limit ? "…'" : "'")
    }

    /// The text of a JSON string body (as `readRawStringBody` returns it), escapes undone.
    static func unescaped(_ body: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard body.contains(UInt8(ascii: "\\")) else { return Array(body) }
        let scanner = JSONScanner(source: MemorySource([0x22] + Array(body) + [0x22]), chunkSize: body.count + 16)
        return (try? Array(scanner.readStringBytes())) ?? Array(body)
    }

    /// A non-negative integer written as a JSON number or a decimal string (protobuf's JSON
    /// mapping writes 64-bit integers as strings). Fractions and exponents are refused.
    public func readUInt64Flexible(_ what: @autoclosure () -> String) throws(InputError) -> UInt64 {
        let start = position
        let digits: UnsafeBufferPointer<UInt8>
        switch try kind() {
        case .string: digits = try readStringBytes()
        case .number: digits = try readNumberBytes()
        default: throw unexpected("\(what()) as a number or a string of digits")
        }
        guard let value = IDParser.parseDecimal64(digits) else {
            throw InputError("\(what()) \(Self.quote(digits)) is not a non-negative whole number below 2^64", at: start)
        }
        return value
    }

    /// A signed integer as a JSON number or string; returns its canonical digits.
    public func readInt64Flexible(_ what: @autoclosure () -> String) throws(InputError) -> Int64 {
        let start = position
        let digits: UnsafeBufferPointer<UInt8>
        switch try kind() {
        case .string: digits = try readStringBytes()
        case .number: digits = try readNumberBytes()
        default: throw unexpected("\(what()) as an integer")
        }
        var negative = false
        var body = digits
        if let first = body.first, first == UInt8(ascii: "-") {
            negative = true
            body = UnsafeBufferPointer(rebasing: body[1...])
        }
        guard let magnitude = IDParser.parseDecimal64(body),
            negative ? magnitude <= UInt64(Int64.max) + 1 : magnitude <= UInt64(Int64.max)
        else {
            throw InputError("\(what()) \(Self.quote(digits)) is not a 64-bit integer", at: start)
        }
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }

    /// A Unix-nanosecond timestamp; 0 means "not set" (protobuf's default) and becomes nil.
    public func readTimestampNs(_ what: @autoclosure () -> String) throws(InputError) -> Int64? {
        let start = position
        let value = try readUInt64Flexible(what())
        guard value <= UInt64(Int64.max) else {
            throw InputError("\(what()) \(value) is out of range (after the year 2262)", at: start)
        }
        return value == 0 ? nil : Int64(value)
    }

    /// A string into `out` (replacing its contents).
    public func readString(into out: inout [UInt8], _ what: @autoclosure () -> String = "a value") throws(InputError) {
        out.removeAll(keepingCapacity: true)
        if try readNullIfPresent() { return }
        try expectString(what())
        out.append(contentsOf: try readStringBytes())
    }

    /// Throws "expected <what> as a string" unless a string comes next.
    @inline(__always)
    func expectString(_ what: @autoclosure () -> String) throws(InputError) {
        if try peek() != UInt8(ascii: "\"") { throw unexpected("\(what()) as a string") }
    }

    /// A trace ID in hex or base64. Returns nil for an empty string or the all-zero ID.
    public func readTraceID(_ what: @autoclosure () -> String, mode: IDParseMode) throws(InputError) -> TraceID? {
        let start = position
        if try readNullIfPresent() { return nil }
        try expectString(what())
        let text = try readStringBytes()
        if text.isEmpty { return nil }
        guard let id = IDParser.parseTraceID(text, mode: mode) else {
            throw InputError(
                "\(what()) \(Self.quote(text)) is not a trace ID (32 hex digits, or 16 bytes in base64)", at: start)
        }
        return id.isZero ? nil : id
    }

    /// A span ID in hex or base64. Returns nil for an empty string or the all-zero ID.
    public func readSpanID(_ what: @autoclosure () -> String, mode: IDParseMode) throws(InputError) -> SpanID? {
        let start = position
        if try readNullIfPresent() { return nil }
        try expectString(what())
        let text = try readStringBytes()
        if text.isEmpty { return nil }
        guard let id = IDParser.parseSpanID(text, mode: mode) else {
            throw InputError(
                "\(what()) \(Self.quote(text)) is not a span ID (16 hex digits, or 8 bytes in base64)", at: start)
        }
        return id.isZero ? nil : id
    }

    /// Copies one JSON value of any kind into `out` unchanged (validated, re-serialised
    /// compactly). Used for values tracedoctor keeps but does not interpret.
    public func copyValue(into out: JSONBuffer) throws(InputError) {
        switch try kind() {
        case .object:
            var obj = try beginObject()
            out.append(UInt8(ascii: "{"))
            var first = true
            while let key = try nextKey(&obj) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.appendString(key)
                out.append(UInt8(ascii: ":"))
                try copyValue(into: out)
            }
            out.append(UInt8(ascii: "}"))
        case .array:
            var arr = try beginArray()
            out.append(UInt8(ascii: "["))
            var first = true
            while try nextElement(&arr) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                try copyValue(into: out)
            }
            out.append(UInt8(ascii: "]"))
        case .string:
            let (body, _) = try readRawStringBody()
            out.appendQuotedRaw(body)
        case .number:
            out.appendRaw(try readNumberBytes())
        case .bool:
            out.append(try readBool() ? "true" : "false")
        case .null:
            _ = try readNullIfPresent()
            out.append("null")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
