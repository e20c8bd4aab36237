// logfmt logs (Go's slog TextHandler, logrus, go-kit, Heroku): `key=value` pairs per line,
// maybe after a leading timestamp and level. Keys mean what they mean in JSON logs
// (`LogField`); lines that are not logfmt continue the record before them (stack traces).

/// Reads logfmt line by line (bounded memory: one line and one pending record).
public struct LogfmtReader: RecordReader {
    public static let format = InputFormat.logfmt

    public init() {}

    public func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws {
        let lines = LineScanner(source: source)
        let assembler = LogRecordAssembler(sink: sink, keepDemoted: true, keyValuesInContinuation: false)
        var rule = ContinuationRule(logfmt: true)
        var utf8 = UTF8Repair()
        var pairs = LogfmtScanner()
        var sawText = false
        while let next = try lines.next() {
            guard case let .text(raw) = next else {
                try context.skip(
                    InputError(
                        "a line longer than \(LineScanner.defaultMaxLineBytes >> 20) MiB (is this really a logfmt log?)",
                        at: lines.lineStart))
                continue
            }
            let line = utf8.valid(raw)
            let isPairs = LogfmtScanner.startsWithPair(line)
            var head: LogLineHead?
            if assembler.isPending {
                let continues = rule.continues(line, isLogfmtStart: isPairs) {
                    if head == nil { head = LogLineHead.parse(line) }
                    return head!
                }
                if continues && assembler.appendContinuation(line) { continue }
            } else if TextLogReader.isBlank(line) {
                continue
            }
            sawText = true
            try assembler.start(at: lines.lineStart)
            let record = assembler.record
            var pairsStart = 0
            if !isPairs {
                let parsed = head ?? LogLineHead.parse(line)
                record.timeNs = parsed.timeNs
                record.timeIsLocal = parsed.timeIsLocal
                record.severityNumber = parsed.severity
                if let level = parsed.level { record.severityText.append(contentsOf: line[level]) }
                pairsStart = parsed.bodyStart
            }
            do {
                try pairs.read(
                    line, from: pairsStart, fields: assembler.fields, attributes: record.attributes,
                    position: { lines.position(atColumnIndex: utf8.originalIndex($0, in: raw)) })
            } catch {
                assembler.discard()
                try context.skip(error)
                continue
            }
            if !assembler.fields.hasTraceID {
                TraceContextFinder.scan(line, into: assembler.fields, keyValues: false)
            }
        }
        try assembler.flush()
        if !sawText {
            throw InputError("no log line found (the input holds only blank lines)", at: lines.lineStart)
        }
    }
}
