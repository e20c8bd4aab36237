// The walk over an OTLP protobuf input, down to one span or log record at a time. swift-protobuf
// decodes a whole message into memory (245 MB for a 42 MB export), so the levels above the
// records (export → ResourceSpans → ScopeSpans, and their logs twins) are walked here, field by
// field, and swift-protobuf decodes only single Resource, InstrumentationScope, Span and LogRecord
// messages. Memory is then bounded by the largest single record, whatever the export's size.

import Foundation
import SwiftProtobuf

final class OTLPProtobufWalker {
    let stream: ProtobufStream
    let sink: RecordSink
    let context: ReadContext
    let span = SpanRecord()
    let log = LogRecord()
    let resource = ResourceRecord()
    var scopeName: [UInt8] = []
    var scopeVersion: [UInt8] = []
    /// Spans or logs, from the first record (an export holds one kind).
    var signal: OTLPSignal?
    /// The first semantic problem in the current record (it is skipped or rejected whole).
    var recordProblem: InputError?
    /// Scratch for the parts of one event or link.
    let partName = JSONBuffer(capacity: 64)
    let partAttributes = JSONBuffer(capacity: 256)
    /// Log records read so far: a log's "line" in binary input.
    var logOrdinal = 0
    /// The largest single message held in memory so far, in bytes.
    private(set) var largestMessage = 0

    init(stream: ProtobufStream, sink: RecordSink, context: ReadContext) {
        self.stream = stream
        self.sink = sink
        self.context = context
    }

    func run() throws {
        let head = try stream.peek(upTo: FormatDetector.prefixLength)
        let layout = try OTLPProtobufLayout.inspect(
            head, isComplete: head.count < FormatDetector.prefixLength, strict: false
        ).get()
        switch layout.framing {
        case .single:
            try readExport(end: nil)
        case .lengthDelimited:
            while try !stream.atEnd() {
                let length = try stream.readLength(of: "a length-prefixed export", within: nil)
                try readExport(end: stream.offset + Int64(length))
            }
        }
    }

    // MARK: Levels above the records

    private func atEnd(_ end: Int64?) throws(InputError) -> Bool {
        if let end { return stream.offset >= end }
        return try stream.atEnd()
    }

    /// A field this walker reads must have the wire type OTLP gives it.
    private func expect(_ tag: FieldTag, _ wireType: FieldTag.WireType, in message: String, at offset: Int64) throws(InputError) {
        guard tag.wireType == wireType else {
            throw InputError(
                "field \(tag.number) of a \(message) has wire type \(tag.wireType.rawValue), not \(wireType.rawValue): "
                    + "the data is corrupt or not OTLP", at: .byteOffset(offset))
        }
    }

    private func expectEnd(_ end: Int64, of message: String) throws(InputError) {
        guard stream.offset == end else {
            throw InputError("a field runs past the end of its \(message): the data is corrupt", at: .byteOffset(stream.offset))
        }
    }

    /// An `ExportTraceServiceRequest` / `TracesData` / `ExportLogsServiceRequest` / `LogsData`
    /// ending at `end` (nil: at the end of the input).
    private func readExport(end: Int64?) throws {
        let message = "ExportTraceServiceRequest or ExportLogsServiceRequest"
        while try !atEnd(end) {
            let at = stream.offset
            let tag = try stream.readTag()
            if tag.number == 1 {
                try expect(tag, .lengthDelimited, in: message, at: at)
                let length = try stream.readLength(of: "a ResourceSpans or ResourceLogs", within: end)
                try readResourceRecords(end: stream.offset + Int64(length))
            } else {
                try stream.skipValue(of: tag, within: end)
            }
        }
        if let end { try expectEnd(end, of: message) }
    }

    /// A `ResourceSpans` / `ResourceLogs`: the resource may come before or after its scopes.
    private func readResourceRecords(end: Int64) throws {
        let message = "ResourceSpans or ResourceLogs"
        let mark = try sink.makeMark()
        resource.reset()
        resource.attributes.append("{}")
        // Until the resource is read, records belong to an empty one.
        try sink.resource(resource)
        var sawRecords = false
        while stream.offset < end {
            let at = stream.offset
            let tag = try stream.readTag()
            switch tag.number {
            case 1:
                try expect(tag, .lengthDelimited, in: message, at: at)
                let decoded = try decode(Opentelemetry_Proto_Resource_V1_Resource.self, "a Resource", within: end)
                resource.reset()
                resource.attributes.setOTLPAttributes(decoded.attributes)
                if resource.attributes.isEmpty { resource.attributes.append("{}") }
                for pair in decoded.attributes where pair.key == "service.name" {
                    if case let .stringValue(name) = pair.value.value { resource.service = Array(name.utf8) }
                }
                if sawRecords {
                    try sink.resource(resource, appliesSince: mark)
                } else {
                    try sink.resource(resource)
                }
            case 2, 1000:  // scope_spans / scope_logs; 1000: the instrumentation_library_* of OTLP < 0.19
                try expect(tag, .lengthDelimited, in: message, at: at)
                sawRecords = true
                let length = try stream.readLength(of: "a ScopeSpans or ScopeLogs", within: end)
                try readScopeRecords(end: stream.offset + Int64(length))
            default:
                try stream.skipValue(of: tag, within: end)
            }
        }
        try expectEnd(end, of: message)
    }

