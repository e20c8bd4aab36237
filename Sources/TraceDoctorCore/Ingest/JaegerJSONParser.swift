// Walks the shapes of Jaeger JSON with a `JSONScanner`: the query API's `{"data": [trace, …]}`
// (what the UI downloads), a bare trace `{"traceID", "spans", "processes"}`, a list of spans
// with embedded processes (the anonymizer's output), or a list of traces.
//
// Late processes: Jaeger's own encoder writes `processes` *after* `spans`, and each span names
// its process by ID, so a span's service may not be known when the span has been read. Such a
// span waits, with the others of its trace, until the trace object ends; spans whose process is
// already known (processes first, or embedded) go straight to the sink. Memory is bounded by
// the largest trace, never by the file: a trace is what the Jaeger UI loads in one piece, and a
// `data` array of many traces is read one trace at a time. (The alternative, storing spans
// under a placeholder resource and rewriting them when the processes arrive, needs a
// per-process fix-up hook in every sink for what is a one-trace buffer here.)

final class JaegerJSONParser {
    let s: JSONScanner
    let sink: RecordSink
    let context: ReadContext
    private let scratch = JSONBuffer(capacity: 256)
    private let fields = JSONBuffer(capacity: 256)
    private let resource = CurrentResource()
    private let unknownProcess = JaegerProcess()
    /// Spans not in use, for reuse.
    private var free: [JaegerSpan] = []
    /// The trace object being read, if any, and what is known of it so far.
    private var trace: JaegerSpan?
    private var processes: [[UInt8]: JaegerProcess] = [:]
    private var processesSeen = false
    /// Spans of the current trace waiting for its `processes` or its `traceID`.
    private var waiting: [JaegerSpan] = []
    /// The process of the last span stored, as it was then.
    private var lastProcess: JaegerProcess?
    private var lastGeneration = 0
    /// Spans read so far (stored or skipped).
    private var spansRead = 0

    init(scanner: JSONScanner, sink: RecordSink, context: ReadContext) {
        s = scanner
        self.sink = sink
        self.context = context
    }

    func run() throws {
        guard let first = try s.peek() else {
            throw InputError("the input is empty (expected Jaeger JSON)", at: s.position)
        }
        do {
            switch first {
            case UInt8(ascii: "{"):
                try readObject(topLevel: true)
            case UInt8(ascii: "["):
                var list = try s.beginArray()
                while try s.nextElement(&list) {
                    try readObject(topLevel: false)
                }
            default:
                throw s.unexpected("a Jaeger JSON object or array")
            }
            if let c = try s.peek() {
                throw s.error("expected the end of the input after the Jaeger JSON, found \(InputPrefix.describe(c))")
            }
        } catch let error as InputError {
            // A broken document cannot be resumed: under --keep-going, keep what came before.
            try context.skip(error)
        }
    }

    // MARK: Objects

    /// An object that is an API response (top level only), a trace, or a span: which one is
    /// known from its keys, in whatever order they come.
    private func readObject(topLevel: Bool) throws {
        guard try s.peek() == UInt8(ascii: "{") else { throw s.unexpected("'{' (a Jaeger trace or span)") }
        let span = take()
        span.begin(at: s.position)
        var obj = try s.beginObject()
        var isResponse = false
        var isTrace = false
        var apiError: String?
        let spansBefore = spansRead
        while let key = try s.nextKey(&obj) {
            if topLevel && key.equals("data") {
                isResponse = true
                try readData()
            } else if key.equals("spans") || key.equals("processes") {
                if !isTrace {
                    isTrace = true
                    beginTrace(span)
                }
                if key.equals("spans") { try readSpans() } else { try readProcesses() }
            } else if topLevel && key.equals("errors") {
                apiError = try readErrors()
            } else if topLevel && (key.equals("total") || key.equals("limit") || key.equals("offset")) {
                try s.skipValue()
            } else {
                try span.read(key, s, scratch: scratch, fields: fields)
            }
        }
        if isTrace {
            try endTrace()
        } else if isResponse {
            let position = span.record.position
            release(span)
            // `{"data": null, "errors": [{"msg": "trace not found"}]}` is not an empty dump.
            if let apiError, spansRead == spansBefore {
                throw InputError("the Jaeger API response holds no trace, only an error: \(apiError)", at: position)
            }
        } else if topLevel && !span.isSpan {
            let position = span.record.position
            release(span)
            throw InputError("not Jaeger JSON: an object without \"data\", \"spans\" or \"spanID\"", at: position)
        } else {
            try emit(span)
        }
    }

