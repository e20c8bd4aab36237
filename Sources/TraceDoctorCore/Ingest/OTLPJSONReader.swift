// OTLP/JSON traces: a whole `TracesData` / `ExportTraceServiceRequest` document, JSON Lines
// of them (the collector's file exporter), a bare `ResourceSpans` per line, and Jaeger's API v3
// wrapper `{"result": {...}}`. Hex or base64 IDs, enum names or numbers, string or number
// timestamps, camelCase or snake_case keys.

public struct OTLPJSONReader: RecordReader {
    public static let format = InputFormat.otlpJSON

    public init() {}

    public func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws {
        let scanner = JSONScanner(source: source)
        try OTLPJSONParser(scanner: scanner, sink: sink, context: context).run()
    }
}

/// OTLP/JSON: an object with `resourceSpans` (or a bare ResourceSpans, or Jaeger's API v3
/// `{"result": ...}` wrapper).
public enum OTLPJSONSniffer: FormatSniffer {
    public static func sniff(_ prefix: InputPrefix) -> SniffResult {
        guard let first = prefix.firstSignificantByte, first.byte == UInt8(ascii: "{") else {
            return .reject("expected a JSON object ('{'), \(prefix.foundDescription)")
        }
        let traceKeys: Set = ["resourceSpans", "resource_spans", "scopeSpans", "scope_spans", "instrumentationLibrarySpans"]
        if let shape = prefix.jsonKeys() {
            if shape.keys.contains(where: traceKeys.contains) { return .accept(confidence: 100) }
            if shape.has("result"), let inner = shape.nestedKeys["result"], inner.contains(where: traceKeys.contains) {
                return .accept(confidence: 100)
            }
            if !shape.keys.isEmpty {
                let shown = shape.keys.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
                return .reject("a JSON object without \"resourceSpans\" (its keys: \(shown))")
            }
        }
        // A JSON object too broken to list its keys: this reader reports exactly where.
        return .accept(confidence: 1)
    }
}

/// Walks OTLP/JSON with a `JSONScanner`, one span at a time.
final class OTLPJSONParser {
    let s: JSONScanner
    let sink: RecordSink
    let context: ReadContext
    private let span = SpanRecord()
    private let resource = ResourceRecord()
    /// The first semantic problem in the current span (it is skipped or rejected whole).
    private var spanProblem: InputError?

    init(scanner: JSONScanner, sink: RecordSink, context: ReadContext) {
        s = scanner
        self.sink = sink
        self.context = context
    }

    func run() throws {
        guard try s.peek() != nil else {
            throw InputError("the input is empty (expected an OTLP/JSON document)", at: s.position)
        }
        let lines = try JSONLines.looksLikeJSONLines(s)
        s.newlineEndsRecord = lines
        var records = 0
        while try lines ? s.nextRecord() : (s.peek() != nil) {
            let depth = s.depth
            do {
                try readTopLevel()
                if lines, let c = try s.peek() {
                    throw s.error("expected the end of the line after a record, found '\(Character(Unicode.Scalar(c)))'")
                }
                records += 1
            } catch let error as InputError {
                try context.skip(error)
                // Under --keep-going: JSON Lines resume at the next line; a document cannot.
                guard lines else { return }
                s.resetDepth(to: depth)
                try s.skipLine()
            }
        }
        if records == 0 && context.skippedCount == 0 {
            throw InputError("no OTLP/JSON record found", at: s.position)
        }
    }

    /// One top-level object: `TracesData`, `ExportTraceServiceRequest`, a bare
    /// `ResourceSpans`, or `{"result": TracesData}`.
    private func readTopLevel() throws {
        guard try s.peek() == UInt8(ascii: "{") else { throw s.unexpected("'{' (an OTLP/JSON object)") }
        let start = s.position
        var obj = try s.beginObject()
        var recognised = false
        var bare = try BareResourceSpans(parser: self)
        while let key = try s.nextKey(&obj) {
            if key.equals("resourceSpans", or: "resource_spans") {
                recognised = true
                try readResourceSpansList()
            } else if key.equals("result") {
                recognised = true
                try readTopLevel()
            } else if key.equals("scopeSpans", or: "scope_spans") || key.equals("instrumentationLibrarySpans") {
                recognised = true
                try bare.scopeSpans()
            } else if key.equals("resource") {
                recognised = true
                try bare.resource()
            } else if key.equals("resourceLogs", or: "resource_logs") {
                throw InputError("this is an OTLP/JSON logs document, which this version cannot read yet", at: start)
            } else {
                try s.skipValue()
            }
        }
        guard recognised else {
            throw InputError("not an OTLP/JSON trace record (no \"resourceSpans\" key in this object)", at: start)
        }
    }

    private func readResourceSpansList() throws {
        if try s.readNullIfPresent() { return }
        var list = try s.beginArray()
        while try s.nextElement(&list) {
            try readResourceSpans()
        }
    }

