// Durations and shares as people type them (`10ms`, `1.5s`, `500µs`, `10%`), for options and
// policy files.

extension Units {
    /// `10ms`, `10 ms`, `1.5s`, `500us`, `500µs`, `250ns`, `2m`, `0` → nanoseconds; nil otherwise.
    public static func parseDuration(_ text: String) -> Int64? {
        let s = text.filter { $0 != " " }.lowercased()
        if s == "0" { return 0 }
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("min", 60e9), ("m", 60e9), ("h", 3600e9),
        ]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            let number = s.dropLast(suffix.count)
            guard !number.isEmpty, let value = Double(number), value >= 0, value.isFinite else { return nil }
            return Int64((value * scale).rounded())
        }
        return nil
    }

    /// `10%`, `10`, `0.1` → 0.1 (a bare number above 1 is a percentage); nil outside 0…100%.
    public static func parseShare(_ text: String) -> Double? {
        var s = text.filter { $0 != " " }
        let percent = s.hasSuffix("%")
        if percent { s.removeLast() }
        guard let value = Double(s), value >= 0 else { return nil }
        let share = percent || value > 1 ? value / 100 : value
        return share <= 1 ? share : nil
    }
}