    /// `data`: the traces of a query API response.
    private func readData() throws {
        if try s.readNullIfPresent() { return }
        var list = try s.beginArray()
        while try s.nextElement(&list) {
            try readObject(topLevel: false)
        }
    }

    /// The first message of a query API response's `errors`, if any.
    private func readErrors() throws -> String? {
        if try s.readNullIfPresent() { return nil }
        var message: String?
        var list = try s.beginArray()
        while try s.nextElement(&list) {
            guard message == nil, try s.peek() == UInt8(ascii: "{") else {
                try s.skipValue()
                continue
            }
            var obj = try s.beginObject()
            while let key = try s.nextKey(&obj) {
                if key.equals("msg"), try s.kind() == .string {
                    message = try s.readString()
                } else {
                    try s.skipValue()
                }
            }
            message = message ?? "(an error without a message)"
        }
        return message
    }

    // MARK: Traces

    private func beginTrace(_ object: JaegerSpan) {
        trace = object
        processes.removeAll(keepingCapacity: true)
        processesSeen = false
    }

    private func endTrace() throws {
        let object = trace
        trace = nil
        for span in waiting {
            try emit(span, trace: object)
        }
        waiting.removeAll(keepingCapacity: true)
        if let object { release(object) }
        processes.removeAll(keepingCapacity: true)
        // After a huge trace, do not keep its spans' storage for the rest of the file.
        if free.count > Self.keptFree { free.removeLast(free.count - Self.keptFree) }
    }

    /// Spans kept for reuse between traces.
    static let keptFree = 1024

    private func readSpans() throws {
        if try s.readNullIfPresent() { return }
        var list = try s.beginArray()
        while try s.nextElement(&list) {
            guard try s.peek() == UInt8(ascii: "{") else { throw s.unexpected("'{' (a Jaeger span)") }
            let span = take()
            span.begin(at: s.position)
            var obj = try s.beginObject()
            while let key = try s.nextKey(&obj) {
                try span.read(key, s, scratch: scratch, fields: fields)
            }
            let traceKnown = span.traceID != nil || trace?.traceID != nil
            let processKnown = span.process != nil || processesSeen || span.processID == nil
            if traceKnown && processKnown {
                try emit(span)
            } else {
                waiting.append(span)
            }
        }
    }

    /// `processes`: `{"p1": {"serviceName": …, "tags": […]}, …}`.
    private func readProcesses() throws {
        processesSeen = true
        if try s.readNullIfPresent() { return }
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            let id = Array(key)
            let process = processes[id] ?? JaegerProcess()
            try process.read(s, tags: fields, scratch: scratch)
            processes[id] = process
        }
    }

    // MARK: Spans

    /// Hands a finished span (and its resource) to the sink, or skips it if it is bad.
    private func emit(_ span: JaegerSpan, trace object: JaegerSpan? = nil) throws {
        defer { release(span) }
        spansRead += 1
        let process: JaegerProcess
        if let embedded = span.process {
            process = embedded
        } else if let id = span.processID, let known = processes[id] {
            process = known
        } else {
            unknownProcess.unknown(processID: span.processID)
            process = unknownProcess
        }
        if let problem = span.finish(trace: object ?? trace, processProblem: process.problem) {
            try context.skip(problem)
            return
        }
        // Most spans have the process of the span before: skip comparing its bytes then.
        if process !== lastProcess || process.generation != lastGeneration {
            try resource.use(process.resource, in: sink)
            lastProcess = process
            lastGeneration = process.generation
        }
        try sink.span(span.record)
    }

    private func take() -> JaegerSpan {
        free.popLast() ?? JaegerSpan()
    }

    private func release(_ span: JaegerSpan) {
        free.append(span)
    }
}
