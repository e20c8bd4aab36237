// The walk over an OTLP/JSON input shared by traces and logs: records, top-level objects,
// resources and scopes. Spans and log records are read in OTLPJSONParser+Spans.swift and
// OTLPJSONParser+Logs.swift.

/// Walks OTLP/JSON with a `JSONScanner`, one span or log record at a time.
final class OTLPJSONParser {
    let s: JSONScanner
    let sink: RecordSink
    let context: ReadContext
    let span = SpanRecord()
    let log = LogRecord()
    let resource = ResourceRecord()
    /// The instrumentation scope of the records being read.
    var scopeName: [UInt8] = []
    var scopeVersion: [UInt8] = []
    /// The first semantic problem in the current span or log record (it is skipped or rejected
    /// whole).
    var recordProblem: InputError?
    /// Scratch for the parts of one event or link, put in canonical order once all are read.
    let partName = JSONBuffer(capacity: 64)
    let partAttributes = JSONBuffer(capacity: 256)
    /// Whether --keep-going skips a whole document that is not OTLP or not JSON (files); an
    /// export request (`OTLPRequestDecoder`) is refused instead.
    var skipsBadDocuments = true

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
                guard skipsBadDocuments else { throw error }
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

    /// One top-level object: `TracesData`, `ExportTraceServiceRequest`, `LogsData`,
    /// `ExportLogsServiceRequest`, a bare `ResourceSpans` or `ResourceLogs`, or
    /// `{"result": TracesData}`.
    private func readTopLevel() throws {
        guard try s.peek() == UInt8(ascii: "{") else { throw s.unexpected("'{' (an OTLP/JSON object)") }
        let start = s.position
        var obj = try s.beginObject()
        var recognised = false
        var bare = try BareResource(parser: self)
        while let key = try s.nextKey(&obj) {
            if key.equals("resourceSpans", or: "resource_spans") {
                recognised = true
                try readResourceList(.spans)
            } else if key.equals("resourceLogs", or: "resource_logs") {
                recognised = true
                try readResourceList(.logs)
            } else if key.equals("result") {
                recognised = true
                try readTopLevel()
            } else if key.equals("scopeSpans", or: "scope_spans") || key.equals("instrumentationLibrarySpans") {
                recognised = true
                try bare.scopes(.spans)
            } else if key.equals("scopeLogs", or: "scope_logs") || key.equals("instrumentationLibraryLogs") {
                recognised = true
                try bare.scopes(.logs)
            } else if key.equals("resource") {
                recognised = true
                try bare.resource()
            } else {
                try s.skipValue()
            }
        }
        guard recognised else {
            throw InputError(
                "not an OTLP/JSON record (no \"resourceSpans\" or \"resourceLogs\" key in this object)", at: start)
        }
    }

    private func readResourceList(_ signal: OTLPSignal) throws {
        if try s.readNullIfPresent() { return }
        var list = try s.beginArray()
        while try s.nextElement(&list) {
            try readResource(signal)
        }
    }

    /// A `ResourceSpans` or `ResourceLogs` object whose keys may come in any order.
    private func readResource(_ signal: OTLPSignal) throws {
        var obj = try s.beginObject()
        var bare = try BareResource(parser: self)
        while let key = try s.nextKey(&obj) {
            if key.equals("resource") {
                try bare.resource()
            } else if signal == .spans,
                key.equals("scopeSpans", or: "scope_spans") || key.equals("instrumentationLibrarySpans")
            {
                try bare.scopes(.spans)
            } else if signal == .logs,
                key.equals("scopeLogs", or: "scope_logs") || key.equals("instrumentationLibraryLogs")
            {
                try bare.scopes(.logs)
            } else {
                try s.skipValue()
            }
        }
    }

    /// State of one `ResourceSpans` / `ResourceLogs` while its keys arrive.
    struct BareResource {
        let parser: OTLPJSONParser
        let mark: RecordMark
        var sawRecords = false

