// OTLP enum names as protobuf's JSON mapping writes them (`"SPAN_KIND_SERVER"`), for writers
// that use names instead of numbers.

enum OTLPEnums {
    static func spanKind(_ name: UnsafeBufferPointer<UInt8>) -> SpanKind? {
        if name.equals("SPAN_KIND_SERVER") { return .server }
        if name.equals("SPAN_KIND_CLIENT") { return .client }
        if name.equals("SPAN_KIND_INTERNAL") { return .internal }
        if name.equals("SPAN_KIND_PRODUCER") { return .producer }
        if name.equals("SPAN_KIND_CONSUMER") { return .consumer }
        if name.equals("SPAN_KIND_UNSPECIFIED") { return .unspecified }
        return nil
    }

    static func statusCode(_ name: UnsafeBufferPointer<UInt8>) -> StatusCode? {
        if name.equals("STATUS_CODE_UNSET") { return .unset }
        if name.equals("STATUS_CODE_OK") { return .ok }
        if name.equals("STATUS_CODE_ERROR") { return .error }
        return nil
    }

    /// The severity levels in the order of their numbers: TRACE is 1–4, DEBUG 5–8, … FATAL 21–24.
    private static let severityLevels = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]

    /// `SEVERITY_NUMBER_UNSPECIFIED` (0), `SEVERITY_NUMBER_TRACE` (1) … `SEVERITY_NUMBER_FATAL4` (24).
    static func severityNumber(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        let text = String(decoding: name, as: UTF8.self)
        let prefix = "SEVERITY_NUMBER_"
        guard text.hasPrefix(prefix) else { return nil }
        var level = text.dropFirst(prefix.count)
        if level == "UNSPECIFIED" { return 0 }
        var step = 1
        if let last = level.last, let digit = last.wholeNumberValue, (2...4).contains(digit) {
            step = digit
            level = level.dropLast()
        }
        guard let index = severityLevels.firstIndex(of: String(level)) else { return nil }
        return index * 4 + step
    }
}
