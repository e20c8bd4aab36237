// JSON Lines written by application loggers (zap, logrus, slog, pino, bunyan, structlog,
// python-json-logger, logback/log4j JSON layouts, ECS loggers, Serilog's compact JSON) and the
// Elastic APM intake-v2 stream: one object per line, one log record per object.

/// Reads JSON log lines; see `LogField` for the keys it interprets.
///
/// An Elastic APM intake-v2 stream starts with `{"metadata": {...}}`: that line is not a log
/// event but the resource of the events after it (see `ElasticIntakeMetadata`), and each
/// event is wrapped as `{"log": {...}}`. Intake events of other types (transactions, spans,
/// errors, metricsets) are refused line by line, as they carry no log record.
public struct JSONLogReader: RecordReader {
    public static let format = InputFormat.jsonLogs

    public init() {}

    public func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws {
        let s = JSONScanner(source: source)
        s.newlineEndsRecord = true
        let parser = JSONLogRecordParser(scanner: s)
        let record = LogRecord()
        let resource = ResourceRecord()
        var lines = 0
        var intake = false
        var firstKey: [UInt8] = []
        while try s.nextRecord() {
            let depth = s.depth
            let start = s.position
            lines += 1
            do {
                guard try s.peek() == UInt8(ascii: "{") else {
                    throw s.unexpected("a JSON object (a JSON log file has one object per line)")
                }
                var object = try s.beginObject()
                parser.begin(record, line: start.line, position: start)
                var isLog = true
                var closed = false
                if let key = try s.nextKey(&object) {
                    let first = IntakeKey(key)
                    if first == .other {
                        // The common case: no scanner call between reading the key and using it.
                        try parser.member(key, into: record)
                    } else {
                        firstKey.removeAll(keepingCapacity: true)
                        firstKey.append(contentsOf: key)
                        let kind = try s.kind()
                        if first == .metadata, kind == .object {
                            try ElasticIntakeMetadata.read(s, into: resource)
                            guard try s.nextKey(&object) == nil else {
                                throw InputError(
                                    "an Elastic APM intake metadata line must hold only \"metadata\"", at: start)
                            }
                            intake = true
                            isLog = false
                            try sink.resource(resource)
                        } else if intake, first == .log, kind == .object {
                            var event = try s.beginObject()
                            try parser.readMembers(&event, into: record)
                            guard try s.nextKey(&object) == nil else {
                                throw InputError("an Elastic APM intake event must hold only its event object", at: start)
                            }
                            closed = true
                        } else if intake, first == .otherEvent {
                            throw InputError(
                                "Elastic APM intake events other than \"log\" (transactions, spans, errors, metricsets) are not log records; tracedoctor reads only the log events of an intake stream",
                                at: start)
                        } else {
                            try firstKey.withUnsafeBufferPointer { (k) throws(InputError) in try parser.member(k, into: record) }
                        }
                    }
                    if isLog && !closed { try parser.readMembers(&object, into: record) }
                }
                if let c = try s.peek() {
                    throw s.error("expected the end of the line after the JSON object, found \(InputPrefix.describe(c))")
                }
                if isLog {
                    parser.finish(record)
                    try sink.log(record)
                }
            } catch let error as InputError {
                try context.skip(error)
                s.resetDepth(to: depth)
                try s.skipLine()
            }
        }
        if lines == 0 {
            throw InputError("no log line found (the input holds only whitespace)", at: s.position)
        }
    }

    /// The first key of a line, as far as the Elastic APM intake protocol cares.
    private enum IntakeKey {
        case metadata, log, otherEvent, other

        init(_ key: UnsafeBufferPointer<UInt8>) {
            if key.equals("metadata") {
                self = .metadata
            } else if key.equals("log") {
                self = .log
            } else if key.equals("transaction") || key.equals("span") || key.equals("error") || key.equals("metricset") {
                self = .otherEvent
            } else {
                self = .other
            }
        }
    }
}
