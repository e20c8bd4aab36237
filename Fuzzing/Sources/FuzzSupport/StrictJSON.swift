// An RFC 8259 validator written apart from the readers' JSONScanner, so that the JSON the
// readers store (attributes, events, links) is checked by code that did not write it.

/// Whether bytes are exactly one JSON value of a given type, strictly by RFC 8259.
public enum StrictJSON {
    public enum Kind { case object, array }

    /// True when `bytes` hold one valid UTF-8 JSON value of `kind`, with nothing after it.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>, as kind: Kind) -> Bool {
        guard String(validating: bytes, as: UTF8.self) != nil else { return false }
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        let open = parser.byte
        guard (kind == .object && open == UInt8(ascii: "{")) || (kind == .array && open == UInt8(ascii: "[")) else {
            return false
        }
        guard parser.value(depth: 0) else { return false }
        parser.skipSpace()
        return parser.i == bytes.count
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        var byte: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while let c = byte, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
        }

        mutating func eat(_ c: UInt8) -> Bool {
            guard byte == c else { return false }
            i += 1
            return true
        }

        mutating func value(depth: Int) -> Bool {
            guard depth < 1000 else { return false }
            skipSpace()
            switch byte {
            case UInt8(ascii: "{"):
                i += 1
                skipSpace()
                if eat(UInt8(ascii: "}")) { return true }
                repeat {
                    skipSpace()
                    guard string() else { return false }
                    skipSpace()
                    guard eat(UInt8(ascii: ":")), value(depth: depth + 1) else { return false }
                    skipSpace()
                } while eat(UInt8(ascii: ","))
                return eat(UInt8(ascii: "}"))
            case UInt8(ascii: "["):
                i += 1
                skipSpace()
                if eat(UInt8(ascii: "]")) { return true }
                repeat {
                    guard value(depth: depth + 1) else { return false }
                    skipSpace()
                } while eat(UInt8(ascii: ","))
                return eat(UInt8(ascii: "]"))
            case UInt8(ascii: "\""):
                return string()
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default:
                return number()
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            for k in 0..<n where bytes[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }

        mutating func digits() -> Int {
            let start = i
            while let c = byte, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }

        mutating func number() -> Bool {
            _ = eat(UInt8(ascii: "-"))
            if eat(UInt8(ascii: "0")) {
                // No leading zeros.
            } else if digits() == 0 {
                return false
            }
            if eat(UInt8(ascii: ".")), digits() == 0 { return false }
            if eat(UInt8(ascii: "e")) || eat(UInt8(ascii: "E")) {
                if !eat(UInt8(ascii: "+")) { _ = eat(UInt8(ascii: "-")) }
                if digits() == 0 { return false }
            }
            return true
        }

        mutating func string() -> Bool {
            guard eat(UInt8(ascii: "\"")) else { return false }
            while let c = byte {
                i += 1
                switch c {
                case UInt8(ascii: "\""):
                    return true
                case UInt8(ascii: "\\"):
                    guard let e = byte else { return false }
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        continue
                    case UInt8(ascii: "u"):
                        for _ in 0..<4 {
                            guard let h = byte, h.isHexDigit else { return false }
                            i += 1
                        }
                    default:
                        return false
                    }
                case 0..<0x20:
                    return false
                default:
                    continue
                }
            }
            return false
        }
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (self >= 0x30 && self <= 0x39) || (self | 0x20 >= 0x61 && self | 0x20 <= 0x66)
    }
}
