// One JSON log object into a LogRecord: interpreted keys into columns (see LogField), every
// other member copied into the attributes object as written, nested objects included.

/// Reads the members of one JSON log object with a shared scanner.
final class JSONLogRecordParser {
    /// A record whose attributes grow past this is refused (memory stays bounded).
    static let maxRecordBytes = 16 << 20

    private let s: JSONScanner
    private let fields = LogFieldSet()
    private var keyCopy: [UInt8] = []
    private var nestedKey: [UInt8] = []
    private var value: [UInt8] = []
    private var valueIsString = true

    init(scanner: JSONScanner) {
        s = scanner
    }

    /// Starts a record: resets it and opens its attributes.
    func begin(_ record: LogRecord, line: Int, position: SourcePosition) {
        record.reset()
        record.line = line
        record.position = position
        record.attributes.append(UInt8(ascii: "{"))
        fields.reset()
    }

    /// Reads the remaining members of the object whose `{` (and maybe first keys) were read.
    func readMembers(_ object: inout JSONContainer, into record: LogRecord) throws(InputError) {
        while let key = try s.nextKey(&object) {
            try member(key, into: record)
        }
    }

    /// Ends a record: interpreted fields into columns, attributes closed.
    func finish(_ record: LogRecord) {
        fields.apply(to: record)
        record.attributes.dropTrailingComma()
        record.attributes.append(UInt8(ascii: "}"))
    }

    /// One top-level member. `key` is valid only until the next scanner call.
    func member(_ key: UnsafeBufferPointer<UInt8>, into record: LogRecord) throws(InputError) {
        let field = LogField.classify(key)
        let nesting = LogField.isNestingKey(key)
        let out = record.attributes
        if field == nil && !nesting {
            out.appendString(key)
            out.append(UInt8(ascii: ":"))
            try s.copyValue(into: out)
            out.append(UInt8(ascii: ","))
            try checkSize(record)
            return
        }
        keyCopy.removeAll(keepingCapacity: true)
        keyCopy.append(contentsOf: key)
        let kind = try s.kind()
        if kind == .object && nesting {
            try nested(into: record)
        } else if let field, kind != .object && kind != .array {
            if try !scalar(field, kind: kind, rank: 1, key: keyCopy) {
                out.appendString(keyCopy)
                out.append(UInt8(ascii: ":"))
                appendValue(to: out)
                out.append(UInt8(ascii: ","))
            }
        } else {
            out.appendString(keyCopy)
            out.append(UInt8(ascii: ":"))
            try s.copyValue(into: out)
            out.append(UInt8(ascii: ","))
        }
        try checkSize(record)
    }

    /// An object under a nesting key (`keyCopy`): members that name an interpreted field as
    /// `key.member` are taken; the rest stay in an object of the same name in the attributes.
    private func nested(into record: LogRecord) throws(InputError) {
        let out = record.attributes
        let mark = out.count
        out.appendString(keyCopy)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: "{"))
        let inner = out.count
        nestedKey.removeAll(keepingCapacity: true)
        nestedKey.append(contentsOf: keyCopy)
        nestedKey.append(UInt8(ascii: "."))
        let prefixLength = nestedKey.count
        var object = try s.beginObject()
        while let key = try s.nextKey(&object) {
            nestedKey.removeSubrange(prefixLength...)
            nestedKey.append(contentsOf: key)
            let field = nestedKey.withUnsafeBufferPointer { LogField.classify($0) }
            let kind = try s.kind()
            let memberMark = out.count
            nestedKey.withUnsafeBufferPointer { out.appendString(UnsafeBufferPointer(rebasing: $0[prefixLength...])) }
            out.append(UInt8(ascii: ":"))
            if let field, kind != .object && kind != .array {
                if try scalar(field, kind: kind, rank: 2, key: nestedKey) {
                    // Taken: drop the `"member":` written above.
                    out.truncate(to: memberMark)
                    continue
                }
                appendValue(to: out)
            } else {
                try s.copyValue(into: out)
            }
            out.append(UInt8(ascii: ","))
        }
        if out.count == inner {
            out.truncate(to: mark)
        } else {
            out.dropTrailingComma()
            out.append(UInt8(ascii: "}"))
            out.append(UInt8(ascii: ","))
        }
    }

    /// Reads a scalar and offers it for `field`. Returns whether the field took it; if not,
    /// the value is left in `value` / `valueIsString` for the caller to keep as an attribute.
    private func scalar(_ field: LogField, kind: JSONValueKind, rank: UInt8, key: [UInt8]) throws(InputError) -> Bool {
        value.removeAll(keepingCapacity: true)
        switch kind {
        case .string:
            value.append(contentsOf: try s.readStringBytes())
            valueIsString = true
        case .number:
            value.append(contentsOf: try s.readNumberBytes())
            valueIsString = false
        case .bool:
            value.append(contentsOf: (try s.readBool() ? "true" : "false").utf8)
            valueIsString = false
        case .null:
            // A field set to null has no value: nothing to keep.
            _ = try s.readNullIfPresent()
            return true
        case .object, .array:
            preconditionFailure("scalar() takes scalars only")
        }
        let isString = valueIsString
        return key.withUnsafeBufferPointer { k in
            value.withUnsafeBufferPointer { v in fields.offer(field, key: k, value: v, isString: isString, rank: rank) }
        }
    }

    /// Appends the value `scalar()` left behind.
    private func appendValue(to out: JSONBuffer) {
        if valueIsString { out.appendString(value) } else { out.appendRaw(value) }
    }

    private func checkSize(_ record: LogRecord) throws(InputError) {
        if record.attributes.count > Self.maxRecordBytes {
            throw s.error("this log record is larger than \(Self.maxRecordBytes >> 20) MiB")
        }
    }
}
