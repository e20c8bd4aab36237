// Writes one JSON object member by member straight into bytes, laid out exactly as `JSONValue`
// prints an object at the same depth (pretty, or on one line from `compactFrom` on), without
// building a `JSONValue` first: `explain --format json` writes every node of a 100,000-span trace
// this way. The caller gives the members in key order (JSONValue prints keys sorted).

/// One JSON object being written to a `JSONBuffer`.
struct JSONObjectWriter {
    let out: JSONBuffer
    /// The depth of the object itself (its members stand one deeper).
    let indent: Int
    let compactFrom: Int
    private let compact: Bool
    private var members = 0

    init(_ out: JSONBuffer, indent: Int, compactFrom: Int) {
        self.out = out
        self.indent = indent
        self.compactFrom = compactFrom
        compact = indent >= compactFrom
        out.append(UInt8(ascii: "{"))
    }

    /// Starts the member `key` (its value follows).
    mutating func key(_ key: StaticString) {
        if compact {
            if members > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(key)
            out.append("\":")
        } else {
            out.append(members > 0 ? ",\n" : "\n")
            JSONValue.appendPad(indent + 1, to: out)
            out.append(UInt8(ascii: "\""))
            out.append(key)
            out.append("\" : ")
        }
        members += 1
    }

    mutating func int(_ key: StaticString, _ value: Int64?) {
        self.key(key)
        if let value { out.appendInt(value) } else { out.append("null") }
    }

    mutating func int(_ key: StaticString, _ value: Int?) { int(key, value.map(Int64.init)) }

    mutating func string(_ key: StaticString, _ value: String?) {
        self.key(key)
        if let value { JSONValue.appendQuoted(value, to: out) } else { out.append("null") }
    }

    mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        out.append(value ? "true" : "false")
    }

    /// A lowercase hex ID as a string.
    mutating func hex(_ key: StaticString, _ id: SpanID?) {
        self.key(key)
        if let id { out.appendHex(id) } else { out.append("null") }
    }

    mutating func hex(_ key: StaticString, _ id: TraceID) {
        self.key(key)
        out.appendHex(id)
    }

    /// An array of integers (node and log indexes).
    mutating func ints(_ key: StaticString, _ values: [Int]) {
        self.key(key)
        guard !values.isEmpty else { return out.append("[]") }
        if indent + 1 >= compactFrom {
            out.append(UInt8(ascii: "["))
            for (k, v) in values.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out.appendInt(Int64(v))
            }
            out.append(UInt8(ascii: "]"))
        } else {
            JSONValue.array(values.map(JSONValue.int)).write(to: out, indent: indent + 1, compactFrom: compactFrom)
        }
    }

    mutating func value(_ key: StaticString, _ value: JSONValue) {
        self.key(key)
        value.write(to: out, indent: indent + 1, compactFrom: compactFrom)
    }

    /// Closes the object.
    func end() {
        if !compact && members > 0 {
            out.append(UInt8(ascii: "\n"))
            JSONValue.appendPad(indent, to: out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
