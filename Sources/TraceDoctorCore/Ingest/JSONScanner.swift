// A streaming, validating JSON pull parser over raw bytes. Readers walk their schema with it
// one value at a time, so a 1 GB document never has to fit in memory; only the current token
// does. Foundation's JSON parsers are 40–200× slower here and hold the whole document.

/// The kind of the next JSON value, judged from its first byte.
public enum JSONValueKind: Equatable, Sendable {
    case object, array, string, number, bool, null
}

/// Iteration state of one object or array (whether a comma is due).
public struct JSONContainer {
    @usableFromInline var first = true
}

public final class JSONScanner {
    /// Deepest nesting accepted; deeper input is an error, not a stack overflow.
    public static let maxDepth = 512
    /// Longest single token (string or number) accepted.
    public static let maxTokenBytes = 64 << 20
    /// Bytes allocated past the buffer's capacity, so word-at-a-time scans may overhang.
    private static let slack = 8

    private let source: ByteSource
    private var buf: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var pos = 0
    private var end = 0
    private var sourceEnded = false
    /// Absolute offset of `buf[0]` in the input.
    private var baseOffset: Int64 = 0
    private var line = 1
    private var lineStart: Int64 = 0
    /// Unescaped string bytes when a string had escapes.
    private var scratch: [UInt8] = []
    /// A key kept across a buffer refill.
    private var keyCopy: [UInt8] = []
    /// When true, a newline ends the current record, as in JSON Lines.
    public var newlineEndsRecord = false
    /// Nesting depth of the value being read (maintained by readers through `enter`/`leave`).
    public private(set) var depth = 0

    public init(source: ByteSource, chunkSize: Int = 1 << 20) {
        self.source = source
        capacity = chunkSize
        buf = .allocate(capacity: chunkSize + Self.slack)
        scratch.reserveCapacity(256)
    }

    deinit { buf.deallocate() }

    // MARK: Position and errors

    /// The position of the next unread byte.
    public var position: SourcePosition { position(at: pos) }

    public var currentLine: Int { line }

    /// The position of buffer index `index` (on the current line).
    private func position(at index: Int) -> SourcePosition {
        let offset = baseOffset + Int64(index)
        return SourcePosition(line: line, column: Int(offset - lineStart) + 1, offset: offset)
    }

    public func error(_ message: String) -> InputError {
        InputError(message, at: position)
    }

    private func describeNext() -> String {
        guard pos < end else { return sourceEnded ? "end of input" : "end of line" }
        let c = buf[pos]
        if c == UInt8(ascii: "\n") && newlineEndsRecord { return "end of line" }
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        if c == 0 { return "a NUL byte" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }

    /// An error saying what was expected and what was found instead.
    public func unexpected(_ expected: String) -> InputError {
        error("expected \(expected), found \(describeNext())")
    }

    // MARK: Buffer management

    /// Makes room and reads more input. Returns false when nothing more can be read.
    private func refill() throws(InputError) -> Bool {
        if sourceEnded { return false }
        if pos > 0 {
            let live = end - pos
            if live > 0 { buf.update(from: buf + pos, count: live) }
            baseOffset += Int64(pos)
            end = live
            pos = 0
        }
        if end == capacity {
            guard capacity < Self.maxTokenBytes else {
                throw error("a single JSON token is longer than \(Self.maxTokenBytes >> 20) MiB")
            }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2 + Self.slack)
            bigger.update(from: buf, count: end)
            buf.deallocate()
            buf = bigger
            capacity *= 2
        }
        let n = try source.read(into: buf + end, count: capacity - end)
        if n == 0 {
            sourceEnded = true
            return false
        }
        end += n
        return true
    }

    /// Ensures at least `n` unread bytes are buffered; false if the input ends first.
    @inline(__always)
    private func ensure(_ n: Int) throws(InputError) -> Bool {
        while end - pos < n {
            if try !refill() { return false }
        }
        return true
    }

    // MARK: Whitespace and structure

