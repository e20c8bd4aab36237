// One OTLP/JSON `Span` into a SpanRecord: IDs, kind, times, status, attributes, and its events
// and links in OTLPRecordJSON's canonical layout.

extension OTLPJSONParser {
    func readSpan() throws {
        let start = s.position
        span.reset()
        span.position = start
        span.scopeName.replace(with: scopeName)
        span.scopeVersion.replace(with: scopeVersion)
        recordProblem = nil
        var hasTraceID = false
        var hasSpanID = false
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if key.equals("traceId", or: "trace_id") {
                if let id = try readID({ () throws(InputError) in try s.readTraceID("traceId", mode: .hexOrBase64) }) {
                    span.traceID = id
                    hasTraceID = true
                }
            } else if key.equals("spanId", or: "span_id") {
                if let id = try readID({ () throws(InputError) in try s.readSpanID("spanId", mode: .hexOrBase64) }) {
                    span.spanID = id
                    hasSpanID = true
                }
            } else if key.equals("parentSpanId", or: "parent_span_id") {
                span.parentSpanID = try readID({ () throws(InputError) in
                    try s.readSpanID("parentSpanId", mode: .hexOrBase64)
                })
            } else if key.equals("name") {
                try s.readString(into: &span.name, "name")
            } else if key.equals("kind") {
                try readKind()
            } else if key.equals("startTimeUnixNano", or: "start_time_unix_nano") {
                span.startNs = try s.readTimestampNs("startTimeUnixNano")
            } else if key.equals("endTimeUnixNano", or: "end_time_unix_nano") {
                span.endNs = try s.readTimestampNs("endTimeUnixNano")
            } else if key.equals("attributes") {
                try readAttributes(into: span.attributes)
            } else if key.equals("events") {
                try readEvents()
            } else if key.equals("links") {
                try readLinks()
            } else if key.equals("status") {
                try readStatus()
            } else if key.equals("flags") {
                span.flags = try readFlags()
            } else if key.equals("traceState", or: "trace_state") {
                try s.readString(into: &span.traceState, "traceState")
            } else {
                try s.skipValue()
            }
        }
        if !hasTraceID { problem("span has no traceId (or an all-zero one)", at: start) }
        if !hasSpanID { problem("span has no spanId (or an all-zero one)", at: start) }
        if let startNs = span.startNs, let endNs = span.endNs, endNs < startNs {
            problem("span ends before it starts (endTimeUnixNano \(endNs) < startTimeUnixNano \(startNs))", at: start)
        }
        if span.attributes.isEmpty { span.attributes.append("{}") }
        if span.events.isEmpty { span.events.append("[]") }
        if span.links.isEmpty { span.links.append("[]") }
        if let recordProblem {
            try context.skip(recordProblem)
            return
        }
        try sink.span(span)
    }

    private func readKind() throws(InputError) {
        let at = s.position
        switch try s.kind() {
        case .number:
            let value = try s.readUInt64Flexible("kind")
            if let kind = SpanKind(rawValue: Int(clamping: value)) {
                span.kind = kind
            } else {
                problem("kind \(value) is not a span kind (0–5, or SPAN_KIND_INTERNAL, …)", at: at)
            }
        case .string:
            let name = try s.readStringBytes()
            if let kind = OTLPEnums.spanKind(name) {
                span.kind = kind
            } else {
                problem("kind \(JSONScanner.quote(name)) is not a span kind (SPAN_KIND_INTERNAL, _SERVER, _CLIENT, _PRODUCER, _CONSUMER or _UNSPECIFIED)", at: at)
            }
        case .null:
            _ = try s.readNullIfPresent()
        default:
            throw s.unexpected("kind as a number or a SPAN_KIND_* name")
        }
    }

    private func readStatus() throws(InputError) {
        if try s.readNullIfPresent() { return }
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if key.equals("code") {
                let at = s.position
                switch try s.kind() {
                case .number:
                    let value = try s.readUInt64Flexible("status code")
                    if let code = StatusCode(rawValue: Int(clamping: value)) {
                        span.statusCode = code
                    } else {
                        problem("status code \(value) is not 0, 1 or 2", at: at)
                    }
                case .string:
                    let name = try s.readStringBytes()
                    if let code = OTLPEnums.statusCode(name) {
                        span.statusCode = code
                    } else {
                        problem("status code \(JSONScanner.quote(name)) is not STATUS_CODE_UNSET, _OK or _ERROR", at: at)
                    }
                case .null:
                    _ = try s.readNullIfPresent()
                default:
                    throw s.unexpected("status code as a number or a STATUS_CODE_* name")
                }
            } else if key.equals("message") {
                try s.readString(into: &span.statusMessage, "status message")
            } else {
                try s.skipValue()
            }
        }
    }

    private func readEvents() throws(InputError) {
        span.events.reset()
        span.events.append(UInt8(ascii: "["))
        if try !s.readNullIfPresent() {
            var list = try s.beginArray()
            while try s.nextElement(&list) {
                var obj = try s.beginObject()
                partName.reset()
                partAttributes.reset()
                var time: Int64?
                while let key = try s.nextKey(&obj) {
                    if key.equals("timeUnixNano", or: "time_unix_nano") {
                        time = try s.readTimestampNs("event timeUnixNano")
                    } else if key.equals("name") {
                        partName.reset()
                        if try !s.readNullIfPresent() { try s.readCanonicalString(into: partName) }
                    } else if key.equals("attributes") {
                        try readAttributes(into: partAttributes)
                    } else {
                        try s.skipValue()
                    }
                }
                OTLPRecordJSON.appendEvent(to: span.events, name: partName, attributes: partAttributes, timeNs: time)
            }
        }
        span.events.dropTrailingComma()
        span.events.append(UInt8(ascii: "]"))
    }

    private func readLinks() throws(InputError) {
        span.links.reset()
        span.links.append(UInt8(ascii: "["))
        if try !s.readNullIfPresent() {
            var list = try s.beginArray()
            while try s.nextElement(&list) {
                var obj = try s.beginObject()
                var traceID: TraceID?
                var spanID: SpanID?
                var flags: UInt64 = 0
                partName.reset()  // the trace state
                partAttributes.reset()
                while let key = try s.nextKey(&obj) {
                    if key.equals("traceId", or: "trace_id") {
                        traceID = try readID({ () throws(InputError) in try s.readTraceID("link traceId", mode: .hexOrBase64) })
                    } else if key.equals("spanId", or: "span_id") {
                        spanID = try readID({ () throws(InputError) in try s.readSpanID("link spanId", mode: .hexOrBase64) })
                    } else if key.equals("traceState", or: "trace_state") {
                        partName.reset()
                        if try !s.readNullIfPresent() { try s.readCanonicalString(into: partName) }
                    } else if key.equals("attributes") {
                        try readAttributes(into: partAttributes)
                    } else if key.equals("flags") {
                        flags = try s.readUInt64Flexible("link flags")
                    } else {
                        try s.skipValue()
                    }
                }
                OTLPRecordJSON.appendLink(
                    to: span.links, traceID: traceID, spanID: spanID, traceState: partName, attributes: partAttributes,
                    flags: flags)
            }
        }
        span.links.dropTrailingComma()
        span.links.append(UInt8(ascii: "]"))
    }
}
