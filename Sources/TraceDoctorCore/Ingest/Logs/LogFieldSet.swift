// The interpreted fields of one log record while its keys arrive (JSON and logfmt). Every
// value ends up in exactly one place: a column when tracedoctor understands it, else the
// attributes, so a record never loses a field.

/// Collects candidates for each interpreted field. When two keys name the same field, a real
/// value beats "no ID" (`"0"`), a nested key (`"service": {"name": …}`) beats a flat one
/// (`"service.name"`, as ECS and apm-server decide), and otherwise the first one wins; the
/// loser is kept as an attribute. A value that is not valid for its field (`"trace.id":
/// "trace-id"`) is kept as an attribute too.
final class LogFieldSet {
    /// One candidate: the key it came under and its value as written (decoded). A class, so
    /// that the hot path updates it in place without copying its buffers.
    final class Slot {
        /// 0 = empty, 1 = flat key, 2 = nested key.
        var rank: UInt8 = 0
        /// True when the value means "no ID" (`"0"`): any real value replaces it.
        var isNone = false
        var key: StaticString = ""
        var value: [UInt8] = []
        var isString = true

        init() { value.reserveCapacity(64) }

        @inline(__always)
        func take(key: StaticString, value: UnsafeBufferPointer<UInt8>, isString: Bool, rank: UInt8, isNone: Bool) {
            self.key = key
            self.value.removeAll(keepingCapacity: true)
            self.value.append(contentsOf: value)
            self.isString = isString
            self.rank = rank
            self.isNone = isNone
        }

        /// Whether a new candidate of `rank` replaces what the slot holds.
        @inline(__always)
        func losesTo(rank: UInt8, isNone: Bool) -> Bool {
            if self.rank == 0 { return true }
            if self.isNone != isNone { return self.isNone }
            return rank > self.rank
        }
    }

    private let message = Slot()
    private let time = Slot()
    private let level = Slot()
    private let service = Slot()
    private let trace = Slot()
    private let span = Slot()
    private let parent = Slot()
    private let flags = Slot()

    private var timeNs: Int64?
    private var timeIsLocal = false
    private var severity = 0
    private var traceID: TraceID?
    private var spanID: SpanID?
    private var parentTraceID: TraceID?
    private var parentSpanID: SpanID?
    private var parentFlags: UInt32 = 0
    private var traceFlags: UInt32?

    /// Candidates that lost to another key for the same field, as attribute members
    /// (`"key":value,`), appended to the record's attributes at the end.
    let demoted = JSONBuffer(capacity: 128)

    func reset() {
        message.rank = 0
        time.rank = 0
        level.rank = 0
        service.rank = 0
        trace.rank = 0
        span.rank = 0
        parent.rank = 0
        flags.rank = 0
        demoted.reset()
    }

    /// Offers `value` (decoded; `isString` false for a JSON number or literal) for `field`.
    /// Returns false when it is not valid for the field: the caller keeps it as an attribute.
    func offer(
        _ field: LogField, key: StaticString, value: UnsafeBufferPointer<UInt8>, isString: Bool, rank: UInt8
    ) -> Bool {
        switch field {
        case .message:
            if message.losesTo(rank: rank, isNone: false) {
                demote(message)
                message.take(key: key, value: value, isString: isString, rank: rank, isNone: false)
            } else {
                demote(key, value, isString)
            }
        case .service:
            guard isString, !value.isEmpty else { return false }
            if service.losesTo(rank: rank, isNone: false) {
                demote(service)
                service.take(key: key, value: value, isString: true, rank: rank, isNone: false)
            } else {
                demote(key, value, isString)
            }
        case .time:
            guard let (ns, zoned) = isString ? LogTimestamp.parseNoting(value) : LogTimestamp.epoch(value).map({ ($0, true) })
            else { return false }
            if time.losesTo(rank: rank, isNone: false) {
                demote(time)
                time.take(key: key, value: value, isString: isString, rank: rank, isNone: false)
                timeNs = ns
                timeIsLocal = !zoned
            } else {
                demote(key, value, isString)
            }
        case .level:
            let number: Int
            if isString {
                // A known name, a number in a string (`"30"`), or any other word (severity 0).
                number =
                    LogSeverity.number(ofName: value)
                    ?? IDParser.parseDecimal64(value).flatMap { $0 <= 1000 ? LogSeverity.number(ofLevel: Int64($0)) : nil }
                    ?? 0
            } else {
                guard let n = IDParser.parseDecimal64(value), n <= 1000 else { return false }
                number = LogSeverity.number(ofLevel: Int64(n)) ?? 0
            }
            if level.losesTo(rank: rank, isNone: false) {
                demote(level)
                level.take(key: key, value: value, isString: isString, rank: rank, isNone: false)
                severity = number
            } else {
                demote(key, value, isString)
            }
        case let .traceID(encoding):
            let parsed = LogIDParser.traceID(value, encoding: encoding, isNumber: !isString)
            if parsed == .invalid { return false }
            let isNone = parsed == .none
            if trace.losesTo(rank: rank, isNone: isNone) {
                demote(trace)
                trace.take(key: key, value: value, isString: isString, rank: rank, isNone: isNone)
                if case let .id(id) = parsed { traceID = id } else { traceID = nil }
            } else if !isNone {
                demote(key, value, isString)
            }
        case let .spanID(encoding):
            let parsed = LogIDParser.spanID(value, encoding: encoding, isNumber: !isString)
            if parsed == .invalid { return false }
            let isNone = parsed == .none
            if span.losesTo(rank: rank, isNone: isNone) {
                demote(span)
                span.take(key: key, value: value, isString: isString, rank: rank, isNone: isNone)
                if case let .id(id) = parsed { spanID = id } else { spanID = nil }
            } else if !isNone {
                demote(key, value, isString)
            }
        case .traceparent:
            guard isString, value.count == 55, let tp = LogIDParser.traceparent(value, at: 0) else { return false }
            if parent.losesTo(rank: rank, isNone: false) {
                demote(parent)
                parent.take(key: key, value: value, isString: true, rank: rank, isNone: false)
                parentTraceID = tp.traceID
                parentSpanID = tp.spanID
                parentFlags = tp.flags
            } else {
                demote(key, value, isString)
            }
        case .sampled, .traceFlags:
            guard let bits = Self.flags(field, value, isString: isString) else { return false }
            if flags.losesTo(rank: rank, isNone: false) {
                demote(flags)
                flags.take(key: key, value: value, isString: isString, rank: rank, isNone: false)
                traceFlags = bits
            } else {
                demote(key, value, isString)
            }
        }
        return true
    }