    /// A `ResourceSpans` object whose keys may come in any order.
    private func readResourceSpans() throws {
        var obj = try s.beginObject()
        var bare = try BareResourceSpans(parser: self)
        while let key = try s.nextKey(&obj) {
            if key.equals("resource") {
                try bare.resource()
            } else if key.equals("scopeSpans", or: "scope_spans") || key.equals("instrumentationLibrarySpans") {
                try bare.scopeSpans()
            } else {
                try s.skipValue()
            }
        }
    }

    /// State of one `ResourceSpans` while its keys arrive.
    struct BareResourceSpans {
        let parser: OTLPJSONParser
        let mark: RecordMark
        var sawSpans = false
        var sawResource = false

        init(parser: OTLPJSONParser) throws {
            self.parser = parser
            mark = try parser.sink.makeMark()
            parser.resource.reset()
            parser.resource.attributes.append("{}")
            // Until the resource is read, spans belong to an empty one.
            try parser.sink.resource(parser.resource)
        }

        mutating func resource() throws {
            try parser.readResource()
            if sawSpans {
                try parser.sink.resource(parser.resource, appliesSince: mark)
            } else {
                try parser.sink.resource(parser.resource)
            }
            sawResource = true
        }

        mutating func scopeSpans() throws {
            sawSpans = true
            if try parser.s.readNullIfPresent() { return }
            var list = try parser.s.beginArray()
            while try parser.s.nextElement(&list) {
                try parser.readScopeSpans()
            }
        }
    }

    func readResource() throws {
        resource.reset()
        if try s.readNullIfPresent() { return }
        var obj = try s.beginObject()
        resource.attributes.append(UInt8(ascii: "{"))
        var service: [UInt8]? = []
        while let key = try s.nextKey(&obj) {
            if key.equals("attributes") {
                resource.attributes.reset()
                resource.attributes.append(UInt8(ascii: "{"))
                try s.readOTLPKeyValues(into: resource.attributes, serviceName: &service)
            } else {
                try s.skipValue()
            }
        }
        resource.attributes.dropTrailingComma()
        resource.attributes.append(UInt8(ascii: "}"))
        resource.service = service ?? []
    }

    /// A `ScopeSpans`: the scope may come before or after its spans.
    private func readScopeSpans() throws {
        var obj = try s.beginObject()
        let mark = try sink.makeMark()
        var sawSpans = false
        span.scopeName.removeAll(keepingCapacity: true)
        span.scopeVersion.removeAll(keepingCapacity: true)
        while let key = try s.nextKey(&obj) {
            if key.equals("scope") || key.equals("instrumentationLibrary") {
                try readScope()
                if sawSpans {
                    try sink.scope(name: span.scopeName, version: span.scopeVersion, appliesSince: mark)
                }
            } else if key.equals("spans") {
                sawSpans = true
                if try s.readNullIfPresent() { continue }
                var list = try s.beginArray()
                while try s.nextElement(&list) {
                    try readSpan()
                }
            } else {
                try s.skipValue()
            }
        }
    }

