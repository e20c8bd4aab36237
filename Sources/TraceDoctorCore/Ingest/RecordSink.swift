// The boundary between readers and the store: readers push records, a sink keeps them.
// The store's writer is one sink; the benchmark's parse-only reference is another.

/// A mark in the stream of records, so that a resource or scope that a dump writes *after*
/// its spans can still be attached to them.
public struct RecordMark: Sendable, Equatable {
    public var spans: Int64
    public var logs: Int64

    public init(spans: Int64, logs: Int64) {
        self.spans = spans
        self.logs = logs
    }
}

/// Receives what a reader reads. Errors thrown here are the sink's own (database) errors.
public protocol RecordSink: AnyObject {
    /// The resource of the records that follow.
    func resource(_ resource: ResourceRecord) throws
    /// The resource of the records written since `mark` (a dump that put it last).
    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws
    /// The instrumentation scope of the spans written since `mark` (a dump that put it last).
    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws
    func span(_ span: SpanRecord) throws
    func log(_ log: LogRecord) throws
    /// A mark at the current position in the record stream, for a later
    /// `resource(_:appliesSince:)` or `scope(name:version:appliesSince:)`.
    func makeMark() throws -> RecordMark
}

/// Options and bookkeeping shared by all readers while reading one input.
public final class ReadContext {
    /// Skip bad records (counting them) instead of rejecting the input.
    public let keepGoing: Bool
    /// Bad records skipped under `keepGoing`, the first `maxKeptIssues` of them.
    public private(set) var skipped: [InputError] = []
    public private(set) var skippedCount = 0
    public static let maxKeptIssues = 20

    public init(keepGoing: Bool) {
        self.keepGoing = keepGoing
    }

    /// Records a bad record. Throws it instead unless `keepGoing`.
    public func skip(_ issue: InputError) throws(InputError) {
        guard keepGoing else { throw issue }
        skippedCount += 1
        if skipped.count < Self.maxKeptIssues { skipped.append(issue) }
    }
}

/// A reader of one input format.
public protocol RecordReader {
    static var format: InputFormat { get }
    /// Reads the whole input into `sink`. Input problems are thrown as `InputError` (or
    /// recorded in `context` under --keep-going); sink errors pass through unchanged.
    func read(_ source: ByteSource, into sink: RecordSink, context: ReadContext) throws
}
