// One JSON log object into a LogRecord: interpreted keys into columns (see LogField), every
// other member copied into the attributes object as written, nested objects included.

/// Reads the members of one JSON log object with a shared scanner.
final class JSONLogRecordParser {
    /// A record whose attributes grow past this is refused (memory stays bounded).
    static let maxRecordBytes = 16 << 20

    private let s: JSONScanner
    private let fields = LogFieldSet()
    private var nestedKey: [UInt8] = []

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

    /// One top-level member. `key` is valid only until the next scanner call; interpreted
    /// and nesting keys are written back from the key table's static spellings, so no key is
    /// ever copied.
    func member(_ key: UnsafeBufferPointer<UInt8>, into record: LogRecord) throws(InputError) {
        let out = record.attributes
        let match = LogField.lookup(key)
        let nesting = LogField.nestingName(key)
        guard match != nil || nesting != nil else {
            out.appendString(key)
            out.append(UInt8(ascii: ":"))
            try s.copyValue(into: out)
            out.append(UInt8(ascii: ","))
            try checkSize(record)
            return
        }
        let kind = try s.kind()
        if kind == .object, let nesting {
            try nested(nesting, into: record)
        } else if let (name, field) = match, kind != .object && kind != .array {
            let mark = out.count
            Self.appendKey(name, to: out)
            if try scalar(field, name: name, kind: kind, rank: 1, orKeepIn: out) {
                out.truncate(to: mark)
            } else {
                out.append(UInt8(ascii: ","))
            }
        } else {
            Self.appendKey(match?.name ?? nesting!, to: out)
            try s.copyValue(into: out)
            out.append(UInt8(ascii: ","))
        }
        try checkSize(record)
    }

    /// An object under a nesting key: members that name an interpreted field as
    /// `key.member` are taken; the rest stay in an object of the same name in the attributes.
    private func nested(_ name: StaticString, into record: LogRecord) throws(InputError) {
        let out = record.attributes
        let mark = out.count
        Self.appendKey(name, to: out)
        out.append(UInt8(ascii: "{"))
        let inner = out.count
        nestedKey.removeAll(keepingCapacity: true)
        nestedKey.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        nestedKey.append(UInt8(ascii: "."))
        let prefixLength = nestedKey.count
        var object = try s.beginObject()
        while let key = try s.nextKey(&object) {
            nestedKey.removeSubrange(prefixLength...)
            nestedKey.append(contentsOf: key)
            let match = nestedKey.withUnsafeBufferPointer { LogField.lookup($0) }
            let kind = try s.kind()
            let memberMark = out.count
            nestedKey.withUnsafeBufferPointer { out.appendString(UnsafeBufferPointer(rebasing: $0[prefixLength...])) }
            out.append(UInt8(ascii: ":"))
            if let (fullName, field) = match, kind != .object && kind != .array {
                if try scalar(field, name: fullName, kind: kind, rank: 2, orKeepIn: out) {
                    // Taken: drop the `"member":` written above.
                    out.truncate(to: memberMark)
                    continue
                }
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

    /// Reads a scalar and offers it for `field` (whose key is spelled `name`). Returns whether
    /// the field took it; if not, the value is appended to `out` as written.
    private func scalar(_ field: LogField, name: StaticString, kind: JSONValueKind, rank: UInt8, orKeepIn out: JSONBuffer)
        throws(InputError) -> Bool
    {
        switch kind {
        case .string:
            let value = try s.readStringBytes()
            if fields.offer(field, key: name, value: value, isString: true, rank: rank) { return true }
            out.appendString(value)
        case .number:
            let value = try s.readNumberBytes()
            if fields.offer(field, key: name, value: value, isString: false, rank: rank) { return true }
            out.appendRaw(value)
        case .bool:
            let literal: StaticString = try s.readBool() ? "true" : "false"
            let value = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            if fields.offer(field, key: name, value: value, isString: false, rank: rank) { return true }
            out.append(literal)
        case .null:
            // A field set to null has no value: nothing to keep.
            _ = try s.readNullIfPresent()
            return true
        case .object, .array:
            preconditionFailure("scalar() takes scalars only")
        }
        return false
    }

    /// Appends `"name":` (the key table's spellings need no escaping).
    private static func appendKey(_ name: StaticString, to out: JSONBuffer) {
        out.append(UInt8(ascii: "\""))
        out.append(name)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    private func checkSize(_ record: LogRecord) throws(InputError) {
        if record.attributes.count > Self.maxRecordBytes {
            throw s.error("this log record is larger than \(Self.maxRecordBytes >> 20) MiB")
        }
    }
}
