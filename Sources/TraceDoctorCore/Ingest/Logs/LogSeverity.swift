// Log levels as loggers spell them, mapped to OTLP severity numbers so that logs from every
// format sort and filter the same way: TRACE 1, DEBUG 5, INFO 9, WARN 13, ERROR 17, FATAL 21.

public enum LogSeverity {
    public static let trace = 1
    public static let debug = 5
    public static let info = 9
    public static let info2 = 10
    public static let warn = 13
    public static let error = 17
    public static let fatal = 21

    /// The severity of a level name (any case), or nil when it is not one.
    public static func number(ofName name: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = name.count
        guard n >= 1, n <= 13 else { return nil }
        // Lowercase into a small fixed buffer, then compare.
        var lower: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &lower) { raw -> Int? in
            for i in 0..<n {
                let c = name[i]
                raw[i] = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
            }
            let word = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            return lookup(word)
        }
    }

    private static func lookup(_ w: UnsafeBufferPointer<UInt8>) -> Int? {
        switch w.count {
        case 1:
            // Single letters: glog/klog (I, W, E, F), Android (V, D).
            switch w[0] {
            case UInt8(ascii: "v"), UInt8(ascii: "t"): return trace
            case UInt8(ascii: "d"): return debug
            case UInt8(ascii: "i"): return info
            case UInt8(ascii: "w"): return warn
            case UInt8(ascii: "e"): return error
            case UInt8(ascii: "f"): return fatal
            default: return nil
            }
        case 3:
            if w.equals("trc") { return trace }
            if w.equals("dbg") { return debug }
            if w.equals("inf") { return info }
            if w.equals("wrn") { return warn }
            if w.equals("err") { return error }
            if w.equals("ftl") || w.equals("crt") { return fatal }
            return nil
        case 4:
            if w.equals("info") { return info }
            if w.equals("warn") { return warn }
            if w.equals("crit") || w.equals("emer") { return fatal }
            if w.equals("fine") { return debug }
            if w.equals("eror") { return error }
            return nil
        case 5:
            if w.equals("trace") || w.equals("finer") { return trace }
            if w.equals("debug") { return debug }
            if w.equals("error") { return error }
            if w.equals("fatal") || w.equals("panic") || w.equals("alert") || w.equals("emerg") { return fatal }
            return nil
        case 6:
            if w.equals("notice") { return info2 }
            if w.equals("severe") { return error }
            if w.equals("finest") { return trace }
            return nil
        case 7:
            if w.equals("warning") { return warn }
            if w.equals("verbose") { return trace }
            return nil
        case 8:
            if w.equals("critical") { return fatal }
            return nil
        case 9:
            if w.equals("emergency") { return fatal }
            return nil
        case 11:
            if w.equals("information") { return info }
            return nil
        case 13:
            if w.equals("informational") { return info }
            return nil
        default:
            return nil
        }
    }

    /// The severity of a numeric level: pino and bunyan's 10–60 (10 trace, 20 debug, 30 info,
    /// 40 warn, 50 error, 60 fatal; values in between round down), or a syslog priority 0–7
    /// (0–2 fatal, 3 error, 4 warn, 5 notice, 6 info, 7 debug). Nil for anything else.
    public static func number(ofLevel level: Int64) -> Int? {
        switch level {
        case 0...2: return fatal
        case 3: return error
        case 4: return warn
        case 5: return info2
        case 6: return info
        case 7: return debug
        case 10..<20: return trace
        case 20..<30: return debug
        case 30..<40: return info
        case 40..<50: return warn
        case 50..<60: return error
        case 60...100: return fatal
        default: return nil
        }
    }
}
