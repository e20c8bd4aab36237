// One decoded protobuf Span or LogRecord into a SpanRecord or LogRecord, field for field as the
// OTLP/JSON reader fills them: the same export in either encoding stores identical rows.

import Foundation

typealias OTLPSpan = Opentelemetry_Proto_Trace_V1_Span
typealias OTLPLogRecord = Opentelemetry_Proto_Logs_V1_LogRecord

extension OTLPProtobufWalker {
    private func problem(_ message: String, at offset: Int64) {
        if recordProblem == nil { recordProblem = InputError(message, at: .byteOffset(offset)) }
    }

    /// A trace ID from its 16 bytes; nil when empty or all zero. Another length is the record's
    /// problem.
    private func traceID(_ bytes: Data, _ field: String, at offset: Int64) -> TraceID? {
        if bytes.isEmpty { return nil }
        guard bytes.count == 16 else {
            problem("\(field) is \(bytes.count) bytes, not 16 (is this an OTLP traces or logs export?)", at: offset)
            return nil
        }
        let id = bytes.withUnsafeBytes { raw in
            TraceID(
                high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        return id.isZero ? nil : id
    }

    /// A span ID from its 8 bytes; nil when empty or all zero.
    private func spanID(_ bytes: Data, _ field: String, at offset: Int64) -> SpanID? {
        if bytes.isEmpty { return nil }
        guard bytes.count == 8 else {
            problem("\(field) is \(bytes.count) bytes, not 8", at: offset)
            return nil
        }
        let id = SpanID(bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) })
        return id.isZero ? nil : id
    }

    /// A Unix-nanosecond time; 0 means "not set".
    private func timestamp(_ value: UInt64, _ field: String, at offset: Int64) -> Int64? {
        if value == 0 { return nil }
        guard value <= UInt64(Int64.max) else {
            problem("\(field) \(value) is out of range (after the year 2262)", at: offset)
            return nil
        }
        return Int64(value)
    }

    private func finish(at offset: Int64, emit: () throws -> Void) throws {
        if let recordProblem {
            try context.skip(recordProblem)
            return
        }
        try emit()
    }

    func emitSpan(_ message: OTLPSpan, at offset: Int64) throws {
        span.reset()
        span.position = .byteOffset(offset)
        span.scopeName.replace(with: scopeName)
        span.scopeVersion.replace(with: scopeVersion)
        recordProblem = nil
        let traceID = traceID(message.traceID, "trace_id", at: offset)
        let spanID = spanID(message.spanID, "span_id", at: offset)
        span.parentSpanID = self.spanID(message.parentSpanID, "parent_span_id", at: offset)
        if let traceID { span.traceID = traceID } else { problem("span has no trace_id (or an all-zero one)", at: offset) }
        if let spanID { span.spanID = spanID } else { problem("span has no span_id (or an all-zero one)", at: offset) }
        span.name.append(contentsOf: message.name.utf8)
        if let kind = SpanKind(rawValue: message.kind.rawValue) {
            span.kind = kind
        } else {
            problem("kind \(message.kind.rawValue) is not a span kind (0–5)", at: offset)
        }
        span.startNs = timestamp(message.startTimeUnixNano, "start_time_unix_nano", at: offset)
        span.endNs = timestamp(message.endTimeUnixNano, "end_time_unix_nano", at: offset)
        if let startNs = span.startNs, let endNs = span.endNs, endNs < startNs {
            problem("span ends before it starts (end_time_unix_nano \(endNs) < start_time_unix_nano \(startNs))", at: offset)
        }
        if let code = StatusCode(rawValue: message.status.code.rawValue) {
            span.statusCode = code
        } else {
            problem("status code \(message.status.code.rawValue) is not 0, 1 or 2", at: offset)
        }
        span.statusMessage.append(contentsOf: message.status.message.utf8)
        span.flags = message.flags
        span.traceState.append(contentsOf: message.traceState.utf8)
        span.attributes.setOTLPAttributes(message.attributes)
        if span.attributes.isEmpty { span.attributes.append("{}") }
        writeEvents(message.events, at: offset)
        writeLinks(message.links, at: offset)
        try finish(at: offset) { try sink.span(span) }
    }

    private func writeEvents(_ events: [OTLPSpan.Event], at offset: Int64) {
        span.events.reset()
        span.events.append(UInt8(ascii: "["))
        for event in events {
            partName.reset()
            if !event.name.isEmpty { partName.appendString(event.name) }
            partAttributes.setOTLPAttributes(event.attributes)
            let time = timestamp(event.timeUnixNano, "event time_unix_nano", at: offset)
            OTLPRecordJSON.appendEvent(to: span.events, name: partName, attributes: partAttributes, timeNs: time)
        }
        span.events.dropTrailingComma()
        span.events.append(UInt8(ascii: "]"))
    }

    private func writeLinks(_ links: [OTLPSpan.Link], at offset: Int64) {
        span.links.reset()
        span.links.append(UInt8(ascii: "["))
        for link in links {
            partName.reset()  // the trace state
            if !link.traceState.isEmpty { partName.appendString(link.traceState) }
            partAttributes.setOTLPAttributes(link.attributes)
            OTLPRecordJSON.appendLink(
                to: span.links, traceID: traceID(link.traceID, "link trace_id", at: offset),
                spanID: spanID(link.spanID, "link span_id", at: offset), traceState: partName,
                attributes: partAttributes, flags: UInt64(link.flags))
        }
        span.links.dropTrailingComma()
        span.links.append(UInt8(ascii: "]"))
    }

    func emitLog(_ message: OTLPLogRecord, at offset: Int64) throws {
        log.reset()
        logOrdinal += 1
        log.position = .byteOffset(offset)
        log.line = logOrdinal
        log.scopeName.replace(with: scopeName)
        recordProblem = nil
        log.timeNs = timestamp(message.timeUnixNano, "time_unix_nano", at: offset)
        log.observedTimeNs = timestamp(message.observedTimeUnixNano, "observed_time_unix_nano", at: offset)
        let severity = message.severityNumber.rawValue
        if (0...24).contains(severity) {
            log.severityNumber = severity
        } else {
            problem("severity_number \(severity) is not a severity (0–24)", at: offset)
        }
        log.severityText.append(contentsOf: message.severityText.utf8)
        if message.hasBody {
            if case let .stringValue(text) = message.body.value {
                log.body.append(contentsOf: text.utf8)
            } else {
                partAttributes.reset()
                partAttributes.appendOTLPAnyValue(message.body)
                // An empty AnyValue is no body, as in OTLP/JSON.
                if !partAttributes.buffer.equals("null") { log.body = partAttributes.bytes }
            }
        }
        log.attributes.setOTLPAttributes(message.attributes)
        if !message.eventName.isEmpty {
            OTLPRecordJSON.addStringMember("event.name", Array(message.eventName.utf8), to: log.attributes)
        }
        log.traceID = traceID(message.traceID, "trace_id", at: offset)
        log.spanID = spanID(message.spanID, "span_id", at: offset)
        log.flags = message.flags
        try finish(at: offset) { try sink.log(log) }
    }
}