    /// The next significant byte without consuming it; nil at the end of the input (or of the
    /// line, in JSON Lines mode).
    @inline(__always)
    public func peek() throws(InputError) -> UInt8? {
        while true {
            var i = pos
            let e = end
            let b = buf
            while i < e {
                let c = b[i]
                if c > 0x20 {
                    pos = i
                    return c
                }
                switch c {
                case 0x20, 0x09, 0x0D:
                    i += 1
                case 0x0A:
                    if newlineEndsRecord {
                        pos = i
                        return nil
                    }
                    i += 1
                    line += 1
                    lineStart = baseOffset + Int64(i)
                default:
                    pos = i
                    return c
                }
            }
            pos = i
            if try !refill() { return nil }
        }
    }

    /// Up to `limit` bytes from the next unread one, without consuming them (for format
    /// detection). Valid until the next call on the scanner.
    public func peekBuffered(upTo limit: Int) throws(InputError) -> UnsafeBufferPointer<UInt8> {
        while end - pos < limit {
            if try !refill() { break }
        }
        return UnsafeBufferPointer(start: buf + pos, count: min(limit, end - pos))
    }

    /// Forgets containers left open by a record that failed half-way (JSON Lines recovery).
    public func resetDepth(to depth: Int) {
        self.depth = depth
    }

    /// True when only whitespace remains before the end of the input.
    public func atEnd() throws(InputError) -> Bool {
        try peek() == nil && (sourceEnded || !newlineEndsRecord || pos >= end)
    }

    /// In JSON Lines mode: consumes the newline that ends a record. Returns false at the end
    /// of the input.
    public func nextRecord() throws(InputError) -> Bool {
        while true {
            while pos < end {
                let c = buf[pos]
                switch c {
                case 0x20, 0x09, 0x0D:
                    pos += 1
                case 0x0A:
                    pos += 1
                    line += 1
                    lineStart = baseOffset + Int64(pos)
                default:
                    return true
                }
            }
            if try !refill() { return false }
        }
    }

    /// Skips the rest of the current line, for recovery after a bad record.
    public func skipLine() throws(InputError) {
        while true {
            while pos < end {
                if buf[pos] == 0x0A { return }
                pos += 1
            }
            if try !refill() { return }
        }
    }

    @inline(__always)
    private func expectByte(_ byte: UInt8, _ what: @autoclosure () -> String) throws(InputError) {
        guard try peek() == byte else { throw unexpected(what()) }
        pos += 1
    }

    public func kind() throws(InputError) -> JSONValueKind {
        guard let c = try peek() else { throw unexpected("a value") }
        switch c {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: throw unexpected("a value")
        }
    }

    /// Counts one more open container (whose bracket was just consumed).
    @inline(__always)
    private func enter() throws(InputError) {
        depth += 1
        if depth > Self.maxDepth {
            throw InputError("JSON nested deeper than \(Self.maxDepth) levels", at: position(at: pos - 1))
        }
    }

    /// Consumes `{`.
    @inline(__always)
    public func beginObject() throws(InputError) -> JSONContainer {
        try expectByte(UInt8(ascii: "{"), "'{'")
        try enter()
        return JSONContainer()
    }

    /// The next key of an object (consuming the `:` after it), or nil after consuming `}`.
    /// The returned bytes are valid until the next call on the scanner.
    @inline(__always)
    public func nextKey(_ container: inout JSONContainer) throws(InputError) -> UnsafeBufferPointer<UInt8>? {
        guard let c = try peek() else { throw unexpected(container.first ? "a key or '}'" : "',' or '}'") }
        if c == UInt8(ascii: "}") {
            pos += 1
            depth -= 1
            return nil
        }
        if container.first {
            container.first = false
            guard c == UInt8(ascii: "\"") else { throw unexpected("a key or '}'") }
        } else {
            guard c == UInt8(ascii: ",") else { throw unexpected("',' or '}'") }
            pos += 1
            guard try peek() == UInt8(ascii: "\"") else { throw unexpected("a key") }
        }
        let key = try readStringBytes()
        if pos < end && buf[pos] == UInt8(ascii: ":") {
            // Common case: no refill between the key and its colon, so the key stays put.
            pos += 1
            return key
        }
        // Reading on may move the buffer: keep a copy of the key.
        keyCopy.removeAll(keepingCapacity: true)
        keyCopy.append(contentsOf: key)
        try expectByte(UInt8(ascii: ":"), "':' after a key")
        return keyCopy.withUnsafeBufferPointer { $0 }
    }

