// Telling an empty query (`sql ""`, only spaces, comments or semicolons) from one to run: the
// command line refuses it as a usage error instead of printing an empty result.

extension SQLQuery {
    /// True when `sql` holds no statement: only whitespace, `-- comments`, `/* comments */` and `;`.
    public static func isBlank(_ sql: String) -> Bool {
        let bytes = Array(sql.utf8)
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B, UInt8(ascii: ";"):
                i += 1
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                i += 2
                while i < bytes.count && !(bytes[i] == UInt8(ascii: "*") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/")) {
                    i += 1
                }
                i += 2
            default:
                return false
            }
        }
        return true
    }
}