        init(parser: OTLPJSONParser) throws {
            self.parser = parser
            mark = try parser.sink.makeMark()
            parser.resource.reset()
            parser.resource.attributes.append("{}")
            // Until the resource is read, records belong to an empty one.
            try parser.sink.resource(parser.resource)
        }

        mutating func resource() throws {
            try parser.readResourceObject()
            if sawRecords {
                try parser.sink.resource(parser.resource, appliesSince: mark)
            } else {
                try parser.sink.resource(parser.resource)
            }
        }

        mutating func scopes(_ signal: OTLPSignal) throws {
            sawRecords = true
            if try parser.s.readNullIfPresent() { return }
            var list = try parser.s.beginArray()
            while try parser.s.nextElement(&list) {
                try parser.readScopeRecords(signal)
            }
        }
    }

    func readResourceObject() throws {
        resource.reset()
        if try s.readNullIfPresent() {
            // `"resource": null` is the default resource: no attributes.
            resource.attributes.append("{}")
            return
        }
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

    /// A `ScopeSpans` or `ScopeLogs`: the scope may come before or after its records.
    private func readScopeRecords(_ signal: OTLPSignal) throws {
        var obj = try s.beginObject()
        let mark = try sink.makeMark()
        var sawRecords = false
        scopeName.removeAll(keepingCapacity: true)
        scopeVersion.removeAll(keepingCapacity: true)
        while let key = try s.nextKey(&obj) {
            if key.equals("scope") || key.equals("instrumentationLibrary") {
                try readScope()
                if sawRecords {
                    try sink.scope(name: scopeName, version: scopeVersion, appliesSince: mark)
                }
            } else if signal == .spans, key.equals("spans") {
                sawRecords = true
                try readList { (p) throws in try p.readSpan() }
            } else if signal == .logs, key.equals("logRecords", or: "log_records") {
                sawRecords = true
                try readList { (p) throws in try p.readLogRecord() }
            } else {
                try s.skipValue()
            }
        }
    }

    private func readList(_ element: (OTLPJSONParser) throws -> Void) throws {
        if try s.readNullIfPresent() { return }
        var list = try s.beginArray()
        while try s.nextElement(&list) {
            try element(self)
        }
    }

    private func readScope() throws {
        if try s.readNullIfPresent() { return }
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if key.equals("name") {
                try s.readString(into: &scopeName, "scope name")
            } else if key.equals("version") {
                try s.readString(into: &scopeVersion, "scope version")
            } else {
                try s.skipValue()
            }
        }
    }

    // MARK: Problems in one record

    func problem(_ message: String, at position: SourcePosition) {
        if recordProblem == nil { recordProblem = InputError(message, at: position) }
    }

    /// Reads an ID; an invalid one is noted as the record's problem (the record is then skipped
    /// or rejected) while reading goes on.
    func readID<T>(_ read: () throws(InputError) -> T?) throws(InputError) -> T? {
        _ = try s.peek()  // so that `before` is at the value, past any whitespace
        let before = s.position
        do {
            return try read()
        } catch {
            // Only the value's content was bad if the scanner moved past it.
            if s.position == before { throw error }
            if recordProblem == nil { recordProblem = error }
            return nil
        }
    }

    /// OTLP `flags` (a fixed32): a number that does not fit in 32 bits is the record's problem.
    func readFlags() throws(InputError) -> UInt32 {
        let at = s.position
        let flags = try s.readUInt64Flexible("flags")
        if flags > UInt64(UInt32.max) { problem("flags \(flags) do not fit in 32 bits", at: at) }
        return UInt32(truncatingIfNeeded: flags)
    }

    /// An OTLP `[KeyValue]` as a whole JSON object into `out` (replacing its contents).
    func readAttributes(into out: JSONBuffer) throws(InputError) {
        out.reset()
        out.append(UInt8(ascii: "{"))
        try s.readOTLPKeyValues(into: out)
        out.dropTrailingComma()
        out.append(UInt8(ascii: "}"))
    }
}
