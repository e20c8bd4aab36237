// Walks Zipkin v2 JSON with a `JSONScanner`: a list of spans (`POST /api/v2/spans`, `GET
// /api/v2/trace/{id}`), a list of traces (`GET /api/v2/traces`) or one span object, one span at
// a time. Each span names its own process (`localEndpoint`), so nothing waits for later input.
//
// A CLIENT and a SERVER span may share one span ID (B3 lets the server join its client's span).
// Both are stored as read; the store then gives the server half its own ID, makes the client
// its parent and moves the shared ID's children under it (see `SharedSpanPairs`), because only
// the whole file says which IDs are shared: a server half can come after its own children.

final class ZipkinJSONParser {
    let s: JSONScanner
    let sink: RecordSink
    let context: ReadContext
    private let span = SpanRecord()
    private let local = ZipkinEndpoint()
    private let remote = ZipkinEndpoint()
    private let process = ResourceRecord()
    /// The local endpoint of the last span stored: the sink's current resource.
    private let lastLocal = ZipkinEndpoint()
    private var sinkHasResource = false
    private var problem = RecordProblem()

    init(scanner: JSONScanner, sink: RecordSink, context: ReadContext) {
        s = scanner
        self.sink = sink
        self.context = context
    }

    func run() throws {
        guard let first = try s.peek() else {
            throw InputError("the input is empty (expected Zipkin v2 JSON)", at: s.position)
        }
        do {
            switch first {
            case UInt8(ascii: "["):
                var list = try s.beginArray()
                while try s.nextElement(&list) {
                    if try s.peek() == UInt8(ascii: "[") {
                        // A list of traces, each a list of spans.
                        var trace = try s.beginArray()
                        while try s.nextElement(&trace) { try readSpan() }
                    } else {
                        try readSpan()
                    }
                }
            case UInt8(ascii: "{"):
                try readSpan()
            default:
                throw s.unexpected("a Zipkin v2 JSON list of spans ('[') or one span ('{')")
            }
            if let c = try s.peek() {
                throw s.error("expected the end of the input after the Zipkin JSON, found \(InputPrefix.describe(c))")
            }
        } catch let error as InputError {
            // A broken document cannot be resumed: under --keep-going, keep what came before.
            try context.skip(error)
        }
    }

