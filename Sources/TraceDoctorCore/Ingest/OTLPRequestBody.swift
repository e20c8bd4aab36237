// One OTLP export request held in memory (an OTLP/HTTP body or an OTLP/gRPC message), read by
// the same readers as `ingest` (OTLPProtobufWalker, OTLPJSONParser) into records kept in memory
// until the store commits them. The receiver (`tracedoctor receive`) decodes each request on
// its own task with this, then hands the result to `TraceStore.append(_:to:)`, which writes the
// records of many requests in one transaction. Nothing here knows about the network.

/// Which service an export request was sent to.
public enum OTLPExportKind: String, Sendable {
    case traces, logs

    var signal: OTLPSignal { self == .traces ? .spans : .logs }
    /// The record's name in messages and in `partial_success`.
    public var recordName: String { self == .traces ? "span" : "log record" }
}

/// How a request body is encoded (OTLP/HTTP's two content types; gRPC is protobuf).
public enum OTLPBodyEncoding: String, Sendable {
    case protobuf, json
}

/// Why a request body was refused as a whole.
public enum OTLPRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body does not decode (OTLP/HTTP 400, gRPC INVALID_ARGUMENT).
    case undecodable(String)
    /// The body, once gunzipped, is larger than the limit (OTLP/HTTP 413, gRPC RESOURCE_EXHAUSTED).
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case let .undecodable(message): message
        case let .tooLarge(limit): "the request body is larger than \(limit) bytes once decompressed"
        }
    }
}

/// The records of one export request, decoded and waiting to be stored.
public final class DecodedExport: @unchecked Sendable {
    public let kind: OTLPExportKind
    public let encoding: OTLPBodyEncoding
    /// Records accepted (they will be stored).
    public let records: Int
    /// Records rejected (a bad ID, a negative duration…): the `partial_success` count.
    public let rejected: Int
    /// Why the first rejected records were rejected (at most `ReadContext.maxKeptIssues`).
    public let rejections: [String]
    let batches: [RecordBatch]

    init(
        kind: OTLPExportKind, encoding: OTLPBodyEncoding, records: Int, rejected: Int, rejections: [String],
        batches: [RecordBatch]
    ) {
        self.kind = kind
        self.encoding = encoding
        self.records = records
        self.rejected = rejected
        self.rejections = rejections
        self.batches = batches
    }

    /// Hands the records, in reading order, to `sink` (the store's writer).
    func replay(into sink: RecordSink) throws {
        var marks: [Int64: RecordMark] = [:]
        for batch in batches { try batch.replay(into: sink, marks: &marks) }
    }

    /// One line for `partial_success.error_message`, naming the rejected records.
    public var rejectionMessage: String {
        guard rejected > 0 else { return "" }
        var message = "\(rejected) \(kind.recordName)\(rejected == 1 ? "" : "s") rejected: " + rejections.joined(separator: "; ")
        if rejected > rejections.count { message += "; … and \(rejected - rejections.count) more" }
        return message
    }
}

public enum OTLPRequestDecoder {
    /// The OpenTelemetry Collector's default `max_request_body_size` for OTLP/HTTP (20 MiB);
    /// applied here to the decompressed body as well.
    public static let defaultMaxBodyBytes = 20 << 20

