// Telling JSON Lines from one (pretty-printed) JSON document by their first lines.

enum JSONLines {
    /// True when the first line holds a whole object and the next line starts another: the
    /// collector's file exporter format. Then a newline ends each record, so a bad line can be
    /// reported (and skipped) on its own.
    static func looksLikeJSONLines(_ s: JSONScanner) throws(InputError) -> Bool {
        let head = try s.peekBuffered(upTo: 1 << 20)
        guard let newline = head.firstIndex(of: 0x0A) else { return false }
        var first = UnsafeBufferPointer(rebasing: head[..<newline])
        first = trimmed(first)
        guard first.first == UInt8(ascii: "{"), first.last == UInt8(ascii: "}") else { return false }
        var rest = UnsafeBufferPointer(rebasing: head[(newline + 1)...])
        rest = trimmed(rest)
        return rest.isEmpty || rest.first == UInt8(ascii: "{")
    }

    static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0
        var hi = b.count
        while lo < hi, b[lo] <= 0x20 { lo += 1 }
        while hi > lo, b[hi - 1] <= 0x20 { hi -= 1 }
        return UnsafeBufferPointer(rebasing: b[lo..<hi])
    }
}