    private func readSpan() throws {
        guard try s.peek() == UInt8(ascii: "{") else { throw s.unexpected("'{' (a Zipkin span)") }
        let start = s.position
        span.reset()
        span.position = start
        span.attributes.append(UInt8(ascii: "{"))
        problem.reset()
        local.reset()
        remote.reset()
        var hasTraceID = false
        var hasSpanID = false
        var timestamp: Int64?
        var duration: Int64?
        var tags = ZipkinStatusTags()
        var debug = false
        var shared = false
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if key.equals("traceId") {
                if let id = try readID(key: "traceId", parse: { IDParser.parseTraceID($0, mode: .paddedHex) }, digits: 32) {
                    span.traceID = id
                    hasTraceID = !id.isZero
                }
            } else if key.equals("id") {
                if let id = try readID(key: "id", parse: { IDParser.parseSpanID($0, mode: .paddedHex) }, digits: 16) {
                    span.spanID = id
                    hasSpanID = !id.isZero
                }
            } else if key.equals("parentId") {
                let id = try readID(key: "parentId", parse: { IDParser.parseSpanID($0, mode: .paddedHex) }, digits: 16)
                span.parentSpanID = id?.isZero == false ? id : nil
            } else if key.equals("name") {
                try s.readString(into: &span.name)
            } else if key.equals("kind") {
                try readKind()
            } else if key.equals("timestamp") {
                timestamp = try readMicros("timestamp")
            } else if key.equals("duration") {
                duration = try readMicros("duration")
            } else if key.equals("localEndpoint") {
                try local.read(s, problem: &problem)
            } else if key.equals("remoteEndpoint") {
                try remote.read(s, problem: &problem)
            } else if key.equals("annotations") {
                try readAnnotations()
            } else if key.equals("tags") {
                try readTags(&tags)
            } else if key.equals("debug") {
                debug = try readFlag()
            } else if key.equals("shared") {
                shared = try readFlag()
            } else {
                try s.skipValue()
            }
        }
        if !hasTraceID { problem.note("span has no traceId (or an all-zero one)", at: start) }
        if !hasSpanID { problem.note("span has no id (or an all-zero one)", at: start) }
        if let timestamp {
            span.startNs = timestamp * 1000
            if let duration {
                let (end, overflow) = timestamp.addingReportingOverflow(duration)
                if overflow || end > Int64.max / 1000 {
                    problem.note("timestamp + duration is out of range", at: start)
                } else {
                    span.endNs = end * 1000
                }
            }
        } else if let duration {
            // No start: keep the duration for analysis (Zipkin's UI backfills such spans).
            span.attributes.appendKey("zipkin.duration_us")
            span.attributes.appendInt(duration)
            span.attributes.append(UInt8(ascii: ","))
        }
        tags.apply(to: span)
        remote.peerAttributes(into: span.attributes)
        if debug { span.attributes.append("\"zipkin.debug\":true,") }
        if shared { span.attributes.append("\"zipkin.shared\":true,") }
        span.attributes.dropTrailingComma()
        span.attributes.append(UInt8(ascii: "}"))
        if span.events.isEmpty { span.events.append("[]") }
        span.links.append("[]")
        if let bad = problem.first {
            try context.skip(bad)
            return
        }
        if !sinkHasResource || !local.same(as: lastLocal) {
            local.resource(into: process)
            try sink.resource(process)
            lastLocal.copy(from: local)
            sinkHasResource = true
        }
        try sink.span(span)
    }

    /// A Zipkin ID: 1–`digits` hex digits (left-padded with zeros). Nil for null or "".
    private func readID<ID>(
        key: StaticString, parse: (UnsafeBufferPointer<UInt8>) -> ID?, digits: Int
    ) throws(InputError) -> ID? {
        if try s.readNullIfPresent() { return nil }
        let at = s.position
        let text = try s.readStringBytes()
        if text.isEmpty { return nil }
        guard text.count <= digits, let id = parse(text) else {
            problem.note("\(key) \(JSONScanner.quote(text)) is not a Zipkin ID (1–\(digits) hex digits)", at: at)
            return nil
        }
        return id
    }

    private func readKind() throws(InputError) {
        if try s.readNullIfPresent() { return }
        let at = s.position
        let name = try s.readStringBytes()
        if name.equalsIgnoringCase("client") {
            span.kind = .client
        } else if name.equalsIgnoringCase("server") {
            span.kind = .server
        } else if name.equalsIgnoringCase("producer") {
            span.kind = .producer
        } else if name.equalsIgnoringCase("consumer") {
            span.kind = .consumer
        } else {
            problem.note("kind \(JSONScanner.quote(name)) is not CLIENT, SERVER, PRODUCER or CONSUMER", at: at)
        }
    }

    /// Epoch or duration microseconds; 0 means "absent", as in Zipkin's own model.
    private func readMicros(_ what: StaticString) throws(InputError) -> Int64? {
        if try s.readNullIfPresent() { return nil }
        let at = s.position
        guard let value = try problem.attempt(s, { () throws(InputError) in try s.readUInt64Flexible("\(what)") }) else {
            return nil
        }
        guard value <= UInt64(Int64.max / 1000) else {
            problem.note("\(what) \(value) µs is out of range (after the year 2262)", at: at)
            return nil
        }
        return value == 0 ? nil : Int64(value)
    }

    private func readFlag() throws(InputError) -> Bool {
        if try s.readNullIfPresent() { return false }
        return try s.readBool()
    }

    /// `annotations` become span events `{"name": value, "attributes": {}, "time_ns": …}`.
    private func readAnnotations() throws(InputError) {
        let events = span.events
        events.reset()
        events.append(UInt8(ascii: "["))
        if try !s.readNullIfPresent() {
            var list = try s.beginArray()
            while try s.nextElement(&list) {
                var obj = try s.beginObject()
                var time: Int64?
                events.append(UInt8(ascii: "{"))
                var named = false
                while let key = try s.nextKey(&obj) {
                    if key.equals("timestamp") {
                        time = try readMicros("annotation timestamp").map { $0 * 1000 }
                    } else if key.equals("value") {
                        events.appendKey("name")
                        events.appendQuotedRaw(try s.readRawStringBody().body)
                        events.append(UInt8(ascii: ","))
                        named = true
                    } else {
                        try s.skipValue()
                    }
                }
                if !named { events.append("\"name\":\"\",") }
                events.append("\"attributes\":{},")
                events.appendKey("time_ns")
                if let time { events.appendInt(time) } else { events.append("null") }
                events.append("},")
            }
        }
        events.dropTrailingComma()
        events.append(UInt8(ascii: "]"))
    }

    /// `tags` (string values, some writers put numbers) become attributes as they are.
    private func readTags(_ status: inout ZipkinStatusTags) throws(InputError) {
        if try s.readNullIfPresent() { return }
        let out = span.attributes
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            out.appendString(key)
            out.append(UInt8(ascii: ":"))
            let which = ZipkinStatusTags.Key(key)
            if which != nil, try s.kind() == .string {
                let value = try s.readStringBytes()
                out.appendString(value)
                status.note(which!, value)
            } else {
                try s.copyValue(into: out)
            }
            out.append(UInt8(ascii: ","))
        }
    }
}
