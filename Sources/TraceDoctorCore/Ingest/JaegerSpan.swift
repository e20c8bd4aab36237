// One Jaeger span while it is read. Its keys come in any order and some of what it means is
// only known at the end (which reference is the parent depends on the trace ID; the service may
// be in a `processes` map that follows the spans), so the span is collected here first and
// turned into a `SpanRecord` by `finish`.

/// A Jaeger span being read; reused from span to span.
final class JaegerSpan {
    /// One entry of `references`.
    struct Reference {
        var childOf: Bool
        /// nil when the reference names no trace (it is then in the span's own trace).
        var traceID: TraceID?
        var spanID: SpanID
    }

    /// Small buffers: a trace's spans may all wait for its processes at once.
    let record = SpanRecord(attributesCapacity: 128, eventsCapacity: 16, linksCapacity: 16)
    /// The span's own `traceID`, if it has one.
    private(set) var traceID: TraceID?
    /// The text of `traceID` when it was not hex (and was hashed).
    private var mappedTraceText: [UInt8]?
    private(set) var processID: [UInt8]?
    /// An embedded `process` (the anonymizer's span list, the UI's internal model), when the
    /// span has one.
    private(set) var process: JaegerProcess?
    private var processStorage: JaegerProcess?
    /// True once a key only spans have was read (an object with none is not a span).
    private(set) var isSpan = false
    private var hasSpanID = false
    private var references: [Reference] = []
    private var parentSpanID: SpanID?
    private var startMicros: Int64?
    private var durationMicros: Int64?
    private var errorTag = false
    private var otelStatus: StatusCode?
    private var problem = RecordProblem()

    func begin(at position: SourcePosition) {
        record.reset()
        record.position = position
        record.attributes.append(UInt8(ascii: "{"))
        traceID = nil
        mappedTraceText = nil
        processID = nil
        process = nil
        isSpan = false
        hasSpanID = false
        references.removeAll(keepingCapacity: true)
        parentSpanID = nil
        startMicros = nil
        durationMicros = nil
        errorTag = false
        otelStatus = nil
        problem.reset()
    }

    // MARK: Reading

    /// Reads the value of `key` (a key of a span object). `scratch` and `fields` are working space.
    func read(
        _ key: UnsafeBufferPointer<UInt8>, _ s: JSONScanner, scratch: JSONBuffer, fields: JSONBuffer
    ) throws(InputError) {
        if key.equals("traceID") {
            if try s.readNullIfPresent() { return }
            let text = try s.readStringBytes()
            if let read = JaegerID.traceID(text) {
                traceID = read.id
                mappedTraceText = read.mapped ? Array(text) : nil
            }
            return
        }
        if key.equals("warnings") {
            try readWarnings(s)
            return
        }
        isSpan = true
        if key.equals("spanID") {
            if let id = try readID(s, JaegerID.spanID, keepAs: "jaeger.span_id") {
                record.spanID = id
                hasSpanID = true
            }
        } else if key.equals("operationName") {
            try s.readString(into: &record.name, "operationName")
        } else if key.equals("references") {
            try readReferences(s)
        } else if key.equals("parentSpanID") {
            parentSpanID = try readID(s, JaegerID.spanID, keepAs: nil)
        } else if key.equals("startTime") {
            startMicros = try readMicros(s, "startTime")
        } else if key.equals("duration") {
            durationMicros = try readMicros(s, "duration")
        } else if key.equals("flags") {
            let flags = try problem.attempt(s) { () throws(InputError) in try s.readUInt64Flexible("flags") } ?? 0
            // Jaeger's bit 0 is "sampled", as in W3C trace flags; its other bits are Jaeger's own.
            record.flags = UInt32(flags & 1)
        } else if key.equals("tags") {
            try readTags(s, scratch: scratch)
        } else if key.equals("logs") {
            try readLogs(s, scratch: scratch, fields: fields)
        } else if key.equals("processID") {
            if try s.readNullIfPresent() { return }
            processID = Array(try s.readStringBytes())
        } else if key.equals("process") {
            let embedded = processStorage ?? JaegerProcess()
            processStorage = embedded
            try embedded.read(s, tags: fields, scratch: scratch)
            process = embedded
        } else {
            try s.skipValue()
        }
    }

    /// Reads an ID; text that is not hex is hashed and, when `keepAs` is given, kept under that
    /// attribute so the original stays visible.
    private func readID<ID>(
        _ s: JSONScanner, _ parse: (UnsafeBufferPointer<UInt8>) -> JaegerID.Read<ID>?, keepAs attribute: StaticString?
    ) throws(InputError) -> ID? {
        if try s.readNullIfPresent() { return nil }
        let text = try s.readStringBytes()
        guard let read = parse(text) else { return nil }
        if read.mapped, let attribute {
            record.attributes.appendKey(attribute)
            record.attributes.appendString(text)
            record.attributes.append(UInt8(ascii: ","))
        }
        return read.id
    }

