// Builds multi-line log records for the line readers: a record is held back until the line
// after it shows that it has ended, so that its stack trace can still be attached.

/// The record being assembled, its interpreted fields, and its continuation lines.
final class LogRecordAssembler {
    /// Continuation lines beyond this many bytes start a record of their own: one runaway
    /// "stack trace" cannot hold the whole file in memory.
    static let maxContinuationBytes = 1 << 20

    let record = LogRecord()
    let fields = LogFieldSet()
    private(set) var isPending = false
    private var continuation: [UInt8] = []
    private let sink: RecordSink
    /// Whether attributes keep the candidates that lost to another key (see `LogFieldSet`).
    private let keepDemoted: Bool
    /// Whether continuation lines are searched for `key=value` IDs as well as patterns.
    private let keyValuesInContinuation: Bool

    init(sink: RecordSink, keepDemoted: Bool, keyValuesInContinuation: Bool) {
        self.sink = sink
        self.keepDemoted = keepDemoted
        self.keyValuesInContinuation = keyValuesInContinuation
        continuation.reserveCapacity(4096)
    }

    /// Stores the pending record, if any, and starts a new one at `position`.
    func start(at position: SourcePosition) throws {
        try flush()
        record.reset()
        record.line = position.line
        record.position = position
        record.attributes.append(UInt8(ascii: "{"))
        fields.reset()
        continuation.removeAll(keepingCapacity: true)
        isPending = true
    }

    /// Adds a continuation line to the pending record. Returns false (adding nothing) when
    /// the record already holds `maxContinuationBytes` of them.
    func appendContinuation(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard continuation.count + line.count < Self.maxContinuationBytes else { return false }
        continuation.append(0x0A)
        continuation.append(contentsOf: line)
        if !fields.hasTraceID {
            // A trace ID may follow a multi-line message (`%m [%X{traceId}]`).
            TraceContextFinder.scan(line, into: fields, keyValues: keyValuesInContinuation)
        }
        return true
    }

    /// Forgets the pending record (a bad line under --keep-going).
    func discard() {
        isPending = false
    }

    /// Stores the pending record: fields into columns, continuation lines after the body.
    func flush() throws {
        guard isPending else { return }
        isPending = false
        fields.apply(to: record, keepDemoted: keepDemoted)
        // Trailing blank lines belong to no one.
        var end = continuation.count
        while end > 0, continuation[end - 1] == 0x0A || continuation[end - 1] == 0x20 || continuation[end - 1] == 0x09 {
            end -= 1
        }
        if end > 0 {
            if record.body.isEmpty {
                // No message on the first line: the continuation is the message.
                record.body.append(contentsOf: continuation[1..<end])
            } else {
                record.body.append(contentsOf: continuation[0..<end])
            }
        }
        record.attributes.dropTrailingComma()
        record.attributes.append(UInt8(ascii: "}"))
        try sink.log(record)
    }
}