    /// A `ScopeSpans` / `ScopeLogs`: the scope may come before or after its records.
    private func readScopeRecords(end: Int64) throws {
        let message = "ScopeSpans or ScopeLogs"
        let mark = try sink.makeMark()
        scopeName.removeAll(keepingCapacity: true)
        scopeVersion.removeAll(keepingCapacity: true)
        var sawRecords = false
        while stream.offset < end {
            let at = stream.offset
            let tag = try stream.readTag()
            switch tag.number {
            case 1:
                try expect(tag, .lengthDelimited, in: message, at: at)
                let scope = try decode(Opentelemetry_Proto_Common_V1_InstrumentationScope.self, "an InstrumentationScope", within: end)
                scopeName = Array(scope.name.utf8)
                scopeVersion = Array(scope.version.utf8)
                if sawRecords { try sink.scope(name: scopeName, version: scopeVersion, appliesSince: mark) }
            case 2:
                try expect(tag, .lengthDelimited, in: message, at: at)
                sawRecords = true
                try readRecord(within: end)
            default:
                try stream.skipValue(of: tag, within: end)
            }
        }
        try expectEnd(end, of: message)
    }

    // MARK: Records

    /// One Span or LogRecord: which one its fields' wire types tell (the first settles the
    /// export's kind). A record that does not decode is skipped under --keep-going: its length
    /// is known, so reading goes on after it.
    private func readRecord(within end: Int64) throws {
        let length = try stream.readLength(of: "a Span or LogRecord", within: end)
        let offset = stream.offset
        let bytes = try stream.readBytes(length, of: "a Span or LogRecord")
        largestMessage = max(largestMessage, length)
        let kind: OTLPSignal
        do {
            kind = try Self.recordKind(bytes, at: offset, signal: signal)
        } catch {
            try context.skip(error)
            return
        }
        if signal == nil { signal = kind }
        switch kind {
        case .spans:
            if let span = try decodeOrSkip(OTLPSpan.self, bytes, "a Span", at: offset) { try emitSpan(span, at: offset) }
        case .logs:
            if let log = try decodeOrSkip(OTLPLogRecord.self, bytes, "a LogRecord", at: offset) { try emitLog(log, at: offset) }
        }
    }

    /// The decoded record, or nil when it does not decode and --keep-going skips it.
    private func decodeOrSkip<M: SwiftProtobuf.Message>(
        _ type: M.Type, _ bytes: UnsafeRawBufferPointer, _ what: String, at offset: Int64
    ) throws(InputError) -> M? {
        do {
            return try Self.decode(type, bytes, what, at: offset)
        } catch {
            try context.skip(error)
            return nil
        }
    }

    /// Spans or logs, from the wire types of a record's fields.
    static func recordKind(_ bytes: UnsafeRawBufferPointer, at offset: Int64, signal: OTLPSignal?) throws(InputError) -> OTLPSignal {
        var fit = OTLPRecordFit()
        var i = 0
        func varint() throws(InputError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count, shift < 64 {
                let byte = bytes[i]
                i += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            throw InputError("a record whose fields run past its end: the data is corrupt", at: .byteOffset(offset + Int64(i)))
        }
        while i < bytes.count {
            let tag = try varint()
            let wireType = UInt8(tag & 7)
            fit.add(field: tag >> 3, wireType: wireType)
            switch wireType {
            case 0: _ = try varint()
            case 1: i += 8
            case 5: i += 4
            case 2: i += Int(clamping: try varint())
            default:
                throw InputError("a record with an invalid field tag 0x\(String(tag, radix: 16)): the data is corrupt", at: .byteOffset(offset))
            }
        }
        switch fit.kind {
        case .span: if signal == nil || signal == .spans { return .spans }
        case .logRecord: if signal == nil || signal == .logs { return .logs }
        case .either: return signal ?? .logs
        case nil:
            throw InputError(
                "a record that is neither a Span nor a LogRecord (\(fit.misfitDescription)): the data is corrupt or not OTLP traces or logs",
                at: .byteOffset(offset))
        }
        throw InputError(
            signal == .spans ? "a LogRecord among spans: an export holds one kind of record" : "a Span among log records: an export holds one kind of record",
            at: .byteOffset(offset))
    }

    /// Decodes the next length-delimited field as `type` (a small message: a Resource or scope).
    private func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ what: String, within end: Int64) throws(InputError) -> M {
        let length = try stream.readLength(of: what, within: end)
        let offset = stream.offset
        let bytes = try stream.readBytes(length, of: what)
        largestMessage = max(largestMessage, length)
        return try Self.decode(type, bytes, what, at: offset)
    }

    static func decode<M: SwiftProtobuf.Message>(
        _ type: M.Type, _ bytes: UnsafeRawBufferPointer, _ what: String, at offset: Int64
    ) throws(InputError) -> M {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return M() }
        // The bytes stay in the stream's buffer: swift-protobuf reads them in place.
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        do {
            return try M(serializedBytes: data)
        } catch let error as BinaryDecodingError {
            let why: String
            switch error {
            case .truncated: why = "is cut short inside (a length runs past its end)"
            case .invalidUTF8: why = "has a string that is not valid UTF-8"
            case .messageDepthLimit: why = "is nested too deeply"
            default: why = "is not valid protobuf (\(error))"
            }
            throw InputError("\(what) of \(bytes.count) bytes \(why): the data is corrupt", at: .byteOffset(offset))
        } catch {
            throw InputError("\(what) of \(bytes.count) bytes cannot be decoded: \(error)", at: .byteOffset(offset))
        }
    }
}
