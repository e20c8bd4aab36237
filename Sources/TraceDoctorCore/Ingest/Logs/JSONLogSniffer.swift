// Recognises JSON log lines without taking OTLP/JSON, Jaeger or Zipkin JSON for logs: the
// first lines must be objects with a message or a level, and none of the span formats' keys.

/// JSON Lines logs: moderate confidence (50), below every span format's certain verdicts.
public enum JSONLogSniffer: FormatSniffer {
    public static let confidence = 50
    static let linesLooked = 8

    /// Keys only the span and OTLP formats use: a first object with one of them is not a log
    /// line. (Jaeger's `{"data": …}` and bare traces, and Zipkin spans, have no message or
    /// level key, which a log line needs anyway; generic keys like `data` are fine in logs.)
    static let spanFormatKeys: Set<String> = [
        "resourceSpans", "resource_spans", "resourceLogs", "resource_logs", "scopeSpans", "scope_spans",
        "scopeLogs", "scope_logs", "instrumentationLibrarySpans", "resourceMetrics", "resource_metrics",
        "localEndpoint", "remoteEndpoint", "parentSpanId", "parentSpanID", "operationName", "startTimeUnixNano",
    ]

    public static func sniff(_ prefix: InputPrefix) -> SniffResult {
        guard let first = prefix.firstSignificantByte, first.byte == UInt8(ascii: "{") else {
            return .reject("expected a JSON object per line ('{'), \(prefix.foundDescription)")
        }
        let lines = prefix.lines(limit: linesLooked + 1).filter { !isBlank($0) }
        guard let firstLine = lines.first, let shape = prefix.jsonKeys(ofLine: firstLine) else {
            return .reject("the first line is not a JSON object")
        }
        if let key = shape.keys.first(where: spanFormatKeys.contains) {
            return .reject("the first object has \"\(key)\", a key of a trace format, not of a log line")
        }
        if shape.keys == ["metadata"] {
            return sniffIntake(Array(lines.dropFirst()))
        }
        // Every complete line must be an object; one of them must have a message or a level.
        var logLike = false
        for (index, line) in lines.prefix(linesLooked).enumerated() {
            let isLast = index == lines.count - 1 && !prefix.isComplete
            guard let lineShape = index == 0 ? shape : JSONShape.read(Array(line), arrayElement: false) else {
                if isLast { break }
                return .reject("line \(index + 1) is not a JSON object")
            }
            if lineShape.keys.contains(where: isLogKey) { logLike = true }
            for (key, nested) in lineShape.nestedKeys where key == "log" || key == "service" {
                if nested.contains("level") { logLike = true }
            }
        }
        guard logLike else {
            let shown = shape.keys.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
            return .reject("JSON objects without a message or level key (first keys: \(shown))")
        }
        return .accept(confidence: confidence)
    }

    /// After an Elastic APM `{"metadata": …}` line: accept when log events follow.
    private static func sniffIntake(_ events: [ArraySlice<UInt8>]) -> SniffResult {
        for line in events {
            if let shape = JSONShape.read(Array(line), arrayElement: false), shape.keys.first == "log" {
                return .accept(confidence: confidence)
            }
        }
        return .reject(
            "an Elastic APM intake stream without log events in its first lines (tracedoctor reads only the log events of the intake protocol)"
        )
    }

    static func isLogKey(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in
            switch LogField.classify(bytes) {
            case .message, .level: true
            default: false
            }
        }
    }

    private static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}
