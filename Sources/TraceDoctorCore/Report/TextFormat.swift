// Small spellings every diagnosis report shares: short trace IDs, percentages, clock times,
// cells cut to fit 100 columns, and the one sanitiser for untrusted text (`printable`).

import Foundation

public enum TextFormat {
    /// 16 hex digits that still find the trace (`explain`/`gaps` take prefixes and 64-bit IDs):
    /// the low half of a 64-bit ID, else the first half.
    static func shortID(_ id: TraceID) -> String {
        id.high == 0 ? HexID.render(id.low) : HexID.render(id.high)
    }

    /// `87%`, `99.5%`, `0.4%`, `<0.1%`.
    static func percent(_ share: Double) -> String {
        let p = share * 100
        if p > 0 && p < 0.1 { return "<0.1%" }
        if p >= 9.95 || p == 0 { return String(format: "%.0f%%", p) }
        let text = String(format: "%.1f", p)
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + "%"
    }

    /// `94.8%`, `99.8%`, `100%`, `<0.1%`: always to a tenth of a point, where a threshold and a
    /// measured value must not round to the same text (`check`, baselines).
    static func percentTenths(_ share: Double) -> String {
        let p = share * 100
        if p > 0 && p < 0.05 { return "<0.1%" }
        if p < 100 && p >= 99.95 { return "99.9%" }
        let text = String(format: "%.1f", p)
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + "%"
    }

    /// A duration, with zero as `0`.
    static func duration(_ ns: Int64) -> String { ns == 0 ? "0" : Units.duration(ns: ns) }

    /// `+2.19 ms`.
    static func offset(_ ns: Int64) -> String {
        ns == 0 ? "0" : (ns < 0 ? "−" : "+") + Units.duration(ns: Int64(ns.magnitude))
    }

    /// A signed duration: `−150 ms`, `+25 ms`.
    static func signed(_ ns: Int64) -> String { offset(ns) }

    /// `12:53:16.977` (UTC).
    static func clock(_ ns: Int64) -> String {
        let seconds = ns / 1_000_000_000
        let millis = (ns % 1_000_000_000) / 1_000_000
        let day = ((seconds % 86_400) + 86_400) % 86_400
        return String(format: "%02d:%02d:%02d.%03d", day / 3600, (day % 3600) / 60, day % 60, max(0, millis))
    }

    /// `2026-11-20 12:53:16 UTC`.
    static func dateTime(_ ns: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ns) / 1e9)) + " UTC"
    }

    /// Untrusted text (span names, attribute values, log bodies, SQL values) made safe to print
    /// on a terminal: every control character — C0, DEL and C1, ESC included — becomes a visible
    /// escape (`\n`, `\r`, `\t`, else `\x1b` style), so that it can neither drive the terminal
    /// nor throw off a width. Tab and newline are kept where `keepTab`/`keepNewline` say a format
    /// needs them. Text without control characters is returned as is.
    public static func printable(_ text: String, keepTab: Bool = false, keepNewline: Bool = false) -> String {
        func isControl(_ value: UInt32) -> Bool {
            (value < 0x20 && !(keepTab && value == 0x09) && !(keepNewline && value == 0x0A)) || (0x7F...0x9F).contains(value)
        }
        guard text.unicodeScalars.contains(where: { isControl($0.value) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar.value) else {
                out.append(scalar)
                continue
            }
            let escape: String
            switch scalar.value {
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            default:
                let hex = String(scalar.value, radix: 16)
                escape = "\\x" + (hex.count < 2 ? "0" : "") + hex
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }

    /// `text` made printable, then cut to `width` characters, ending in `…` when cut.
    static func fit(_ text: String, _ width: Int) -> String {
        let text = printable(text)
        return text.count <= width ? text : String(text.prefix(max(0, width - 1))) + "…"
    }

    /// `chat-api: rag.retrieve`, cut to `width`.
    static func span(_ ref: SpanRef, _ width: Int = 40) -> String { fit(ref.label, width) }

    /// `… and 12 more (--limit 0 shows all)`.
    static func more(_ hidden: Int, _ what: String) -> String {
        "  … and \(hidden) more \(what) (--limit 0 shows all)"
    }

    /// `prefix` and `parts` joined by commas, wrapped at 100 columns with an indent.
    static func wrap(_ prefix: String, _ parts: [String], width: Int = 100) -> String {
        var lines: [String] = []
        var line = prefix
        for (k, part) in parts.enumerated() {
            let piece = printable(part) + (k < parts.count - 1 ? "," : "")
            if line.count + 1 + piece.count > width && line.count > prefix.count {
                lines.append(line)
                line = String(repeating: " ", count: prefix.count) + piece
            } else {
                line += (line.count > prefix.count ? " " : "") + piece
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// `text` broken at spaces into lines of at most `width` characters (a longer word is cut).
    static func wrapWords(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for var word in printable(text).split(separator: " ", omittingEmptySubsequences: false) {
            // A word longer than a line (a URL path) is cut across lines.
            while word.count > width && width > 0 {
                if !line.isEmpty { lines.append(line) }
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
                line = ""
            }
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(word)
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        lines.append(line)
        return lines
    }

    /// A confidence as `0.90`.
    static func confidence(_ value: Double) -> String { String(format: "%.2f", value) }
}