    private func demote(_ slot: Slot) {
        guard slot.rank != 0, !slot.isNone else { return }
        slot.value.withUnsafeBufferPointer { demote(slot.key, $0, slot.isString) }
    }

    private func demote(_ key: StaticString, _ value: UnsafeBufferPointer<UInt8>, _ isString: Bool) {
        // The table's keys need no escaping.
        demoted.append(UInt8(ascii: "\""))
        demoted.append(key)
        demoted.append(UInt8(ascii: "\""))
        demoted.append(UInt8(ascii: ":"))
        if isString { demoted.appendString(value) } else { demoted.appendRaw(value) }
        demoted.append(UInt8(ascii: ","))
    }

    private static func flags(_ field: LogField, _ value: UnsafeBufferPointer<UInt8>, isString: Bool) -> UInt32? {
        if field == .traceFlags {
            if isString {
                guard value.count >= 1, value.count <= 2, let v = LogIDParser.hex(value, 0, value.count) else { return nil }
                return UInt32(v)
            }
            guard let v = IDParser.parseDecimal64(value), v <= 0xFF else { return nil }
            return UInt32(v)
        }
        if value.equals("true") || value.equals("True") || value.equals("1") { return 1 }
        if value.equals("false") || value.equals("False") || value.equals("0") { return 0 }
        return nil
    }

    /// Whether a real trace ID (not "no ID") was offered, by a key or a traceparent.
    var hasTraceID: Bool {
        (trace.rank != 0 && !trace.isNone) || parent.rank != 0
    }

    /// Writes the winners into `record` (its attributes must be open: `{` and members, each
    /// followed by a comma); appends the demoted candidates to the attributes unless
    /// `keepDemoted` is false (text logs, whose body holds the whole line anyway).
    func apply(to record: LogRecord, keepDemoted: Bool = true) {
        if message.rank != 0 { record.body.append(contentsOf: message.value) }
        if service.rank != 0 { record.service.append(contentsOf: service.value) }
        if time.rank != 0 {
            record.timeNs = timeNs
            record.timeIsLocal = timeIsLocal
        }
        if level.rank != 0 {
            record.severityNumber = severity
            record.severityText.replace(with: level.value)
        }
        if trace.rank != 0, let traceID {
            record.traceID = traceID
        } else if parent.rank != 0 {
            record.traceID = parentTraceID
        }
        if span.rank != 0, let spanID {
            record.spanID = spanID
        } else if parent.rank != 0, trace.rank == 0 || trace.isNone || record.traceID == parentTraceID {
            record.spanID = parentSpanID
        }
        if flags.rank != 0, let traceFlags {
            record.flags = traceFlags
        } else if parent.rank != 0 {
            record.flags = parentFlags
        }
        if keepDemoted, !demoted.isEmpty { record.attributes.appendRaw(demoted.buffer) }
    }
}
