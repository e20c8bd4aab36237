// OTLP/JSON `KeyValue` lists and `AnyValue`s, turned into the plain JSON objects the store
// keeps (`{"http.method":"GET","http.status_code":200}`), which SQL can query with `->>`.
// Strings, doubles and bytes are written in `OTLPRecordJSON`'s canonical spelling, the same the
// protobuf reader writes.

extension JSONScanner {
    /// Reads an OTLP `[KeyValue]` array and appends its pairs to `out` as the members of a
    /// JSON object (without the braces, each followed by a comma).
    func readOTLPKeyValues(into out: JSONBuffer) throws(InputError) {
        var noCapture: [UInt8]? = nil
        try readOTLPKeyValues(into: out, serviceName: &noCapture)
    }

    /// The same, capturing the string value of `service.name` into `serviceName` unless it
    /// is nil.
    func readOTLPKeyValues(into out: JSONBuffer, serviceName: inout [UInt8]?) throws(InputError) {
        if try readNullIfPresent() { return }
        var list = try beginArray()
        while try nextElement(&list) {
            try readOTLPKeyValue(into: out, serviceName: &serviceName)
        }
    }

    /// One `{"key": ..., "value": AnyValue}` as `"key":value,`.
    func readOTLPKeyValue(into out: JSONBuffer, serviceName: inout [UInt8]?) throws(InputError) {
        let start = position
        var state = KeyValueState(mark: out.count, capture: serviceName != nil)
        var obj: JSONContainer
        // Compact JSON as exporters write it, matched literally; anything else goes the long way.
        if try consume("{\"key\":") {
            obj = try enteredObject()
            try state.key(self, out, start)
            if try consume(",\"value\":") {
                try state.value(self, out, start)
            }
        } else {
            obj = try beginObject()
        }
        while let key = try nextKey(&obj) {
            if key.equals("key") {
                try state.key(self, out, start)
            } else if key.equals("value") {
                try state.value(self, out, start)
            } else {
                try skipValue()
            }
        }
        guard state.keyWritten else {
            out.truncate(to: state.mark)
            throw InputError("attribute has no \"key\"", at: start)
        }
        // A key without a value: OTLP's empty AnyValue.
        if !state.valueWritten { out.append("null") }
        out.append(UInt8(ascii: ","))
        if state.isServiceName, let captured = state.capturedService, serviceName != nil {
            serviceName = captured
        }
    }

    /// What one KeyValue has written so far.
    private struct KeyValueState {
        let mark: Int
        let capture: Bool
        var keyWritten = false
        var valueWritten = false
        var isServiceName = false
        var capturedService: [UInt8]?

        init(mark: Int, capture: Bool) {
            self.mark = mark
            self.capture = capture
        }

        mutating func key(_ s: JSONScanner, _ out: JSONBuffer, _ start: SourcePosition) throws(InputError) {
            guard !keyWritten else { throw InputError("attribute has two \"key\"s", at: start) }
            // The value may have come first (rare): then the key goes in front of it.
            let value = valueWritten ? Array(UnsafeBufferPointer(rebasing: out.buffer[mark...])) : nil
            out.truncate(to: mark)
            try s.readCanonicalString(into: out)
            isServiceName = capture && UnsafeBufferPointer(rebasing: out.buffer[mark...]).equals("\"service.name\"")
            out.append(UInt8(ascii: ":"))
            if let value { out.appendRaw(value) }
            keyWritten = true
        }

        mutating func value(_ s: JSONScanner, _ out: JSONBuffer, _ start: SourcePosition) throws(InputError) {
            guard !valueWritten else { throw InputError("attribute has two \"value\"s", at: start) }
            if capture, try s.kind() == .object {
                capturedService = try s.readOTLPAnyValue(into: out, captureString: true)
            } else {
                try s.readOTLPAnyValue(into: out, captureString: false)
            }
            valueWritten = true
        }
    }