    /// Consumes `literal` if the unread bytes start with exactly it (no whitespace is
    /// skipped inside it); otherwise consumes nothing. For fast paths over compact JSON.
    @inline(__always)
    public func consume(_ literal: StaticString) throws(InputError) -> Bool {
        let n = literal.utf8CodeUnitCount
        if end - pos < n, try !ensure(n) { return false }
        guard memcmp(buf + pos, literal.utf8Start, n) == 0 else { return false }
        pos += n
        return true
    }

    /// The container state after `consume` took an object's `{` and its first key and colon.
    @inline(__always)
    public func enteredObject() throws(InputError) -> JSONContainer {
        try enter()
        return JSONContainer(first: false)
    }

    /// Consumes `[`.
    @inline(__always)
    public func beginArray() throws(InputError) -> JSONContainer {
        try expectByte(UInt8(ascii: "["), "'['")
        try enter()
        return JSONContainer()
    }

    /// True when another element follows (consuming the `,` before it); false after `]`.
    @inline(__always)
    public func nextElement(_ container: inout JSONContainer) throws(InputError) -> Bool {
        guard let c = try peek() else { throw unexpected(container.first ? "a value or ']'" : "',' or ']'") }
        if c == UInt8(ascii: "]") {
            pos += 1
            depth -= 1
            return false
        }
        if container.first {
            container.first = false
            return true
        }
        guard c == UInt8(ascii: ",") else { throw unexpected("',' or ']'") }
        pos += 1
        return true
    }

    // MARK: Scalars