    private func readScope() throws {
        if try s.readNullIfPresent() { return }
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if key.equals("name") {
                try s.readString(into: &span.scopeName)
            } else if key.equals("version") {
                try s.readString(into: &span.scopeVersion)
            } else {
                try s.skipValue()
            }
        }
    }

    // MARK: Spans

    private func problem(_ message: String, at position: SourcePosition) {
        if spanProblem == nil { spanProblem = InputError(message, at: position) }
    }

    /// Reads an ID; an invalid one is noted as the span's problem (the span is then skipped
    /// or rejected) while reading goes on.
    private func readID<T>(_ read: () throws(InputError) -> T?) throws(InputError) -> T? {
        let before = s.position
        do {
            return try read()
        } catch {
            // Only the value's content was bad if the scanner moved past it.
            if s.position == before { throw error }
            if spanProblem == nil { spanProblem = error }
            return nil
        }
    }

    private func readSpan() throws {
        let start = s.position
        span.reset()
        span.position = start
        spanProblem = nil
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
                try s.readString(into: &span.name)
            } else if key.equals("kind") {
                try readKind()
            } else if key.equals("startTimeUnixNano", or: "start_time_unix_nano") {
                span.startNs = try s.readTimestampNs("startTimeUnixNano")
            } else if key.equals("endTimeUnixNano", or: "end_time_unix_nano") {
                span.endNs = try s.readTimestampNs("endTimeUnixNano")
            } else if key.equals("attributes") {
                span.attributes.reset()
                span.attributes.append(UInt8(ascii: "{"))
                try s.readOTLPKeyValues(into: span.attributes)
                span.attributes.dropTrailingComma()
                span.attributes.append(UInt8(ascii: "}"))
            } else if key.equals("events") {
                try readEvents()
            } else if key.equals("links") {
                try readLinks()
            } else if key.equals("status") {
                try readStatus()
            } else if key.equals("flags") {
                let at = s.position
                let flags = try s.readUInt64Flexible("flags")
                if flags > UInt64(UInt32.max) { problem("flags \(flags) do not fit in 32 bits", at: at) }
                span.flags = UInt32(truncatingIfNeeded: flags)
            } else if key.equals("traceState", or: "trace_state") {
                try s.readString(into: &span.traceState)
            } else {
                try s.skipValue()
            }
        }
        if !hasTraceID && spanProblem == nil { problem("span has no traceId (or an all-zero one)", at: start) }
        if !hasSpanID && spanProblem == nil { problem("span has no spanId (or an all-zero one)", at: start) }
        if let startNs = span.startNs, let endNs = span.endNs, endNs < startNs, spanProblem == nil {
            problem("span ends before it starts (endTimeUnixNano \(endNs) < startTimeUnixNano \(startNs))", at: start)
        }
        if span.attributes.isEmpty { span.attributes.append("{}") }
        if span.events.isEmpty { span.events.append("[]") }
        if span.links.isEmpty { span.links.append("[]") }
        if let spanProblem {
            try context.skip(spanProblem)
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
                try s.readString(into: &span.statusMessage)
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
                span.events.append(UInt8(ascii: "{"))
                var time: Int64?
                var hasName = false
                while let key = try s.nextKey(&obj) {
                    if key.equals("timeUnixNano", or: "time_unix_nano") {
                        time = try s.readTimestampNs("event timeUnixNano")
                    } else if key.equals("name") {
                        span.events.appendKey("name")
                        let (body, _) = try s.readRawStringBody()
                        span.events.appendQuotedRaw(body)
                        span.events.append(UInt8(ascii: ","))
                        hasName = true
                    } else if key.equals("attributes") {
                        span.events.appendKey("attributes")
                        span.events.append(UInt8(ascii: "{"))
                        try s.readOTLPKeyValues(into: span.events)
                        span.events.dropTrailingComma()
                        span.events.append("},")
                    } else {
                        try s.skipValue()
                    }
                }
                if !hasName { span.events.append("\"name\":\"\",") }
                span.events.appendKey("time_ns")
                if let time { span.events.appendInt(time) } else { span.events.append("null") }
                span.events.append("},")
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
                span.links.append(UInt8(ascii: "{"))
                while let key = try s.nextKey(&obj) {
                    if key.equals("traceId", or: "trace_id") {
                        if let id = try readID({ () throws(InputError) in try s.readTraceID("link traceId", mode: .hexOrBase64) }) {
                            span.links.appendKey("trace_id")
                            span.links.appendHex(id)
                            span.links.append(UInt8(ascii: ","))
                        }
                    } else if key.equals("spanId", or: "span_id") {
                        if let id = try readID({ () throws(InputError) in try s.readSpanID("link spanId", mode: .hexOrBase64) }) {
                            span.links.appendKey("span_id")
                            span.links.appendHex(id)
                            span.links.append(UInt8(ascii: ","))
                        }
                    } else if key.equals("traceState", or: "trace_state") {
                        let (body, _) = try s.readRawStringBody()
                        if !body.isEmpty {
                            span.links.appendKey("trace_state")
                            span.links.appendQuotedRaw(body)
                            span.links.append(UInt8(ascii: ","))
                        }
                    } else if key.equals("attributes") {
                        span.links.appendKey("attributes")
                        span.links.append(UInt8(ascii: "{"))
                        try s.readOTLPKeyValues(into: span.links)
                        span.links.dropTrailingComma()
                        span.links.append("},")
                    } else if key.equals("flags") {
                        span.links.appendKey("flags")
                        span.links.appendUInt(try s.readUInt64Flexible("link flags"))
                        span.links.append(UInt8(ascii: ","))
                    } else {
                        try s.skipValue()
                    }
                }
                span.links.dropTrailingComma()
                span.links.append("},")
            }
        }
        span.links.dropTrailingComma()
        span.links.append(UInt8(ascii: "]"))
    }
}

/// OTLP enum names as protobuf's JSON mapping writes them.
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
}

/// Telling JSON Lines from one (pretty-printed) document by their first lines.
enum JSONLines {
    /// True when the first line holds a whole object and the next line starts another: the
    /// collector's file exporter format. Then a newline ends each record, so a bad line can be
    /// reported (and skipped) on its own.
    static func looksLikeJSONLines(_ s: JSONScanner) throws(InputError) -> Bool {
        let head = try s.peekBuffered(upTo: 1 << 20)
        guard let newline = head.firstIndex(of: 0x0A) else { return false }
        var first = UnsafeBufferPointer(rebasing: head[..<newline])
        first = trimmed(first)
        guard first.first == UInt8(ascii: "{"), first.last == UInt8(ascii: "}") else { return false }
        var rest = UnsafeBufferPointer(rebasing: head[(newline + 1)...])
        rest = trimmed(rest)
        return rest.isEmpty || rest.first == UInt8(ascii: "{")
    }

    static func trimmed(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0
        var hi = b.count
        while lo < hi, b[lo] <= 0x20 { lo += 1 }
        while hi > lo, b[hi - 1] <= 0x20 { hi -= 1 }
        return UnsafeBufferPointer(rebasing: b[lo..<hi])
    }
}
