// A JSON value built by hand, for documents that embed JSON the database already holds (span
// attributes, events) and must keep its keys as written: JSONEncoder's snake_case strategy would
// rewrite the keys of embedded dictionaries too. Printed like JSONReport (two-space indent,
// `"key" : value`, keys sorted, empty collections on one line).

/// A JSON document or part of one.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as its JSON text (kept as written: 64-bit integers stay exact).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in insertion order (printed sorted by key).
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public static func int<T: BinaryInteger>(_ value: T) -> JSONValue { .number(String(value)) }

    /// Four decimals at most (stable across platforms); integral values without a fraction.
    public static func double(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        let rounded = (value * 10_000).rounded() / 10_000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return .number(String(Int64(rounded))) }
        return .number("\(rounded)")
    }

    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    public static func optional<T: BinaryInteger>(_ value: T?) -> JSONValue {
        guard let value else { return .null }
        return .int(value)
    }
    public static func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The text, pretty-printed, ending in a newline.
    public func rendered() -> String {
        let out = JSONBuffer(capacity: 1024)
        write(to: out, indent: 0)
        out.append(UInt8(ascii: "\n"))
        return out.string
    }

    /// On one line, without spaces (for embedding in HTML).
    public func compact() -> String {
        let out = JSONBuffer(capacity: 256)
        writeCompact(to: out)
        return out.string
    }

    /// Appends the value pretty-printed, as if it stood `indent` levels deep (no newline after);
    /// values `compactFrom` levels deep or deeper on one line.
    func write(to out: JSONBuffer, indent: Int, compactFrom: Int = .max) {
        if indent >= compactFrom { return writeCompact(to: out) }
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append("[\n")
            for (k, item) in items.enumerated() {
                Self.appendPad(indent + 1, to: out)
                item.write(to: out, indent: indent + 1, compactFrom: compactFrom)
                out.append(k < items.count - 1 ? ",\n" : "\n")
            }
            Self.appendPad(indent, to: out)
            out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            out.append("{\n")
            let sorted = Self.sortedByKey(members)
            for (k, member) in sorted.enumerated() {
                Self.appendPad(indent + 1, to: out)
                Self.appendQuoted(member.0, to: out)
                out.append(" : ")
                member.1.write(to: out, indent: indent + 1, compactFrom: compactFrom)
                out.append(k < sorted.count - 1 ? ",\n" : "\n")
            }
            Self.appendPad(indent, to: out)
            out.append(UInt8(ascii: "}"))
        default:
            writeCompact(to: out)
        }
    }

    /// Two spaces per level.
    static func appendPad(_ levels: Int, to out: JSONBuffer) {
        for _ in 0..<levels { out.append("  ") }
    }

    /// Members sorted by key (equal keys in insertion order); members already in order (as the
    /// objects written for every span are built) are returned as they are, without sorting.
    static func sortedByKey(_ members: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var ordered = true
        for k in members.indices.dropFirst() where !(members[k - 1].0 < members[k].0) {
            ordered = false
            break
        }
        if ordered { return members }
        return members.enumerated().sorted { a, b in
            a.element.0 != b.element.0 ? a.element.0 < b.element.0 : a.offset < b.offset
        }.map(\.element)
    }

    /// Appends the value on one line, without spaces.
    func writeCompact(to out: JSONBuffer) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .number(let n): Self.appendRaw(n, to: out)
        case .string(let s): Self.appendQuoted(s, to: out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                item.writeCompact(to: out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (k, member) in Self.sortedByKey(members).enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendQuoted(member.0, to: out)
                out.append(UInt8(ascii: ":"))
                member.1.writeCompact(to: out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `s` as a JSON string: quotes, backslashes and control characters (C0, DEL, C1) escaped, the
    /// rest as is.
    static func quoted(_ s: String) -> String {
        let out = JSONBuffer(capacity: s.utf8.count + 2)
        appendQuoted(s, to: out)
        return out.string
    }

    static func appendRaw(_ s: String, to out: JSONBuffer) {
        var s = s
        s.withUTF8 { out.appendRaw($0) }
    }

    /// Appends `s` as a JSON string to `out` (as `quoted`).
    static func appendQuoted(_ s: String, to out: JSONBuffer) {
        var s = s
        s.withUTF8 { appendQuoted($0, to: out) }
    }

    /// Appends UTF-8 `bytes` as a JSON string: runs of bytes that need no escape are copied whole.
    /// C0 as JSON requires; DEL and C1 too (a terminal may act on them), and the line separators
    /// U+2028 and U+2029, which JavaScript does not allow in strings.
    static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to out: JSONBuffer) {
        out.append(UInt8(ascii: "\""))
        let n = bytes.count
        var run = 0
        var i = 0
        while i < n {
            let c = bytes[i]
            if c >= 0x20 && c < 0x7F && c != 0x22 && c != 0x5C {
                i += 1
                continue
            }
            var scalar = UInt32(c)
            var width = 1
            if c >= 0x80 {
                if c == 0xC2, i + 1 < n, (0x80...0x9F).contains(bytes[i + 1]) {
                    scalar = UInt32(bytes[i + 1])
                    width = 2
                } else if c == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                    scalar = 0x2000 | UInt32(bytes[i + 2] - 0x80)
                    width = 3
                } else {
                    i += 1
                    continue
                }
            }
            out.appendRaw(UnsafeBufferPointer(rebasing: bytes[run..<i]))
            switch scalar {
            case 0x22: out.append("\\\"")
            case 0x5C: out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0x08: out.append("\\b")
            case 0x0C: out.append("\\f")
            default:
                out.append("\\u")
                for shift in stride(from: 12, through: 0, by: -4) {
                    out.append(HexID.digits[Int((scalar >> UInt32(shift)) & 0xF)])
                }
            }
            i += width
            run = i
        }
        out.appendRaw(UnsafeBufferPointer(rebasing: bytes[run..<n]))
        out.append(UInt8(ascii: "\""))
    }
}
