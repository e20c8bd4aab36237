// Plain-text application logs (Python logging, log4j/logback patterns, Spring Boot, Go's log,
// syslog, anything with a timestamp or a level up front): one record per log line, stack
// traces attached, trace context taken from wherever the pattern put it.

/// Reads text logs line by line (bounded memory: one line and one pending record).
///
/// A record's time and level come from the start of its first line (`LogLineHead`), its trace
/// context from anywhere in it (`TraceContextFinder`), its body is the line after the
/// timestamp (and after the level when the level comes first) plus its continuation lines
/// (`ContinuationRule`). A line without a trace ID is stored too: an unlinked log line is one
/// of the things tracedoctor reports. Bytes that are not UTF-8 are stored as U+FFFD.
public struct TextLogReader: RecordReader {
    public static let format = InputFormat.textLogs

    public init() {}

    public func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws {
        let lines = LineScanner(source: source)
        let assembler = LogRecordAssembler(sink: sink, keepDemoted: false, keyValuesInContinuation: true)
        var rule = ContinuationRule()
        var utf8 = UTF8Repair()
        var sawText = false
        while let next = try lines.next() {
            guard case let .text(raw) = next else {
                try context.skip(
                    InputError(
                        "a line longer than \(LineScanner.defaultMaxLineBytes >> 20) MiB (is this really a text log?)",
                        at: lines.lineStart))
                continue
            }
            let line = utf8.valid(raw)
            var head: LogLineHead?
            if assembler.isPending {
                let continues = rule.continues(line) {
                    if head == nil { head = LogLineHead.parse(line) }
                    return head!
                }
                if continues && assembler.appendContinuation(line) { continue }
            } else if Self.isBlank(line) {
                continue
            }
            sawText = true
            let parsed = head ?? LogLineHead.parse(line)
            if !assembler.isPending { rule.noteStart(head: parsed) }
            try start(line, head: parsed, at: lines.lineStart, assembler)
        }
        try assembler.flush()
        if !sawText {
            throw InputError("no log line found (the input holds only blank lines)", at: lines.lineStart)
        }
    }

    private func start(
        _ line: UnsafeBufferPointer<UInt8>, head: LogLineHead, at position: SourcePosition, _ assembler: LogRecordAssembler
    ) throws {
        try assembler.start(at: position)
        let record = assembler.record
        record.timeNs = head.timeNs
        record.timeIsLocal = head.timeIsLocal
        record.severityNumber = head.severity
        if let level = head.level { record.severityText.append(contentsOf: line[level]) }
        var end = line.count
        while end > head.bodyStart, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        record.body.append(contentsOf: line[head.bodyStart..<end])
        TraceContextFinder.scan(line, into: assembler.fields, keyValues: true)
    }

    static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in line where c != 0x20 && c != 0x09 { return false }
        return true
    }
}
