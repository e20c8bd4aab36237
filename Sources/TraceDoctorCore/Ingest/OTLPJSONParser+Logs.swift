// One OTLP/JSON `LogRecord` into a LogRecord: times (`timeUnixNano`, or only
// `observedTimeUnixNano`), severity, body, trace context and attributes.

extension OTLPJSONParser {
    func readLogRecord() throws {
        let start = s.position
        log.reset()
        log.position = start
        log.line = start.line
        log.scopeName.replace(with: scopeName)
        recordProblem = nil
        var eventName: [UInt8] = []
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if key.equals("timeUnixNano", or: "time_unix_nano") {
                log.timeNs = try s.readTimestampNs("timeUnixNano")
            } else if key.equals("observedTimeUnixNano", or: "observed_time_unix_nano") {
                log.observedTimeNs = try s.readTimestampNs("observedTimeUnixNano")
            } else if key.equals("severityNumber", or: "severity_number") {
                try readSeverityNumber()
            } else if key.equals("severityText", or: "severity_text") {
                try s.readString(into: &log.severityText, "severityText")
            } else if key.equals("body") {
                try readBody()
            } else if key.equals("attributes") {
                try readAttributes(into: log.attributes)
            } else if key.equals("traceId", or: "trace_id") {
                log.traceID = try readID({ () throws(InputError) in try s.readTraceID("traceId", mode: .hexOrBase64) })
            } else if key.equals("spanId", or: "span_id") {
                log.spanID = try readID({ () throws(InputError) in try s.readSpanID("spanId", mode: .hexOrBase64) })
            } else if key.equals("flags") {
                log.flags = try readFlags()
            } else if key.equals("eventName", or: "event_name") {
                try s.readString(into: &eventName, "eventName")
            } else {
                try s.skipValue()
            }
        }
        if !eventName.isEmpty { OTLPRecordJSON.addStringMember("event.name", eventName, to: log.attributes) }
        if let recordProblem {
            try context.skip(recordProblem)
            return
        }
        try sink.log(log)
    }

    /// 0–24 as a number, or a `SEVERITY_NUMBER_*` name.
    private func readSeverityNumber() throws(InputError) {
        let at = s.position
        switch try s.kind() {
        case .number:
            let value = try s.readUInt64Flexible("severityNumber")
            if value <= 24 {
                log.severityNumber = Int(value)
            } else {
                problem("severityNumber \(value) is not a severity (0–24, or SEVERITY_NUMBER_INFO, …)", at: at)
            }
        case .string:
            let name = try s.readStringBytes()
            if let number = OTLPEnums.severityNumber(name) {
                log.severityNumber = number
            } else if let value = IDParser.parseDecimal64(name), value <= 24 {
                log.severityNumber = Int(value)
            } else {
                problem("severityNumber \(JSONScanner.quote(name)) is not a severity (0–24, or SEVERITY_NUMBER_INFO, …)", at: at)
            }
        case .null:
            _ = try s.readNullIfPresent()
        default:
            throw s.unexpected("severityNumber as a number or a SEVERITY_NUMBER_* name")
        }
    }

    /// The body `AnyValue`: a string body is kept as its text, any other value as its JSON
    /// (`{"user":"ada","items":3}`, `42`), and an empty one as the empty string.
    private func readBody() throws(InputError) {
        partAttributes.reset()
        let text = try s.readOTLPAnyValue(into: partAttributes, captureString: true)
        if let text {
            log.body = text
        } else if partAttributes.buffer.equals("null") {
            log.body.removeAll(keepingCapacity: true)
        } else {
            log.body.replace(with: partAttributes.bytes)
        }
    }
}
