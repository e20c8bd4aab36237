// `--since` / `--until`: relative (`1h`, `30m`, `2d`, `1h ago`, `now`) or absolute
// (`2026-12-03T10:00:00Z`, `2026-12-03 10:00:00.5+01:00`, `2026-12-03`, UTC unless a zone is given).

import Foundation
import TraceDoctorCore

public enum TimeArgument {
    /// Unix nanoseconds for `text`, relative to `nowNs`; nil when it is neither form.
    public static func parse(_ text: String, nowNs: Int64) -> Int64? {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s == "now" { return nowNs }
        if s.hasSuffix("ago") { s = String(s.dropLast(3)).trimmingCharacters(in: .whitespaces) }
        if s.hasPrefix("-") { s.removeFirst() }
        if s.hasSuffix("d"), let days = Double(s.dropLast()), days >= 0, days.isFinite {
            return nowNs - Int64(days * 86_400e9)
        }
        if s.hasSuffix("w"), let weeks = Double(s.dropLast()), weeks >= 0, weeks.isFinite {
            return nowNs - Int64(weeks * 7 * 86_400e9)
        }
        if let d = Units.parseDuration(s), s.first?.isNumber == true, s.contains(where: \.isLetter) {
            return nowNs - d
        }
        return absolute(text.trimmingCharacters(in: .whitespaces))
    }

    /// `2026-12-03T10:00:00Z`, with a fraction when there is one (what `parse` reads back).
    public static func format(_ ns: Int64) -> String {
        let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        let fraction = ns - seconds * 1_000_000_000
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        // Civil date from days (Howard Hinnant's algorithm).
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(year), Int(month), Int(day), Int(rest / 3600), Int(rest / 60 % 60), Int(rest % 60))
        if fraction != 0 {
            var digits = String(format: "%09d", Int(fraction))
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    /// `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:MM]]`.
    static func absolute(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= b.count else { return nil }
            var v = 0
            for k in 0..<digits {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += digits
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fractionNs: Int64 = 0
        var offsetSeconds = 0
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == 32 {
            i += 1
            guard let h = number(2), expect(58), let m = number(2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            if expect(58) {
                guard let sec = number(2), sec < 61 else { return nil }
                second = sec
                if expect(46) {
                    var digits = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        if digits < 9 { fractionNs = fractionNs * 10 + Int64(b[i] - 48) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in min(digits, 9)..<9 { fractionNs *= 10 }
                }
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                    i += 1
                } else if b[i] == 43 || b[i] == 45 {
                    let sign = b[i] == 45 ? -1 : 1
                    i += 1
                    guard let oh = number(2) else { return nil }
                    _ = expect(58)
                    let om = number(2) ?? 0
                    offsetSeconds = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard i == b.count else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * 1_000_000_000 + fractionNs
    }
}
