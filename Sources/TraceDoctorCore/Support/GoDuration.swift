// Durations spelled the way Go prints them, for warnings quoted from Go tools (Jaeger).

/// Go's `time.Duration.String()`, so that Jaeger's warnings read exactly as Jaeger writes them.
enum GoDuration {
    static func format(_ ns: Int64) -> String {
        if ns == 0 { return "0s" }
        let negative = ns < 0
        let u = ns.magnitude
        var text: String
        if u < 1_000 {
            text = "\(u)ns"
        } else if u < 1_000_000 {
            text = fraction(u, 1_000) + "µs"
        } else if u < 1_000_000_000 {
            text = fraction(u, 1_000_000) + "ms"
        } else {
            let hours = u / 3_600_000_000_000
            let minutes = (u / 60_000_000_000) % 60
            let rest = u % 60_000_000_000
            text = fraction(rest, 1_000_000_000) + "s"
            if hours > 0 {
                text = "\(hours)h\(minutes)m" + text
            } else if minutes > 0 {
                text = "\(minutes)m" + text
            }
        }
        return negative ? "-" + text : text
    }

    /// `value / unit` with the fraction's trailing zeros dropped (Go prints 1.5ms, 35ms).
    private static func fraction(_ value: UInt64, _ unit: UInt64) -> String {
        let whole = value / unit
        var rest = value % unit
        guard rest > 0 else { return "\(whole)" }
        var digits = ""
        var scale = unit / 10
        while rest > 0 && scale > 0 {
            digits += "\(rest / scale)"
            rest %= scale
            scale /= 10
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