    /// Decodes one export request. A gzip body (`gzip`) is inflated first, to at most
    /// `maxDecodedBytes`. Bad records (an invalid trace ID…) are rejected one by one and counted
    /// (`partial_success`); a body that does not decode at all throws.
    public static func decode(
        _ body: [UInt8], kind: OTLPExportKind, encoding: OTLPBodyEncoding, gzip: Bool = false,
        maxDecodedBytes: Int = defaultMaxBodyBytes
    ) throws(OTLPRequestError) -> DecodedExport {
        var bytes = body
        if gzip { bytes = try gunzip(body, limit: maxDecodedBytes) }
        if bytes.count > maxDecodedBytes { throw .tooLarge(limit: maxDecodedBytes) }
        let sink = ExportRecordCollector()
        let context = ReadContext(keepGoing: true)
        // An empty body is an empty export in protobuf (no fields) and says nothing in JSON.
        let blank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if !blank {
            do {
                switch encoding {
                case .protobuf:
                    let stream = ProtobufStream(source: MemorySource(bytes), chunkSize: max(4096, min(bytes.count, 1 << 20)))
                    let walker = OTLPProtobufWalker(stream: stream, sink: sink, context: context)
                    // The path says which records to expect: a record that fits both is read as one.
                    walker.signal = kind.signal
                    try walker.run()
                case .json:
                    let scanner = JSONScanner(source: MemorySource(bytes))
                    let parser = OTLPJSONParser(scanner: scanner, sink: sink, context: context)
                    // A request is one document: broken JSON or a document that is not OTLP is
                    // refused whole (400); only bad records inside it are skipped.
                    parser.skipsBadDocuments = false
                    try parser.run()
                }
            } catch let error as InputError {
                throw .undecodable(describe(error, encoding: encoding))
            } catch {
                throw .undecodable("\(error)")
            }
        } else if encoding == .json {
            throw .undecodable("the body is empty (expected an OTLP/JSON export request)")
        }
        let wrong = kind == .traces ? sink.logs : sink.spans
        if wrong > 0 {
            throw .undecodable(
                kind == .traces
                    ? "the body holds log records: send logs to /v1/logs (LogsService), spans to /v1/traces"
                    : "the body holds spans: send spans to /v1/traces (TraceService), logs to /v1/logs")
        }
        return DecodedExport(
            kind: kind, encoding: encoding, records: sink.spans + sink.logs, rejected: context.skippedCount,
            rejections: context.skipped.map { describe($0, encoding: encoding) }, batches: sink.batches)
    }

    static func describe(_ error: InputError, encoding: OTLPBodyEncoding) -> String {
        guard let position = error.position else { return error.message }
        switch encoding {
        case .protobuf: return "at byte \(position.offset): \(error.message)"
        case .json: return "at line \(position.line), column \(position.column): \(error.message)"
        }
    }

    /// Inflates a gzip body, refusing to produce more than `limit` bytes (a gzip bomb).
    static func gunzip(_ body: [UInt8], limit: Int) throws(OTLPRequestError) -> [UInt8] {
        guard GzipSource.isGzip(body) else {
            throw .undecodable("Content-Encoding is gzip but the body is not gzip data (no gzip header)")
        }
        do {
            let source = try GzipSource(upstream: MemorySource(body))
            var out: [UInt8] = []
            out.reserveCapacity(min(limit, body.count * 4))
            let chunk = 64 * 1024
            var scratch = [UInt8](repeating: 0, count: chunk)
            while true {
                let n = try scratch.withUnsafeMutableBufferPointer { (b) throws(InputError) -> Int in
                    try source.read(into: b.baseAddress!, count: chunk)
                }
                if n == 0 { break }
                if out.count + n > limit { throw OTLPRequestError.tooLarge(limit: limit) }
                out.append(contentsOf: scratch[0..<n])
            }
            return out
        } catch let error as OTLPRequestError {
            throw error
        } catch let error as InputError {
            throw .undecodable(error.message)
        } catch {
            throw .undecodable("\(error)")
        }
    }
}

/// Keeps what a reader reads in memory, in order, as `RecordBatch`es (the pipeline's batches).
final class ExportRecordCollector: RecordSink {
    private(set) var batches: [RecordBatch] = [RecordBatch()]
    private var nextToken: Int64 = 0
    private(set) var spans = 0
    private(set) var logs = 0
    private(set) var sawResource = false

    private var batch: RecordBatch {
        if batches[batches.count - 1].isFull { batches.append(RecordBatch()) }
        return batches[batches.count - 1]
    }

    func resource(_ resource: ResourceRecord) throws {
        sawResource = true
        let b = batch
        b.items.append(.resource(b.add(resource)))
    }

    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws {
        sawResource = true
        let b = batch
        b.items.append(.resourceSince(b.add(resource), mark: mark.spans))
    }

    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {
        batch.items.append(.scopeSince(name: name, version: version, mark: mark.spans))
    }

    func span(_ span: SpanRecord) throws {
        spans += 1
        batch.add(span)
    }

    func log(_ log: LogRecord) throws {
        logs += 1
        batch.add(log)
    }

    func makeMark() throws -> RecordMark {
        nextToken += 1
        batch.items.append(.mark(nextToken))
        return RecordMark(spans: nextToken, logs: nextToken)
    }
}