    /// An OTLP `AnyValue` as plain JSON. Returns the unescaped string when `captureString`
    /// and the value is a `stringValue`.
    @discardableResult
    func readOTLPAnyValue(into out: JSONBuffer, captureString: Bool) throws(InputError) -> [UInt8]? {
        if try readNullIfPresent() {
            out.append("null")
            return nil
        }
        let start = position
        var obj: JSONContainer
        var wrote = false
        var captured: [UInt8]?
        // Compact JSON as exporters write it: the common value kinds matched literally.
        if !captureString, try consume("{\"stringValue\":") {
            obj = try enteredObject()
            try readCanonicalString(into: out)
            wrote = true
        } else if try consume("{\"intValue\":") {
            obj = try enteredObject()
            out.appendInt(try readInt64Flexible("intValue"))
            wrote = true
        } else {
            obj = try beginObject()
        }
        while let key = try nextKey(&obj) {
            if key.equals("stringValue", or: "string_value") {
                try ensureSingle(&wrote, start)
                if captureString {
                    let text = try readStringBytes()
                    captured = Array(text)
                    out.appendString(text)
                } else {
                    try readCanonicalString(into: out)
                }
            } else if key.equals("intValue", or: "int_value") {
                try ensureSingle(&wrote, start)
                out.appendInt(try readInt64Flexible("intValue"))
            } else if key.equals("doubleValue", or: "double_value") {
                try ensureSingle(&wrote, start)
                try readOTLPDouble(into: out)
            } else if key.equals("boolValue", or: "bool_value") {
                try ensureSingle(&wrote, start)
                if try kind() == .string {
                    // Some writers quote booleans.
                    let text = try readStringBytes()
                    guard text.equals("true") || text.equals("false") else {
                        throw InputError("boolValue \(Self.quote(text)) is not true or false", at: start)
                    }
                    out.appendRaw(text)
                } else {
                    out.append(try readBool() ? "true" : "false")
                }
            } else if key.equals("bytesValue", or: "bytes_value") {
                try ensureSingle(&wrote, start)
                let text = try readStringBytes()
                if let bytes = Base64.decode(text) {
                    bytes.withUnsafeBytes { OTLPRecordJSON.appendBase64($0, to: out) }
                } else {
                    // Not base64 (some writers use hex): kept as written.
                    out.appendString(text)
                }
            } else if key.equals("arrayValue", or: "array_value") {
                try ensureSingle(&wrote, start)
                out.append(UInt8(ascii: "["))
                try readOTLPValuesWrapper { (s) throws(InputError) in
                    var list = try s.beginArray()
                    while try s.nextElement(&list) {
                        try s.readOTLPAnyValue(into: out, captureString: false)
                        out.append(UInt8(ascii: ","))
                    }
                }
                out.dropTrailingComma()
                out.append(UInt8(ascii: "]"))
            } else if key.equals("kvlistValue", or: "kvlist_value") {
                try ensureSingle(&wrote, start)
                out.append(UInt8(ascii: "{"))
                try readOTLPValuesWrapper { (s) throws(InputError) in
                    try s.readOTLPKeyValues(into: out)
                }
                out.dropTrailingComma()
                out.append(UInt8(ascii: "}"))
            } else {
                try skipValue()
            }
        }
        if !wrote { out.append("null") }
        return captured
    }

    /// `{"values": [...]}`, the wrapper of array and kvlist values.
    private func readOTLPValuesWrapper(_ body: (JSONScanner) throws(InputError) -> Void) throws(InputError) {
        if try readNullIfPresent() { return }
        var obj = try beginObject()
        while let key = try nextKey(&obj) {
            if key.equals("values") {
                if try readNullIfPresent() { continue }
                try body(self)
            } else {
                try skipValue()
            }
        }
    }

    private func ensureSingle(_ wrote: inout Bool, _ start: SourcePosition) throws(InputError) {
        if wrote { throw InputError("attribute value has more than one of stringValue, intValue, …", at: start) }
        wrote = true
    }

    /// A double in `OTLPRecordJSON.appendDouble`'s canonical spelling: `1.50`, `1.5e0` and
    /// `"1.5"` all become `1.5`; NaN and the infinities become strings.
    private func readOTLPDouble(into out: JSONBuffer) throws(InputError) {
        let start = position
        let text: UnsafeBufferPointer<UInt8>
        switch try kind() {
        case .number:
            text = try readNumberBytes()
        case .string:
            text = try readStringBytes()
            if text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity") {
                out.appendString(text)
                return
            }
            guard JSONScanner.isValidNumber(text) else {
                throw InputError("doubleValue \(Self.quote(text)) is not a number", at: start)
            }
        default:
            throw unexpected("doubleValue as a number")
        }
        guard let value = Double(String(decoding: text, as: UTF8.self)) else {
            throw InputError("doubleValue \(Self.quote(text)) is not a number", at: start)
        }
        OTLPRecordJSON.appendDouble(value, to: out)
    }
}
