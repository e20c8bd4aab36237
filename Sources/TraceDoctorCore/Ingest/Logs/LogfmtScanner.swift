// The pairs of one logfmt line (`time=… level=info msg="a b" trace_id=…`): keys are runs of
// non-blank bytes up to `=`, values are bare words or double-quoted strings with Go-style
// escapes, and a key without `=` is a flag (true), as in go-logfmt and the original logfmt.

/// Splits logfmt lines into pairs; interpreted keys go to a `LogFieldSet`, the rest to the
/// record's attributes as JSON strings (logfmt has no types).
struct LogfmtScanner {
    private var value: [UInt8] = []

    /// Whether `line` starts with `key=` (a key of at least one byte that is not blank,
    /// `=` or `"`): what makes a line a logfmt record rather than a continuation.
    static func startsWithPair(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < line.count {
            let c = line[i]
            if c == UInt8(ascii: "=") { return i > 0 }
            if c <= 0x20 || c == UInt8(ascii: "\"") { return false }
            i += 1
        }
        return false
    }

    /// Reads the pairs of `line` from `start`. Throws for a quoted value that does not end or
    /// a token that starts with `=` or has a quote inside its key.
    mutating func read(
        _ line: UnsafeBufferPointer<UInt8>, from start: Int, fields: LogFieldSet, attributes: JSONBuffer,
        position: (Int) -> SourcePosition
    ) throws(InputError) {
        let n = line.count
        var i = start
        while true {
            while i < n, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
            if i == n { return }
            let keyStart = i
            while i < n, line[i] > 0x20, line[i] != UInt8(ascii: "="), line[i] != UInt8(ascii: "\"") { i += 1 }
            if i == keyStart || (i < n && line[i] == UInt8(ascii: "\"")) {
                throw InputError(
                    "expected a logfmt key, found \(InputPrefix.describe(line[i])) (a value without a key)", at: position(i))
            }
            let key = UnsafeBufferPointer(rebasing: line[keyStart..<i])
            guard i < n, line[i] == UInt8(ascii: "=") else {
                // A bare key: a flag.
                emit(key, flag: true, fields: fields, attributes: attributes)
                continue
            }
            i += 1
            value.removeAll(keepingCapacity: true)
            if i < n, line[i] == UInt8(ascii: "\"") {
                let open = i
                i += 1
                var closed = false
                while i < n {
                    let c = line[i]
                    if c == UInt8(ascii: "\"") {
                        closed = true
                        i += 1
                        break
                    }
                    if c == UInt8(ascii: "\\"), i + 1 < n {
                        if let byte = Self.unescape(line[i + 1]) {
                            value.append(byte)
                        } else {
                            // An escape logfmt does not define: kept as written.
                            value.append(c)
                            value.append(line[i + 1])
                        }
                        i += 2
                        continue
                    }
                    value.append(c)
                    i += 1
                }
                guard closed else {
                    throw InputError("the quoted value of '\(key.text)' does not end on its line", at: position(open))
                }
            } else {
                let valueStart = i
                while i < n, line[i] != 0x20, line[i] != 0x09 { i += 1 }
                value.append(contentsOf: line[valueStart..<i])
            }
            emit(key, flag: false, fields: fields, attributes: attributes)
        }
    }

    /// The byte an escape `\c` stands for, or nil when logfmt defines none.
    private static func unescape(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "\""): 0x22
        case UInt8(ascii: "\\"): 0x5C
        default: nil
        }
    }

    private func emit(_ key: UnsafeBufferPointer<UInt8>, flag: Bool, fields: LogFieldSet, attributes: JSONBuffer) {
        if !flag, let (name, field) = LogField.lookup(key) {
            let taken = value.withUnsafeBufferPointer { fields.offer(field, key: name, value: $0, isString: true, rank: 1) }
            if taken { return }
        }
        attributes.appendString(key)
        attributes.append(UInt8(ascii: ":"))
        if flag {
            attributes.append("true")
        } else {
            attributes.appendString(value)
        }
        attributes.append(UInt8(ascii: ","))
    }
}
