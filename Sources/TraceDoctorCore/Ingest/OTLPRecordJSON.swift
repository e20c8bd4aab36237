// The JSON the store keeps for OTLP span events, links and attribute values, written in one
// canonical layout by both the OTLP/JSON and the OTLP protobuf reader: the same data gives the
// same bytes whichever encoding (and whichever JSON writer, key order or escaping) it came in.

/// Canonical JSON pieces of OTLP records.
enum OTLPRecordJSON {
    /// Appends `{"name":…,"attributes":{…},"time_ns":…},` to a span's events array.
    /// - Parameters:
    ///   - name: a whole JSON string (`"exception"`), or nothing for the empty name.
    ///   - attributes: a whole JSON object, or nothing; left out when it has no members (protobuf
    ///     cannot tell an empty list from a missing one).
    static func appendEvent(to out: JSONBuffer, name: JSONBuffer, attributes: JSONBuffer, timeNs: Int64?) {
        out.append("{\"name\":")
        if name.isEmpty { out.append("\"\"") } else { out.appendRaw(name.buffer) }
        if hasMembers(attributes) {
            out.append(",\"attributes\":")
            out.appendRaw(attributes.buffer)
        }
        out.append(",\"time_ns\":")
        if let timeNs { out.appendInt(timeNs) } else { out.append("null") }
        out.append("},")
    }

    /// Appends `{"trace_id":…,"span_id":…,"trace_state":…,"attributes":{…},"flags":…},` to a
    /// span's links array, leaving out what is absent, empty or zero.
    /// - Parameters:
    ///   - traceState: a whole JSON string, or nothing; left out when it is `""`.
    ///   - attributes: a whole JSON object, or nothing; left out when it has no members.
    static func appendLink(
        to out: JSONBuffer, traceID: TraceID?, spanID: SpanID?, traceState: JSONBuffer, attributes: JSONBuffer, flags: UInt64
    ) {
        out.append(UInt8(ascii: "{"))
        if let traceID {
            out.appendKey("trace_id")
            out.appendHex(traceID)
            out.append(UInt8(ascii: ","))
        }
        if let spanID {
            out.appendKey("span_id")
            out.appendHex(spanID)
            out.append(UInt8(ascii: ","))
        }
        if traceState.count > 2 {
            out.appendKey("trace_state")
            out.appendRaw(traceState.buffer)
            out.append(UInt8(ascii: ","))
        }
        if hasMembers(attributes) {
            out.appendKey("attributes")
            out.appendRaw(attributes.buffer)
            out.append(UInt8(ascii: ","))
        }
        if flags != 0 {
            out.appendKey("flags")
            out.appendUInt(flags)
            out.append(UInt8(ascii: ","))
        }
        out.dropTrailingComma()
        out.append("},")
    }

    /// Whether `object` holds a JSON object with at least one member (more than `{}`).
    static func hasMembers(_ object: JSONBuffer) -> Bool { object.count > 2 }

    /// Adds `"key":"value"` to a complete JSON object (`{}` or `{…}`), or makes `{"key":"value"}`
    /// of an empty buffer. Nothing is added when the object already has that key.
    static func addStringMember(_ key: StaticString, _ value: [UInt8], to object: JSONBuffer) {
        var quotedKey = [UInt8](repeating: UInt8(ascii: "\""), count: key.utf8CodeUnitCount + 3)
        quotedKey.withUnsafeMutableBufferPointer { q in
            (q.baseAddress! + 1).update(from: key.utf8Start, count: key.utf8CodeUnitCount)
        }
        quotedKey[quotedKey.count - 1] = UInt8(ascii: ":")
        if contains(object.buffer, quotedKey) { return }
        if object.isEmpty {
            object.append(UInt8(ascii: "{"))
        } else {
            object.truncate(to: object.count - 1)
            if object.count > 1 { object.append(UInt8(ascii: ",")) }
        }
        object.appendRaw(quotedKey)
        object.appendString(value)
        object.append(UInt8(ascii: "}"))
    }

    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) {
            var i = 0
            while i < needle.count, haystack[start + i] == needle[i] { i += 1 }
            if i == needle.count { return true }
        }
        return false
    }

    /// A double as the shortest JSON number that reads back as the same value (`1.5`, `5.0`,
    /// `1e-05`), or as the string `"NaN"`, `"Infinity"`, `"-Infinity"` (protobuf's JSON mapping).
    static func appendDouble(_ value: Double, to out: JSONBuffer) {
        if value.isNaN {
            out.append("\"NaN\"")
        } else if value.isInfinite {
            out.append(value < 0 ? "\"-Infinity\"" : "\"Infinity\"")
        } else {
            out.appendRaw(Array(value.description.utf8))
        }
    }

    private static let base64Digits: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Bytes as a JSON string of standard, padded base64 (protobuf's JSON mapping of `bytes`).
    static func appendBase64(_ bytes: UnsafeRawBufferPointer, to out: JSONBuffer) {
        out.reserve((bytes.count + 2) / 3 * 4 + 2)
        out.append(UInt8(ascii: "\""))
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(base64Digits[Int((v >> 18) & 63)])
            out.append(base64Digits[Int((v >> 12) & 63)])
            out.append(base64Digits[Int((v >> 6) & 63)])
            out.append(base64Digits[Int(v & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var v = UInt32(bytes[i]) << 16
            if rest == 2 { v |= UInt32(bytes[i + 1]) << 8 }
            out.append(base64Digits[Int((v >> 18) & 63)])
            out.append(base64Digits[Int((v >> 12) & 63)])
            out.append(rest == 2 ? base64Digits[Int((v >> 6) & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        out.append(UInt8(ascii: "\""))
    }
}