    /// Microseconds as a number or a string of digits; nil for null.
    private func readMicros(_ s: JSONScanner, _ what: StaticString) throws(InputError) -> Int64? {
        if try s.readNullIfPresent() { return nil }
        let at = s.position
        guard let value = try problem.attempt(s, { () throws(InputError) in try s.readUInt64Flexible("\(what)") }) else {
            return nil
        }
        guard value <= UInt64(Int64.max / 1000) else {
            problem.note("\(what) \(value) µs is out of range (after the year 2262)", at: at)
            return nil
        }
        return Int64(value)
    }

    private func readWarnings(_ s: JSONScanner) throws(InputError) {
        if try s.readNullIfPresent() { return }
        let mark = record.attributes.count
        record.attributes.appendKey("jaeger.warnings")
        let value = record.attributes.count
        try s.copyValue(into: record.attributes)
        if record.attributes.count - value <= 2 {
            record.attributes.truncate(to: mark)  // [] or "": nothing to keep
        } else {
            record.attributes.append(UInt8(ascii: ","))
        }
    }

    private func readReferences(_ s: JSONScanner) throws(InputError) {
        if try s.readNullIfPresent() { return }
        var list = try s.beginArray()
        while try s.nextElement(&list) {
            let at = s.position
            var obj = try s.beginObject()
            var childOf: Bool?
            var traceID: TraceID?
            var spanID: SpanID?
            var zeroTrace = false
            while let key = try s.nextKey(&obj) {
                if key.equals("refType") {
                    let type = try s.readStringBytes()
                    if type.equalsIgnoringCase("child_of") {
                        childOf = true
                    } else if type.equalsIgnoringCase("follows_from") {
                        childOf = false
                    } else {
                        problem.note("reference type \(JSONScanner.quote(type)) is not CHILD_OF or FOLLOWS_FROM", at: at)
                    }
                } else if key.equals("traceID") {
                    if try s.readNullIfPresent() { continue }
                    let text = try s.readStringBytes()
                    traceID = JaegerID.traceID(text)?.id
                    zeroTrace = traceID == nil && !text.isEmpty
                } else if key.equals("spanID") {
                    spanID = try readID(s, JaegerID.spanID, keepAs: nil)
                } else {
                    try s.skipValue()
                }
            }
            // Jaeger drops references to span 0 or trace 0 (its bad-span-references adjuster).
            if let childOf, let spanID, !zeroTrace {
                references.append(Reference(childOf: childOf, traceID: traceID, spanID: spanID))
            }
        }
    }

    private func readTags(_ s: JSONScanner, scratch: JSONBuffer) throws(InputError) {
        let out = record.attributes
        try s.readJaegerKeyValues(into: out, scratch: scratch) { kv in
            if let p = kv.problem { problem.note(p) }
            if kv.keyIs("span.kind", in: out), let value = kv.stringBody(in: out) {
                if let kind = Self.kind(value) { record.kind = kind }
            } else if kv.keyIs("error", in: out) {
                errorTag = kv.isTrue(in: out)
            } else if kv.keyIs("otel.status_code", in: out), let value = kv.stringBody(in: out) {
                if value.equalsIgnoringCase("error") {
                    otelStatus = .error
                } else if value.equalsIgnoringCase("ok") {
                    otelStatus = .ok
                } else if value.equalsIgnoringCase("unset") {
                    otelStatus = .unset
                }
            } else if kv.keyIs("otel.status_description", in: out), let value = kv.stringBody(in: out) {
                record.statusMessage.replace(with: JSONScanner.unescaped(value))
            }
        }
    }

    static func kind(_ name: UnsafeBufferPointer<UInt8>) -> SpanKind? {
        if name.equalsIgnoringCase("server") { return .server }
        if name.equalsIgnoringCase("client") { return .client }
        if name.equalsIgnoringCase("producer") { return .producer }
        if name.equalsIgnoringCase("consumer") { return .consumer }
        if name.equalsIgnoringCase("internal") { return .internal }
        return nil
    }

