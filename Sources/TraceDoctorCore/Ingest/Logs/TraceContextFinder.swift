// Finds the trace context a logger wrote somewhere in a text line: `trace_id=… span_id=…`
// (OpenTelemetry's Python logging format, MDC patterns), the Spring Sleuth / Micrometer
// `[app,traceId,spanId]` and Spring Boot 3.2's `[traceId-spanId]`, and W3C `traceparent`
// values. Hand-written matchers, one pass over the line: no regular expressions.

/// Offers what it finds to a `LogFieldSet`. Explicit keys beat the Spring brackets (rank 2
/// over 1); a `traceparent` counts only when neither is there (see `LogFieldSet.apply`). The
/// app name of a Sleuth bracket is the service (it is `spring.application.name`), with or
/// without IDs.
enum TraceContextFinder {
    /// Services named in free text only by these keys: `service=` in a message is as likely
    /// to be the service being called.
    static func isTextServiceKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        key.equals("resource.service.name") || key.equals("otelServiceName") || key.equals("service.name")
            || key.equals("dd.service")
    }

    /// Scans `line`. With `keyValues` false (logfmt, whose pairs are read elsewhere) only the
    /// bracket and traceparent patterns are looked for.
    static func scan(_ line: UnsafeBufferPointer<UInt8>, into fields: LogFieldSet, keyValues: Bool) {
        let n = line.count
        guard let base = line.baseAddress else { return }
        var i = 0
        while i < n {
            // Eight bytes at a time while none is '=', ':', '[' or '-'.
            while i + 8 <= n, !Self.mayMatter(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { i += 8 }
            guard i < n else { break }
            let c = line[i]
            switch c {
            case UInt8(ascii: "="):
                if keyValues { i = keyValue(line, separator: i, valueStart: i + 1, idsOnly: false, fields) }
            case UInt8(ascii: ":"):
                if keyValues, i + 1 < n, line[i + 1] == 0x20 {
                    i = keyValue(line, separator: i, valueStart: i + 2, idsOnly: true, fields)
                }
            case UInt8(ascii: "["):
                if let end = bracket(line, at: i, fields) { i = end - 1 }
            case UInt8(ascii: "-"):
                if i >= 2, i + 53 <= n, LogIDParser.isHexDigit(line[i - 1]), LogIDParser.isHexDigit(line[i - 2]),
                    i < 3 || !isWordByte(line[i - 3]),
                    let tp = LogIDParser.traceparent(line, at: i - 2)
                {
                    _ = fields.offer(
                        .traceparent, key: "traceparent", value: UnsafeBufferPointer(rebasing: line[(i - 2)..<tp.end]),
                        isString: true, rank: 1)
                    i = tp.end - 1
                }
            default:
                break
            }
            i += 1
        }
    }

    /// `key=value` (or `key: value` for IDs) around the separator at `separator`. Returns the
    /// index of the last byte looked at.
    private static func keyValue(
        _ line: UnsafeBufferPointer<UInt8>, separator: Int, valueStart: Int, idsOnly: Bool, _ fields: LogFieldSet
    ) -> Int {
        var keyStart = separator
        while keyStart > 0, isKeyByte(line[keyStart - 1]) { keyStart -= 1 }
        guard keyStart < separator else { return separator }
        let key = UnsafeBufferPointer(rebasing: line[keyStart..<separator])
        guard let (name, field) = LogField.lookup(key) else { return separator }
        switch field {
        case .traceID, .spanID, .traceparent: break
        case .service, .sampled, .traceFlags:
            if idsOnly { return separator }
            if field == .service && !isTextServiceKey(key) { return separator }
        case .time, .message, .level: return separator
        }
        let n = line.count
        var start = valueStart
        var end: Int
        if start < n, line[start] == UInt8(ascii: "\"") {
            start += 1
            end = start
            while end < n, line[end] != UInt8(ascii: "\"") { end += 1 }
        } else {
            end = start
            while end < n, !isValueEnd(line[end]) { end += 1 }
        }
        let value = UnsafeBufferPointer(rebasing: line[start..<end])
        _ = fields.offer(field, key: name, value: value, isString: true, rank: 2)
        return max(end - 1, separator)
    }

    /// `[app,trace,span]`, `[app,trace,span,exportable]` or `[trace-span]` at `open`. Returns
    /// the index after `]` when it matched.
    private static func bracket(_ line: UnsafeBufferPointer<UInt8>, at open: Int, _ fields: LogFieldSet) -> Int? {
        let n = line.count
        // Spring Boot 3.2: [<32 hex>-<16 hex>]
        if open + 51 <= n, line[open + 33] == UInt8(ascii: "-"), line[open + 50] == UInt8(ascii: "]"),
            LogIDParser.hex(line, open + 1, 16) != nil, LogIDParser.hex(line, open + 17, 16) != nil,
            LogIDParser.hex(line, open + 34, 16) != nil
        {
            offerIDs(line, trace: (open + 1)..<(open + 33), span: (open + 34)..<(open + 50), fields)
            return open + 51
        }
        // Sleuth / Micrometer: [app,trace,span] or [app,trace,span,exportable]. The app name
        // (spring.application.name) is letters, digits, '-', '_' and '.', at most 64 of them:
        // stopping at anything else keeps `[other brackets]` cheap.
        var i = open + 1
        while i < n, i - open <= 64, isWordByte(line[i]) || line[i] == UInt8(ascii: "-") || line[i] == UInt8(ascii: "_")
            || line[i] == UInt8(ascii: ".")
        {
            i += 1
        }
        guard i < n, line[i] == UInt8(ascii: ",") else { return nil }
        let app = (open + 1)..<i
        let traceStart = i + 1
        i = traceStart
        while i < n, LogIDParser.isHexDigit(line[i]) { i += 1 }
        let trace = traceStart..<i
        guard trace.count == 0 || trace.count == 16 || trace.count == 32, i < n, line[i] == UInt8(ascii: ",") else {
            return nil
        }
        let spanStart = i + 1
        i = spanStart
        while i < n, LogIDParser.isHexDigit(line[i]) { i += 1 }
        let span = spanStart..<i
        guard span.count == 0 || span.count == 16, i < n else { return nil }
        if line[i] == UInt8(ascii: ",") {
            i += 1
            let flag = i
            while i < n, line[i] >= UInt8(ascii: "a"), line[i] <= UInt8(ascii: "z") { i += 1 }
            let word = UnsafeBufferPointer(rebasing: line[flag..<i])
            guard word.isEmpty || word.equals("true") || word.equals("false"), i < n else { return nil }
        }
        guard line[i] == UInt8(ascii: "]") else { return nil }
        offerIDs(line, trace: trace, span: span, fields)
        if !app.isEmpty {
            _ = fields.offer(
                .service, key: "spring.application.name", value: UnsafeBufferPointer(rebasing: line[app]),
                isString: true, rank: 1)
        }
        return i + 1
    }

    private static func offerIDs(
        _ line: UnsafeBufferPointer<UInt8>, trace: Range<Int>, span: Range<Int>, _ fields: LogFieldSet
    ) {
        if !trace.isEmpty {
            _ = fields.offer(
                .traceID(.hex), key: "trace_id", value: UnsafeBufferPointer(rebasing: line[trace]), isString: true,
                rank: 1)
        }
        if !span.isEmpty {
            _ = fields.offer(
                .spanID(.hex), key: "span_id", value: UnsafeBufferPointer(rebasing: line[span]), isString: true,
                rank: 1)
        }
    }

    /// Whether a word of eight bytes holds one of the bytes `scan` looks at.
    @inline(__always)
    static func mayMatter(_ w: UInt64) -> Bool {
        @inline(__always) func hasByte(_ b: UInt64) -> UInt64 {
            let x = w ^ (b &* 0x0101_0101_0101_0101)
            return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
        }
        return (hasByte(0x3D) | hasByte(0x3A) | hasByte(0x5B) | hasByte(0x2D)) != 0
    }

    @inline(__always)
    static func isKeyByte(_ c: UInt8) -> Bool {
        isWordByte(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: "@")
    }

    @inline(__always)
    static func isWordByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    @inline(__always)
    static func isValueEnd(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "]"), UInt8(ascii: ")"), UInt8(ascii: "}"),
            UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "|"):
            return true
        default:
            return false
        }
    }
}
