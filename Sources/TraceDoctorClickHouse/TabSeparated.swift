// ClickHouse's TabSeparated output: one row a line, fields split by tabs, with \t \n \\ (and \b \f
// \r \0 \' ) escaped by a backslash.

import Foundation

enum TabSeparated {
    /// Calls `body` with each row's fields.
    static func forEachRow(_ data: Data, _ body: ([String]) throws -> Void) rethrows {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let b = raw.bindMemory(to: UInt8.self)
            let n = b.count
            var fields: [String] = []
            var start = 0
            var escaped = false
            var i = 0
            func field(_ end: Int) -> String {
                let slice = UnsafeBufferPointer(rebasing: b[start..<end])
                return escaped ? unescape(slice) : String(decoding: slice, as: UTF8.self)
            }
            while i < n {
                let c = b[i]
                if c == 0x5C {  // backslash: the next byte is escaped
                    escaped = true
                    i += 2
                    continue
                }
                if c == 0x09 {
                    fields.append(field(i))
                    start = i + 1
                    escaped = false
                } else if c == 0x0A {
                    fields.append(field(i))
                    try body(fields)
                    fields.removeAll(keepingCapacity: true)
                    start = i + 1
                    escaped = false
                }
                i += 1
            }
            if start < n {
                fields.append(field(n))
                try body(fields)
            }
        }
    }

    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x5C, i + 1 < bytes.count {
                let e = bytes[i + 1]
                switch e {
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "0"): out.append(0x00)
                default: out.append(e)
                }
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
