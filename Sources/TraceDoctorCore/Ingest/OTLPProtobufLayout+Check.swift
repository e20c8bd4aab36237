// The check behind OTLPProtobufLayout: one pass over an input's first bytes under one framing,
// following OTLP's schema down to the records.

extension OTLPProtobufLayout {
    /// One pass over the first bytes of an input under one framing.
    struct Check {
        let bytes: UnsafeRawBufferPointer
        let isComplete: Bool
        let strict: Bool
        var pos = 0
        var signal: OTLPSignal?
        var wholeRecords = 0
        var resources = 0

        init(bytes: UnsafeRawBufferPointer, isComplete: Bool, strict: Bool) {
            self.bytes = bytes
            self.isComplete = isComplete
            self.strict = strict
        }

        /// The bytes ran out before `what` ended: fine in a prefix, an error in a whole input.
        private struct PrefixEnded: Error {}

        private func fail(_ message: String, at offset: Int) -> InputError {
            InputError(message, at: .byteOffset(Int64(offset)))
        }

        /// The whole input (as far as the bytes go) as exports in `framing`.
        mutating func requests(framing: Framing) throws(InputError) {
            do {
                switch framing {
                case .single:
                    guard bytes[0] == 0x0A else {
                        throw fail("expected byte 0x0A (field 1: a ResourceSpans or ResourceLogs), found " + InputPrefix.describe(bytes[0]), at: 0)
                    }
                    try message(.request, end: isComplete ? bytes.count : Int.max)
                case .lengthDelimited:
                    while pos < bytes.count {
                        let start = pos
                        let length = try varint()
                        guard length <= UInt64(Int32.max) else { throw fail("a message length of \(length) bytes", at: start) }
                        try message(.request, end: pos + Int(length))
                    }
                }
            } catch is PrefixEnded {
                if isComplete { throw fail("the input ends inside a message: is the file cut short?", at: pos) }
            } catch let error as InputError {
                throw error
            } catch {
                throw fail("\(error)", at: pos)
            }
            guard resources > 0 else { throw fail("no ResourceSpans or ResourceLogs", at: 0) }
        }

        private enum Kind {
            case request, resourceRecords, resource, scopeRecords, scope

            var name: String {
                switch self {
                case .request: "an ExportTraceServiceRequest or ExportLogsServiceRequest"
                case .resourceRecords: "a ResourceSpans or ResourceLogs"
                case .resource: "a Resource"
                case .scopeRecords: "a ScopeSpans or ScopeLogs"
                case .scope: "an InstrumentationScope"
                }
            }

            /// Wire type and, for messages checked inside, the kind of each field.
            func field(_ number: UInt64) -> (wireType: UInt8, kind: Kind?, isRecord: Bool)? {
                switch (self, number) {
                case (.request, 1): (2, .resourceRecords, false)
                case (.resourceRecords, 1): (2, .resource, false)
                case (.resourceRecords, 2), (.resourceRecords, 1000): (2, .scopeRecords, false)
                case (.resourceRecords, 3): (2, nil, false)
                case (.resource, 1), (.resource, 3): (2, nil, false)
                case (.resource, 2): (0, nil, false)
                case (.scopeRecords, 1): (2, .scope, false)
                case (.scopeRecords, 2): (2, nil, true)
                case (.scopeRecords, 3): (2, nil, false)
                case (.scope, 1), (.scope, 2), (.scope, 3): (2, nil, false)
                case (.scope, 4): (0, nil, false)
                default: nil
                }
            }
        }

        private mutating func message(_ kind: Kind, end: Int) throws {
            if kind == .resourceRecords { resources += 1 }
            while pos < end {
                if pos >= bytes.count { throw PrefixEnded() }
                let start = pos
                let tag = try varint()
                let number = tag >> 3
                let wireType = UInt8(tag & 7)
                guard number > 0, wireType <= 5, wireType != 3, wireType != 4 else {
                    throw fail("invalid field tag 0x\(String(tag, radix: 16)) in \(kind.name)", at: start)
                }
                guard let known = kind.field(number) else {
                    if strict { throw fail("field \(number) is not part of \(kind.name)", at: start) }
                    try skip(wireType, end: end, at: start)
                    continue
                }
                guard known.wireType == wireType else {
                    throw fail("field \(number) of \(kind.name) has wire type \(wireType), not \(known.wireType)", at: start)
                }
                if wireType != 2 {
                    try skip(wireType, end: end, at: start)
                    continue
                }
                let length = try varint()
                guard length <= left(before: end) else {
                    if isComplete && end == bytes.count {
                        throw fail(
                            "the input ends inside field \(number) of \(kind.name) (\(end - pos) of its \(length) bytes are there): "
                                + "is the file cut short?", at: start)
                    }
                    throw fail("field \(number) of \(kind.name) claims \(length) bytes, more than its message has left", at: start)
                }
                let fieldEnd = pos + Int(length)
                if let inner = known.kind {
                    try message(inner, end: fieldEnd)
                } else if known.isRecord {
                    try record(end: fieldEnd, at: start)
                } else {
                    pos = fieldEnd
                }
            }
            guard pos == end || end == Int.max else { throw fail("a field runs past the end of \(kind.name)", at: pos) }
        }

        /// A Span or LogRecord: the wire types of its fields tell which.
        private mutating func record(end: Int, at start: Int) throws {
            var fit = OTLPRecordFit()
            var cut = false
            while pos < end {
                if pos >= bytes.count {
                    cut = true
                    break
                }
                let tag = try varint()
                let wireType = UInt8(tag & 7)
                guard tag >> 3 > 0, wireType <= 5, wireType != 3, wireType != 4 else {
                    throw fail("invalid field tag 0x\(String(tag, radix: 16)) in a Span or LogRecord", at: start)
                }
                fit.add(field: tag >> 3, wireType: wireType)
                try skip(wireType, end: end, at: start)
            }
            // Only detection (strict) judges records; the reader judges each one itself, so that
            // --keep-going can skip a bad one.
            if strict {
                switch fit.kind {
                case nil: throw fail("a record that is neither a Span nor a LogRecord: \(fit.misfitDescription)", at: start)
                case .span: try settle(.spans, at: start)
                case .logRecord: try settle(.logs, at: start)
                case .either: break
                }
            }
            if cut { throw PrefixEnded() }
            wholeRecords += 1
        }

        private mutating func settle(_ found: OTLPSignal, at start: Int) throws {
            if let signal, signal != found {
                throw fail(
                    signal == .spans
                        ? "a LogRecord among spans: an export holds one kind of record"
                        : "a Span among log records: an export holds one kind of record", at: start)
            }
            signal = found
        }

        private mutating func skip(_ wireType: UInt8, end: Int, at start: Int) throws {
            switch wireType {
            case 0: _ = try varint()
            case 1: pos += 8
            case 5: pos += 4
            default:
                let length = try varint()
                guard length <= left(before: end) else {
                    throw fail("a field claims \(length) bytes, more than its message has left", at: start)
                }
                pos += Int(length)
            }
            if pos > end { throw fail("a field runs past the end of its message", at: start) }
            if pos > bytes.count { throw PrefixEnded() }
        }

        /// The bytes left before `end`: none once a tag or length has run past it (converting the
        /// negative difference would trap).
        private func left(before end: Int) -> UInt64 {
            end > pos ? UInt64(end - pos) : 0
        }

        private mutating func varint() throws -> UInt64 {
            let start = pos
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                if pos >= bytes.count { throw PrefixEnded() }
                let byte = bytes[pos]
                pos += 1
                if shift == 63 && byte > 1 { throw fail("a varint longer than 64 bits", at: start) }
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
    }
}
