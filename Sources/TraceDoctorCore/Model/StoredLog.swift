// A log line as the database holds it, read back for `explain` and `logs`: what a person reading
// logs wants (time, level, message, where it came from), not the reusable ingest record.

import Foundation

/// One stored log line.
public struct StoredLog: Sendable, Equatable {
    public var rowID: Int64
    /// Unix ns: the event time, else the observed time; nil when the line had neither.
    public var timeNs: Int64?
    /// OTLP severity number (0 = unspecified, 17–24 = error and fatal).
    public var severityNumber: Int
    /// The level as written (`INFO`, `warning`, `E`), when the line had one.
    public var severityText: String?
    public var body: String
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var service: String
    /// The line's attributes as a JSON object.
    public var attributes: String
    /// The file it was ingested from and its line there.
    public var sourcePath: String?
    public var sourceLine: Int?

    public init(
        rowID: Int64, timeNs: Int64?, severityNumber: Int = 0, severityText: String? = nil, body: String,
        traceID: TraceID? = nil, spanID: SpanID? = nil, service: String, attributes: String = "{}",
        sourcePath: String? = nil, sourceLine: Int? = nil
    ) {
        self.rowID = rowID
        self.timeNs = timeNs
        self.severityNumber = severityNumber
        self.severityText = severityText
        self.body = body
        self.traceID = traceID
        self.spanID = spanID
        self.service = service
        self.attributes = attributes
        self.sourcePath = sourcePath
        self.sourceLine = sourceLine
    }

    /// ERROR or FATAL (what `--logs errors` keeps).
    public var isError: Bool { severityNumber >= LogSeverity.error }

    /// The level in capitals: the text the line had, else the name of its severity number.
    public var level: String {
        if let text = severityText, !text.isEmpty { return text.uppercased() }
        switch severityNumber {
        case 1...4: return "TRACE"
        case 5...8: return "DEBUG"
        case 9...12: return "INFO"
        case 13...16: return "WARN"
        case 17...20: return "ERROR"
        case 21...24: return "FATAL"
        default: return "-"
        }
    }

    /// The clock resolution the time was written with, judged from its trailing zeros: a time
    /// logged to the millisecond (`…07.800Z`) stands for anything in the following millisecond.
    public var timeResolutionNs: Int64 {
        guard let t = timeNs, t != 0 else { return 1 }
        if t % 1_000_000_000 == 0 { return 1_000_000_000 }
        if t % 1_000_000 == 0 { return 1_000_000 }
        if t % 1_000 == 0 { return 1_000 }
        return 1
    }

    /// Whether the line may have been written during `start..<end` (Unix ns), given its resolution.
    public func mayFall(within start: Int64, _ end: Int64) -> Bool {
        guard let t = timeNs else { return false }
        return t < end && t + timeResolutionNs > start
    }

    /// The first line of the body, and how many more lines it has (a stack trace).
    public var firstLine: (text: String, moreLines: Int) {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines.first.map(String.init) ?? ""
        let rest = lines.dropFirst().filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        return (first.hasSuffix("\r") ? String(first.dropLast()) : first, rest)
    }
}
