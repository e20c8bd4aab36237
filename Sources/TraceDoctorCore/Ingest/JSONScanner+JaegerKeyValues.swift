// Jaeger's typed key-values (`{"key": …, "type": "int64", "value": …}` in span tags, log fields
// and process tags) turned into the plain JSON members the store keeps, so that SQL reads
// `attributes->>'http.status_code'` whatever the format. An int64 that a writer quoted (JSON
// numbers lose precision above 2^53, so the Jaeger UI quotes them) becomes a number again.

extension JSONScanner {
    /// Where one key-value landed in the output, for callers that look at particular keys.
    struct JaegerKeyValue {
        /// The key's JSON string body (without quotes) in the output buffer.
        var key: Range<Int>
        /// The rendered JSON value in the output buffer.
        var value: Range<Int>
        /// A value that does not match its declared type (the record is then bad).
        var problem: InputError?

        func keyIs(_ name: StaticString, in out: JSONBuffer) -> Bool {
            UnsafeBufferPointer(rebasing: out.buffer[key]).equals(name)
        }

        /// The value's string body (JSON-escaped) when the value is a string.
        func stringBody(in out: JSONBuffer) -> UnsafeBufferPointer<UInt8>? {
            let text = UnsafeBufferPointer(rebasing: out.buffer[value])
            guard text.count >= 2, text.first == UInt8(ascii: "\"") else { return nil }
            return UnsafeBufferPointer(rebasing: text[(text.startIndex + 1)..<(text.endIndex - 1)])
        }

        /// True for `true` and `"true"`.
        func isTrue(in out: JSONBuffer) -> Bool {
            let text = UnsafeBufferPointer(rebasing: out.buffer[value])
            return text.equals("true") || text.equals("\"true\"")
        }
    }

    /// The value types Jaeger declares (`ValueType` in its model).
    private enum JaegerType {
        case string, bool, int64, float64, binary, undeclared

        /// From the type's name in either case (`int64` in the UI's JSON, `INT64` in protobuf's).
        init(_ name: UnsafeBufferPointer<UInt8>) {
            if name.equalsIgnoringCase("string") {
                self = .string
            } else if name.equalsIgnoringCase("bool") {
                self = .bool
            } else if name.equalsIgnoringCase("int64") {
                self = .int64
            } else if name.equalsIgnoringCase("float64") {
                self = .float64
            } else if name.equalsIgnoringCase("binary") {
                self = .binary
            } else {
                self = .undeclared
            }
        }
    }

    /// Reads a list of key-values, appending `"key":value,` to `out` for each and calling
    /// `each` after each one. `scratch` is working space.
    func readJaegerKeyValues(
        into out: JSONBuffer, scratch: JSONBuffer, each: (JaegerKeyValue) -> Void
    ) throws(InputError) {
        if try readNullIfPresent() { return }
        var list = try beginArray()
        while try nextElement(&list) {
            each(try readJaegerKeyValue(into: out, scratch: scratch))
        }
    }

    /// One `{"key", "type", "value"}` (in any order) as `"key":value,`.
    func readJaegerKeyValue(into out: JSONBuffer, scratch: JSONBuffer) throws(InputError) -> JaegerKeyValue {
        let start = position
        var obj = try beginObject()
        scratch.reset()
        var keyRange: Range<Int>?
        var valueRange: Range<Int>?
        var valueKind = JSONValueKind.null
        var type = JaegerType.undeclared
        while let name = try nextKey(&obj) {
            if name.equals("key") {
                let (body, _) = try readRawStringBody()
                let at = scratch.count
                scratch.appendRaw(body)
                keyRange = at..<scratch.count
            } else if name.equals("type") {
                if try readNullIfPresent() { continue }
                type = JaegerType(try readStringBytes())
            } else if name.equals("value") {
                valueKind = try kind()
                let at = scratch.count
                switch valueKind {
                case .string: scratch.appendRaw(try readRawStringBody().body)
                case .number: scratch.appendRaw(try readNumberBytes())
                case .bool: scratch.append(try readBool() ? "true" : "false")
                case .null: _ = try readNullIfPresent()
                case .object, .array: try copyValue(into: scratch)
                }
                valueRange = at..<scratch.count
            } else {
                try skipValue()
            }
        }
        let mark = out.count
        out.append(UInt8(ascii: "\""))
        if let keyRange { out.appendRaw(UnsafeBufferPointer(rebasing: scratch.buffer[keyRange])) }
        out.append(UInt8(ascii: "\""))
        let key = (mark + 1)..<(out.count - 1)
        out.append(UInt8(ascii: ":"))
        let valueStart = out.count
        var problem: InputError?
        if keyRange == nil {
            problem = InputError("tag has no \"key\"", at: start)
        }
        if let valueRange {
            let raw = UnsafeBufferPointer(rebasing: scratch.buffer[valueRange])
            if let message = Self.renderJaegerValue(raw, kind: valueKind, type: type, into: out) {
                let keyText = keyRange.map { String(decoding: UnsafeBufferPointer(rebasing: scratch.buffer[$0]), as: UTF8.self) } ?? ""
                problem = problem ?? InputError("tag '\(keyText)': \(message)", at: start)
            }
        } else {
            out.append("null")
        }
        let value = valueStart..<out.count
        out.append(UInt8(ascii: ","))
        return JaegerKeyValue(key: key, value: value, problem: problem)
    }

    /// Writes `raw` (a value of `kind`; a string's raw body) as JSON of the declared `type`.
    /// Returns what is wrong when the value does not fit the type (then `null` is written).
    private static func renderJaegerValue(
        _ raw: UnsafeBufferPointer<UInt8>, kind: JSONValueKind, type: JaegerType, into out: JSONBuffer
    ) -> String? {
        if kind == .null {
            out.append("null")
            return nil
        }
        func quoted() { out.appendQuotedRaw(raw) }
        func mismatch(_ expected: String) -> String {
            out.append("null")
            let shown = kind == .string ? "\"" + String(decoding: raw.prefix(48), as: UTF8.self) + "\"" : String(decoding: raw.prefix(48), as: UTF8.self)
            return "value \(shown) is not \(expected)"
        }
        switch type {
        case .undeclared:
            if kind == .string { quoted() } else { out.appendRaw(raw) }
        case .string:
            switch kind {
            case .string: quoted()
            case .number, .bool: quoted()  // digits and true/false need no escaping
            default: out.appendString(raw)
            }
        case .bool:
            if kind == .bool {
                out.appendRaw(raw)
            } else if kind == .string, raw.equals("true") || raw.equals("false") {
                out.appendRaw(raw)
            } else {
                return mismatch("a bool")
            }
        case .int64:
            guard kind == .number || kind == .string, let value = int64Value(raw) else { return mismatch("an int64") }
            out.appendInt(value)
        case .float64:
            if kind == .number {
                out.appendRaw(raw)
            } else if kind == .string, raw.equals("NaN") || raw.equals("Infinity") || raw.equals("-Infinity") {
                quoted()
            } else if kind == .string, isValidNumber(raw) {
                out.appendRaw(raw)
            } else {
                return mismatch("a float64")
            }
        case .binary:
            guard kind == .string else { return mismatch("binary (a base64 string)") }
            quoted()
        }
        return nil
    }

    /// `-?[0-9]+` within the range of a signed 64-bit integer, or nil.
    static func int64Value(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var body = text
        var negative = false
        if body.first == UInt8(ascii: "-") {
            negative = true
            body = UnsafeBufferPointer(rebasing: body[(body.startIndex + 1)...])
        }
        guard let magnitude = IDParser.parseDecimal64(body) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
