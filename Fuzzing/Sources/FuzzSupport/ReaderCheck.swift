// What every reader fuzz target asserts about one input: it is read or rejected with an
// InputError (never a trap or another error), the same way from uneven reads as from one large
// read, at a position inside the input, and --keep-going never hides a rejection.

import TraceDoctorCore

/// The result of reading one input.
public enum Outcome: Equatable {
    case read(digest: Int, spans: Int, logs: Int, skipped: Int)
    case rejected(InputError)
}

public enum ReaderCheck {
    /// Reads `bytes` with `reader` three ways and checks that the readings agree.
    public static func run(_ reader: RecordReader, _ bytes: [UInt8]) {
        let whole = read(reader, MemorySource(bytes), keepGoing: false, input: bytes)
        let chunked = read(reader, ChunkedSource(bytes), keepGoing: false, input: bytes)
        guard chunked == whole else {
            violated("uneven reads gave \(chunked), one read gave \(whole)")
        }
        let kept = read(reader, MemorySource(bytes), keepGoing: true, input: bytes)
        switch (whole, kept) {
        case let (.read(digest, spans, logs, _), .read(keptDigest, keptSpans, keptLogs, skipped)):
            guard skipped == 0, keptDigest == digest, keptSpans == spans, keptLogs == logs else {
                violated("--keep-going read a valid input differently: \(kept) instead of \(whole)")
            }
        case let (.rejected(error), .read(_, _, _, skipped)):
            guard skipped > 0 else {
                violated("--keep-going read without skipping anything an input rejected with \(error)")
            }
        case (.read, .rejected):
            violated("--keep-going rejected a valid input: \(kept)")
        case (.rejected, .rejected):
            break
        }
    }

    /// Reads `source` into an `InvariantSink`; any error but an `InputError` is a finding.
    /// `input` is the bytes the reader sees, to check error positions against (nil: unknown).
    public static func read(_ reader: RecordReader, _ source: ByteSource, keepGoing: Bool, input: [UInt8]?) -> Outcome {
        let sink = InvariantSink()
        let context = ReadContext(keepGoing: keepGoing)
        do {
            try reader.read(source, into: sink, context: context)
        } catch let error as InputError {
            if let input { check(error, in: input) }
            return .rejected(error)
        } catch {
            violated("the reader threw \(type(of: error)), not an InputError: \(error)")
        }
        guard context.skipped.count == min(context.skippedCount, ReadContext.maxKeptIssues) else {
            violated("\(context.skippedCount) skipped, \(context.skipped.count) kept")
        }
        if let input { for issue in context.skipped { check(issue, in: input) } }
        return .read(digest: sink.digest, spans: sink.spans, logs: sink.logs, skipped: context.skippedCount)
    }

    /// An error must say something and point into the input: a byte offset inside it, and for
    /// text a line number that matches the line breaks before that offset.
    public static func check(_ error: InputError, in input: [UInt8]) {
        guard !error.message.isEmpty, !error.isInterruption else { violated("empty or interruption error \(error)") }
        guard let p = error.position else { return }
        guard p.offset >= 0, p.offset <= Int64(input.count) else {
            violated("error '\(error.message)' at offset \(p.offset) of a \(input.count)-byte input")
        }
        if p.isByteOffset { return }
        let breaks = input[..<Int(p.offset)].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        guard p.line == breaks + 1, p.column >= 1 else {
            violated("error '\(error.message)' at \(p) (offset \(p.offset)), which is on line \(breaks + 1)")
        }
    }
}
