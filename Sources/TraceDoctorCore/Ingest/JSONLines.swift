// Telling JSON Lines from one (pretty-printed) JSON document by their first lines.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum JSONLines {
    /// True when the first line holds a whole object and the next line starts another: the
    /// collector's file exporter format. Then a newline ends each record, so a bad line can be
    /// reported (and skipped) on its own.
    static func looksLikeJSONLines(_ s: JSONScanner) throws(InputError) -> Bool {
        let head = try s.peekBuffered(upTo: 1 << 20)
        // memchr: a one-request file has no line break before its end, and this looked at every
        // byte of it one by one before the parse.
        guard let base = head.baseAddress, let found = memchr(base, 0x0A, head.count) else { return false }
        let newline = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
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