    /// `logs` become span events: `{"name": <the "event" field>, "attributes": <the other
    /// fields>, "time_ns": …}`, as OpenTelemetry's Jaeger translator names them.
    private func readLogs(_ s: JSONScanner, scratch: JSONBuffer, fields: JSONBuffer) throws(InputError) {
        let events = record.events
        events.reset()
        events.append(UInt8(ascii: "["))
        if try !s.readNullIfPresent() {
            var list = try s.beginArray()
            while try s.nextElement(&list) {
                var obj = try s.beginObject()
                var time: Int64?
                var name: [UInt8] = []
                fields.reset()
                while let key = try s.nextKey(&obj) {
                    if key.equals("timestamp") {
                        if let micros = try readMicros(s, "log timestamp") { time = micros * 1000 }
                    } else if key.equals("fields") {
                        fields.reset()
                        try s.readJaegerKeyValues(into: fields, scratch: scratch) { kv in
                            if let p = kv.problem { problem.note(p) }
                            if kv.keyIs("event", in: fields), let value = kv.stringBody(in: fields) {
                                name = Array(value)
                                fields.truncate(to: kv.key.lowerBound - 1)
                            }
                        }
                    } else {
                        try s.skipValue()
                    }
                }
                events.append(UInt8(ascii: "{"))
                events.appendKey("name")
                name.withUnsafeBufferPointer { events.appendQuotedRaw($0) }
                events.append(UInt8(ascii: ","))
                events.appendKey("attributes")
                events.append(UInt8(ascii: "{"))
                fields.dropTrailingComma()
                events.appendRaw(fields.buffer)
                events.append("},")
                events.appendKey("time_ns")
                if let time { events.appendInt(time) } else { events.append("null") }
                events.append("},")
            }
        }
        events.dropTrailingComma()
        events.append(UInt8(ascii: "]"))
    }

    // MARK: Finishing

    /// Completes `record` once the trace ID (the span's own, else that of its `trace` object)
    /// is known. Returns the problem that makes this span a bad record, if any.
    func finish(trace: JaegerSpan?, processProblem: InputError?) -> InputError? {
        let start = record.position
        if let processProblem { problem.note(processProblem) }
        if !isSpan { problem.note("not a Jaeger span or trace (no \"spanID\", no \"spans\")", at: start) }
        if !hasSpanID { problem.note("span has no spanID (or an all-zero one)", at: start) }
        let attributes = record.attributes
        let traceText = traceID != nil ? mappedTraceText : trace?.mappedTraceText
        if let traceText {
            attributes.appendKey("jaeger.trace_id")
            attributes.appendString(traceText)
            attributes.append(UInt8(ascii: ","))
        }
        if let traceID = traceID ?? trace?.traceID {
            record.traceID = traceID
            resolveReferences(in: traceID)
        } else {
            problem.note("span has no traceID (or an all-zero one), and neither has its trace", at: start)
        }
        if let startMicros {
            record.startNs = startMicros * 1000
            if let durationMicros {
                let (end, overflow) = startMicros.addingReportingOverflow(durationMicros)
                if overflow || end > Int64.max / 1000 {
                    problem.note("startTime + duration is out of range", at: start)
                } else {
                    record.endNs = end * 1000
                }
            }
        } else if let durationMicros {
            // No start: keep the duration where analysis can find it (the Jaeger UI starts
            // such a span at 0).
            attributes.appendKey("jaeger.duration_us")
            attributes.appendInt(durationMicros)
            attributes.append(UInt8(ascii: ","))
        }
        if let otelStatus {
            record.statusCode = otelStatus
        } else if errorTag {
            record.statusCode = .error
        }
        attributes.dropTrailingComma()
        attributes.append(UInt8(ascii: "}"))
        if record.events.isEmpty { record.events.append("[]") }
        return problem.first
    }

    /// The parent is the first CHILD_OF into the span's own trace, else the first FOLLOWS_FROM
    /// into it (Jaeger's `Span.ParentSpanID`, after its parent-reference adjuster); a span with
    /// no such reference falls back to the deprecated `parentSpanID`. Every other reference,
    /// including all that point into another trace, becomes a link.
    private func resolveReferences(in traceID: TraceID) {
        func local(_ r: Reference) -> Bool { r.traceID == nil || r.traceID == traceID }
        let parent = references.firstIndex { $0.childOf && local($0) } ?? references.firstIndex { !$0.childOf && local($0) }
        if let parent {
            record.parentSpanID = references[parent].spanID
            if !references[parent].childOf {
                record.attributes.appendKey("opentracing.ref_type")
                record.attributes.append("\"follows_from\",")
            }
        } else {
            record.parentSpanID = parentSpanID
        }
        let links = record.links
        links.reset()
        links.append(UInt8(ascii: "["))
        for (i, r) in references.enumerated() where i != parent {
            links.append(UInt8(ascii: "{"))
            links.appendKey("trace_id")
            links.appendHex(r.traceID ?? traceID)
            links.append(UInt8(ascii: ","))
            links.appendKey("span_id")
            links.appendHex(r.spanID)
            links.append(UInt8(ascii: ","))
            links.appendKey("attributes")
            links.append(r.childOf ? #"{"opentracing.ref_type":"child_of"}"# : #"{"opentracing.ref_type":"follows_from"}"#)
            links.append("},")
        }
        links.dropTrailingComma()
        links.append(UInt8(ascii: "]"))
    }
}
