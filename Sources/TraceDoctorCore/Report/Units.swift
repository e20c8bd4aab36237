// Human units for durations, sizes and counts, as every text report prints them.

import Foundation

public enum Units {
    /// `35 µs`, `480 ms`, `1.24 s`, `2 min 5 s`. Three significant digits below a minute.
    public static func duration(ns: Int64) -> String {
        let v = Double(ns)
        let a = abs(v)
        if a < 1_000 { return "\(ns) ns" }
        if a < 1_000_000 { return significant(v / 1e3) + " µs" }
        if a < 1_000_000_000 { return significant(v / 1e6) + " ms" }
        if a < 60e9 { return significant(v / 1e9) + " s" }
        let totalSeconds = Int64((v / 1e9).rounded())
        if abs(totalSeconds) < 3600 { return "\(totalSeconds / 60) min \(abs(totalSeconds % 60)) s" }
        return "\(totalSeconds / 3600) h \(abs(totalSeconds % 3600) / 60) min"
    }

    public static func duration(seconds: Double) -> String {
        duration(ns: Int64((seconds * 1e9).rounded()))
    }

    /// Three significant digits: 1.24, 12.4, 124.
    static func significant(_ x: Double) -> String {
        let a = abs(x)
        if a >= 99.95 { return String(format: "%.0f", x) }
        if a >= 9.995 { return trim(String(format: "%.1f", x)) }
        return trim(String(format: "%.2f", x))
    }

    private static func trim(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// `512 B`, `3.4 KB`, `1.2 GB` (powers of 1000, as throughput is quoted).
    public static func bytes(_ n: Int64) -> String {
        let v = Double(n)
        if v < 1_000 { return "\(n) B" }
        if v < 1e6 { return significant(v / 1e3) + " KB" }
        if v < 1e9 { return significant(v / 1e6) + " MB" }
        return significant(v / 1e9) + " GB"
    }

    /// `812`, `41.2 k`, `1.4 M`.
    public static func count(_ n: Double) -> String {
        if n < 10_000 { return String(format: "%.0f", n) }
        if n < 1e6 { return significant(n / 1e3) + " k" }
        return significant(n / 1e6) + " M"
    }

    /// `1 span`, `2 spans`.
    public static func plural(_ n: Int, _ word: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? word : plural ?? word + "s")
    }
}