    /// Consumes `null` if it is next.
    public func readNullIfPresent() throws(InputError) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    public func readBool() throws(InputError) -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return false
        default:
            throw unexpected("true or false")
        }
    }

    private func expectLiteral(_ word: StaticString) throws(InputError) {
        let n = word.utf8CodeUnitCount
        guard try ensure(n), memcmp(buf + pos, word.utf8Start, n) == 0 else {
            throw unexpected("'\(word)'")
        }
        pos += n
        if try ensure(1), Self.isIdentifierByte(buf[pos]) {
            throw unexpected("',' or the end of the value after '\(word)'")
        }
    }

    @inline(__always)
    static func isIdentifierByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    /// Reads a number token and returns its raw text (valid until the next call).
    public func readNumberBytes() throws(InputError) -> UnsafeBufferPointer<UInt8> {
        guard let c = try peek(), c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) else {
            throw unexpected("a number")
        }
        var i = pos
        while true {
            while i < end {
                let b = buf[i]
                let isNumberByte =
                    (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                    || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                if !isNumberByte { break }
                i += 1
            }
            if i < end { break }
            let offset = i - pos
            let more = try refill()
            i = pos + offset
            if !more { break }
        }
        let token = UnsafeBufferPointer(start: buf + pos, count: i - pos)
        guard Self.isValidNumber(token) else {
            throw error("'\(String(decoding: token, as: UTF8.self))' is not a valid JSON number")
        }
        pos = i
        return token
    }

    /// RFC 8259 number grammar.
    static func isValidNumber(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = t.count
        func digit(_ k: Int) -> Bool { k < n && t[k] >= UInt8(ascii: "0") && t[k] <= UInt8(ascii: "9") }
        if i < n && t[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return false }
        if t[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while digit(i) { i += 1 }
        }
        if i < n && t[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        if i < n && (t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E")) {
            i += 1
            if i < n && (t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        return i == n
    }

    /// Where the string token that starts at `pos` ends, and whether it has escapes or
    /// non-ASCII bytes. The whole token is buffered afterwards.
    ///
    /// Eight bytes at a time: a word with no quote, backslash or control byte is skipped whole,
    /// and the first such byte is found from the word's bit mask (the buffer keeps 8 bytes of
    /// slack past its end, so a word may overhang the data but never the allocation).
    @inline(__always)
    private func scanString() throws(InputError) -> (close: Int, escaped: Bool, nonASCII: Bool) {
        var i = pos + 1
        var escaped = false
        var high: UInt64 = 0
        while true {
            let b = buf
            let e = end
            while i < e {
                let w = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
                let quote = w ^ 0x2222_2222_2222_2222
                let backslash = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let special =
                    (((quote &- 0x0101_0101_0101_0101) & ~quote)
                        | ((backslash &- 0x0101_0101_0101_0101) & ~backslash)
                        | ((w &- 0x2020_2020_2020_2020) & ~w)) & 0x8080_8080_8080_8080
                let valid = e - i
                // Only the lowest flagged byte is certain; it is all that is used.
                let k = special == 0 ? 8 : special.trailingZeroBitCount >> 3
                if k >= valid {
                    high |= w & Self.lowBytes(valid)
                    i = e
                    break
                }
                if k == 8 {
                    high |= w
                    i += 8
                    continue
                }
                high |= w & Self.lowBytes(k)
                i += k
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    return (i, escaped, high & 0x8080_8080_8080_8080 != 0)
                }
                if c == UInt8(ascii: "\\") {
                    // The escaped byte is looked at, not skipped blind: a line break after a
                    // backslash is a raw line break in the string (and would leave the line
                    // count behind). Not buffered yet: read more, then look again.
                    if i + 1 >= e { break }
                    if b[i + 1] < 0x20 { throw controlCharacter(b[i + 1], at: i + 1) }
                    escaped = true
                    i += 2
                    continue
                }
                throw controlCharacter(c, at: i)
            }
            let offset = i - pos
            if try !refill() {
                throw InputError("unterminated string (the input ends inside it)", at: position(at: end))
            }
            i = pos + offset
        }
    }

    /// A mask of the `n` lowest bytes of a word (all eight for n ≥ 8).
    @inline(__always)
    private static func lowBytes(_ n: Int) -> UInt64 {
        n >= 8 ? ~0 : (1 << UInt64(n &* 8)) &- 1
    }

    private func controlCharacter(_ c: UInt8, at i: Int) -> InputError {
        if c == 0x0A && newlineEndsRecord {
            return InputError("the line ends inside a string (is the record cut short?)", at: position(at: i))
        }
        if c == 0x0A || c == 0x0D {
            return InputError("unterminated string (a raw line break is not allowed inside a JSON string)", at: position(at: i))
        }
        return InputError("control character 0x\(String(c, radix: 16)) inside a string (it must be escaped)", at: position(at: i))
    }

    /// Reads a string and returns its unescaped UTF-8 bytes (valid until the next call).
    public func readStringBytes() throws(InputError) -> UnsafeBufferPointer<UInt8> {
        guard try peek() == UInt8(ascii: "\"") else { throw unexpected("a string") }
        let (close, escaped, nonASCII) = try scanString()
        let raw = UnsafeBufferPointer(start: buf + pos + 1, count: close - pos - 1)
        if nonASCII, !UTF8Validation.isValid(raw) {
            throw error("string is not valid UTF-8")
        }
        if !escaped {
            pos = close + 1
            return raw
        }
        try unescape(raw)
        pos = close + 1
        return scratch.withUnsafeBufferPointer { $0 }
    }

    /// Reads a string and returns the bytes between its quotes exactly as written: a valid
    /// JSON string body, ready to copy into JSON output without re-escaping.
    public func readRawStringBody() throws(InputError) -> (body: UnsafeBufferPointer<UInt8>, escaped: Bool) {
        guard try peek() == UInt8(ascii: "\"") else { throw unexpected("a string") }
        let (close, escaped, nonASCII) = try scanString()
        let raw = UnsafeBufferPointer(start: buf + pos + 1, count: close - pos - 1)
        if nonASCII, !UTF8Validation.isValid(raw) {
            throw error("string is not valid UTF-8")
        }
        if escaped {
            // Validate the escapes; the raw body is kept.
            try unescape(raw)
        }
        pos = close + 1
        return (raw, escaped)
    }

    /// Reads a string and appends it to `out` as a JSON string in one canonical spelling: as
    /// written when it has no escapes, otherwise unescaped and re-escaped by
    /// `JSONBuffer.appendString`. The same text then gives the same bytes however the input
    /// escaped it (`"\u00e9"` or `"é"`), and the same as text that came from protobuf.
    public func readCanonicalString(into out: JSONBuffer) throws(InputError) {
        let (body, escaped) = try readRawStringBody()
        if escaped {
            scratch.withUnsafeBufferPointer { out.appendString($0) }
        } else {
            out.appendQuotedRaw(body)
        }
    }

    /// Reads a string as a Swift `String`.
    public func readString() throws(InputError) -> String {
        String(decoding: try readStringBytes(), as: UTF8.self)
    }

    private func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws(InputError) {
        scratch.removeAll(keepingCapacity: true)
        var i = 0
        let n = raw.count
        while i < n {
            let c = raw[i]
            if c != UInt8(ascii: "\\") {
                scratch.append(c)
                i += 1
                continue
            }
            guard i + 1 < n else { throw error("bad escape at the end of a string") }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                guard let u = hex4(raw, i) else { throw error("bad \\u escape in a string") }
                i += 4
                var scalar = UInt32(u)
                if u >= 0xD800 && u < 0xDC00 {
                    // A high surrogate must be followed by a low one.
                    guard i + 6 <= n, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u"),
                        let lo = hex4(raw, i + 2), lo >= 0xDC00, lo < 0xE000
                    else { throw error("unpaired UTF-16 surrogate in a \\u escape") }
                    i += 6
                    scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                } else if u >= 0xDC00 && u < 0xE000 {
                    throw error("unpaired UTF-16 surrogate in a \\u escape")
                }
                appendUTF8(scalar)
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string")
            }
        }
    }

    private func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt16? {
        guard at + 4 <= raw.count else { return nil }
        var v: UInt16 = 0
        for k in at..<(at + 4) {
            guard let d = IDParser.hexValue(raw[k]) else { return nil }
            v = (v << 4) | UInt16(d)
        }
        return v
    }

    private func appendUTF8(_ s: UInt32) {
        switch s {
        case 0..<0x80:
            scratch.append(UInt8(s))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (s >> 6)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (s >> 12)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (s >> 18)))
            scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    // MARK: Whole values

    /// Skips one value of any kind, validating it. Iterative, so depth costs no stack.
    public func skipValue() throws(InputError) {
        var stack: [UInt8] = []  // open containers: '{' or '['
        var expectKey = false
        repeat {
            if expectKey {
                // Inside an object, after '{' or ',': a key, then ':'.
                _ = try readStringBytes()
                try expectByte(UInt8(ascii: ":"), "':' after a key")
                expectKey = false
            }
            guard let c = try peek() else { throw unexpected("a value") }
            switch c {
            case UInt8(ascii: "{"):
                pos += 1
                try enter()
                if try peek() == UInt8(ascii: "}") {
                    pos += 1
                    depth -= 1
                } else {
                    stack.append(c)
                    expectKey = true
                    continue
                }
            case UInt8(ascii: "["):
                pos += 1
                try enter()
                if try peek() == UInt8(ascii: "]") {
                    pos += 1
                    depth -= 1
                } else {
                    stack.append(c)
                    continue
                }
            case UInt8(ascii: "\""):
                _ = try readRawStringBody()
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                _ = try readBool()
            case UInt8(ascii: "n"):
                _ = try readNullIfPresent()
            default:
                _ = try readNumberBytes()
            }
            // After a complete value: close containers or move to the next item.
            while let open = stack.last {
                let closer = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard let c = try peek() else { throw unexpected("',' or '\(Character(Unicode.Scalar(closer)))'") }
                if c == closer {
                    pos += 1
                    depth -= 1
                    stack.removeLast()
                    continue
                }
                guard c == UInt8(ascii: ",") else {
                    throw unexpected("',' or '\(Character(Unicode.Scalar(closer)))'")
                }
                pos += 1
                if open == UInt8(ascii: "{") { expectKey = true }
                break
            }
        } while !stack.isEmpty
    }
}

/// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
public enum UTF8Validation {
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c < 0x80 {
                i += 1
                continue
            }
            func cont(_ k: Int) -> Bool { k < n && bytes[k] & 0xC0 == 0x80 }
            switch c {
            case 0xC2...0xDF:
                guard cont(i + 1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard cont(i + 1), cont(i + 2) else { return false }
                let c1 = bytes[i + 1]
                if c == 0xE0 && c1 < 0xA0 { return false }
                if c == 0xED && c1 >= 0xA0 { return false }
                i += 3
            case 0xF0...0xF4:
                guard cont(i + 1), cont(i + 2), cont(i + 3) else { return false }
                let c1 = bytes[i + 1]
                if c == 0xF0 && c1 < 0x90 { return false }
                if c == 0xF4 && c1 >= 0x90 { return false }
                i += 4
            default:
                return false
            }
        }
        return true
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
