// `tracedoctor-bench insert-only`: the store's ceiling without parsing — spans read once into
// memory, then written through the same writer, prepared statement and transaction as
// `tracedoctor ingest`, as many times as needed to reach the row count.

import Foundation
import TraceDoctorCore

@main
enum InsertReference {
    static func main() {
        let args = CommandLine.arguments
        guard args.count == 5, args[1] == "insert-only", let rows = Int(args[4]) else {
            FileHandle.standardError.write(
                Data("usage: tracedoctor-bench insert-only OTLP_JSON_FILE DB ROWS\n".utf8))
            exit(64)
        }
        do {
            try run(sample: args[2], database: args[3], rows: rows)
        } catch {
            FileHandle.standardError.write(Data("tracedoctor-bench: \(error)\n".utf8))
            exit(2)
        }
    }

    static func run(sample: String, database: String, rows: Int) throws {
        // Pre-build the rows: up to 50,000 spans of the sample file, kept in memory.
        let collector = SampleCollector(limit: 50_000)
        let source = try FileDescriptorSource(path: sample)
        try? OTLPJSONReader().read(source, into: collector, context: ReadContext(keepGoing: true))
        guard !collector.spans.isEmpty else { throw TraceDoctorError.usage("no spans in \(sample)") }
        let store = try TraceStore(path: database)
        let started = ContinuousClock.now
        let spans = collector.spans
        let resource = collector.resource
        _ = try store.ingest(
            SourceDescription(path: "insert-only", format: .otlpJSON, sizeBytes: 0, expectedBytes: Int64(rows) * 1000),
            finished: { ("insert-only-\(UInt64.random(in: 0...UInt64.max))", 0, 0) },
            body: { sink in
                try sink.resource(resource)
                var written = 0
                var round: UInt64 = 0
                while written < rows {
                    for span in spans where written < rows {
                        // A new trace ID per round keeps every row distinct.
                        span.traceID.high ^= round &* 0x9E37_79B9_7F4A_7C15
                        try sink.span(span)
                        span.traceID.high ^= round &* 0x9E37_79B9_7F4A_7C15
                        written += 1
                    }
                    round += 1
                }
            })
        let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        print("{\"rows\": \(rows), \"seconds\": \(seconds), \"rows_per_second\": \(Double(rows) / seconds)}")
    }
}

/// Keeps copies of the first spans a reader produces (and the last resource).
final class SampleCollector: RecordSink {
    let limit: Int
    var spans: [SpanRecord] = []
    let resource = ResourceRecord()

    init(limit: Int) { self.limit = limit }

    struct Enough: Error {}

    func resource(_ resource: ResourceRecord) throws { self.resource.copy(from: resource) }
    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws {}
    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {}
    func log(_ log: LogRecord) throws {}
    func makeMark() throws -> RecordMark { RecordMark(spans: 0, logs: 0) }

    func span(_ span: SpanRecord) throws {
        let copy = SpanRecord()
        copy.copy(from: span)
        spans.append(copy)
        if spans.count >= limit { throw Enough() }
    }
}
