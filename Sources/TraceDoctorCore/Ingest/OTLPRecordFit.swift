// Telling a protobuf Span from a LogRecord by the wire types of its fields, before decoding it.

/// Which message a record's fields fit: a `Span`, a `LogRecord`, both (too few fields to tell),
/// or neither (then the first field that fits no record). Fields are added one by one.
struct OTLPRecordFit {
    private var spanOK = true
    private var logOK = true
    /// The first field whose wire type fits neither message.
    private(set) var misfit: (number: UInt64, wireType: UInt8)?

    /// Wire types of the fields of `Span` and `LogRecord` by field number (opentelemetry-proto
    /// v1; 9 = no such field).
    private static let spanWireTypes: [UInt8] = [9, 2, 2, 2, 2, 2, 0, 1, 1, 2, 0, 2, 0, 2, 0, 2, 5]
    private static let logWireTypes: [UInt8] = [9, 1, 0, 2, 9, 2, 2, 0, 5, 2, 2, 1, 2]

    mutating func add(field number: UInt64, wireType: UInt8) {
        let asSpan = Self.fits(Self.spanWireTypes, number, wireType)
        let asLog = Self.fits(Self.logWireTypes, number, wireType)
        if !asSpan && !asLog && misfit == nil { misfit = (number, wireType) }
        spanOK = spanOK && asSpan
        logOK = logOK && asLog
    }

    private static func fits(_ table: [UInt8], _ number: UInt64, _ wireType: UInt8) -> Bool {
        guard number < UInt64(table.count), table[Int(number)] != 9 else { return true }  // unknown: any
        return table[Int(number)] == wireType
    }

    /// The record kind the fields fit, nil when they fit neither; `either` when both.
    enum Kind: Equatable { case span, logRecord, either }

    var kind: Kind? {
        switch (spanOK, logOK) {
        case (true, false): .span
        case (false, true): .logRecord
        case (true, true): .either
        case (false, false): nil
        }
    }

    /// Why the fields fit no record, for messages.
    var misfitDescription: String {
        guard let misfit else { return "its fields mix those of a Span and a LogRecord" }
        return "its field \(misfit.number) has wire type \(misfit.wireType), which fits neither a Span nor a LogRecord"
    }
}
