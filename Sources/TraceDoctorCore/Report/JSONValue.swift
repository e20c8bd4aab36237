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
        var out = ""
        write(to: &out, indent: 0)
        return out + "\n"
    }

    /// On one line, without spaces (for embedding in HTML).
    public func compact() -> String {
        var out = ""
        writeCompact(to: &out)
        return out
    }

    /// Appends the value pretty-printed, as if it stood `indent` levels deep (no newline after);
    /// values `compactFrom` levels deep or deeper on one line.
    func write(to out: inout String, indent: Int, compactFrom: Int = .max) {
        if indent >= compactFrom { return writeCompact(to: &out) }
        let pad = String(repeating: "  ", count: indent + 1)
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (k, item) in items.enumerated() {
                out += pad
                item.write(to: &out, indent: indent + 1, compactFrom: compactFrom)
                out += k < items.count - 1 ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let sorted = Self.sortedByKey(members)
            for (k, member) in sorted.enumerated() {
                out += pad
                Self.appendQuoted(member.0, to: &out)
                out += " : "
                member.1.write(to: &out, indent: indent + 1, compactFrom: compactFrom)
                out += k < sorted.count - 1 ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        default:
            writeCompact(to: &out)
        }
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
    func writeCompact(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): Self.appendQuoted(s, to: &out)
        case .array(let items):
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += "," }
                item.writeCompact(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (k, member) in Self.sortedByKey(members).enumerated() {
                if k > 0 { out += "," }
                Self.appendQuoted(member.0, to: &out)
                out += ":"
                member.1.writeCompact(to: &out)
            }
            out += "}"
        }
    }

    /// `s` as a JSON string: quotes, backslashes and control characters (C0, DEL, C1) escaped, the
    /// rest as is.
    static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

    /// Whether `s` is printable ASCII without a quote or backslash (most keys, IDs and names).
    private static func isPlain(_ s: String) -> Bool {
        func plain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            for b in bytes where b < 0x20 || b >= 0x7F || b == 0x22 || b == 0x5C { return false }
            return true
        }
        if let fast = s.utf8.withContiguousStorageIfAvailable(plain) { return fast }
        return s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
    }

    /// Appends `s` as a JSON string to `out` (as `quoted`, without an intermediate string).
    static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        if isPlain(s) {
            out += s
            out += "\""
            return
        }
        appendEscaped(s, to: &out)
        out += "\""
    }

    private static func appendEscaped(_ s: String, to out: inout String) {
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                // C0 as JSON requires; DEL and C1 too (a terminal may act on them), and the
                // line separators JavaScript does not allow in strings.
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
                    || scalar.value == 0x2029
                {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
    }
}
