// JSON output: snake_case keys, stable order, IDs as lowercase hex.

import Foundation

public enum JSONReport {
    public static func render<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            let text = String(decoding: try encoder.encode(value), as: UTF8.self)
            // corelibs-foundation prints empty collections over three lines; keep them on one.
            return text.replacingOccurrences(of: #"\[\s*\n\s*\]"#, with: "[]", options: .regularExpression)
                .replacingOccurrences(of: #"\{\s*\n\s*\}"#, with: "{}", options: .regularExpression) + "\n"
        } catch {
            return "{\"error\": \"cannot encode the report: \(error)\"}\n"
        }
    }
}

extension FileReport {
    private enum Keys: String, CodingKey {
        case path, status, format, spans, duplicateSpans, traces, logs, duplicateLogs, skippedRecords, problems
        case separatedSharedSpans, sameAs, error, note, localTimeLogs, seconds
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(path, forKey: .path)
        try c.encode(status, forKey: .status)
        try c.encode(format, forKey: .format)
        try c.encode(counts.spans, forKey: .spans)
        try c.encode(counts.duplicateSpans, forKey: .duplicateSpans)
        try c.encode(counts.traces, forKey: .traces)
        try c.encode(counts.logs, forKey: .logs)
        try c.encode(counts.duplicateLogs, forKey: .duplicateLogs)
        try c.encode(counts.separatedSharedSpans, forKey: .separatedSharedSpans)
        try c.encode(skippedRecords, forKey: .skippedRecords)
        try c.encode(problems, forKey: .problems)
        try c.encode(sameAs, forKey: .sameAs)
        try c.encode(error, forKey: .error)
        try c.encode(note, forKey: .note)
        try c.encode(localTimeLogs, forKey: .localTimeLogs)
        try c.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
    }
}

extension IngestReport {
    private enum Keys: String, CodingKey {
        case database, files, total, seconds, databaseTotals, databaseNotCreated, dryRun, interrupted, logClock, logIntervals
    }

    private struct Total: Encodable {
        var files: Int
        var ingested: Int
        var alreadyIngested: Int
        var rejected: Int
        var spans: Int
        var duplicateSpans: Int
        var traces: Int
        var logs: Int
        var duplicateLogs: Int
        var separatedSharedSpans: Int
        var skippedRecords: Int
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(database, forKey: .database)
        try c.encode(files, forKey: .files)
        let t = total
        try c.encode(
            Total(
                files: files.count, ingested: files.filter { $0.status == .ingested }.count,
                alreadyIngested: files.filter { $0.status == .alreadyIngested }.count, rejected: rejectedCount,
                spans: t.spans, duplicateSpans: t.duplicateSpans, traces: t.traces, logs: t.logs,
                duplicateLogs: t.duplicateLogs, separatedSharedSpans: t.separatedSharedSpans, skippedRecords: files.reduce(0) { $0 + $1.skippedRecords }),
            forKey: .total)
        try c.encode((seconds * 1000).rounded() / 1000, forKey: .seconds)
        try c.encode(databaseTotals, forKey: .databaseTotals)
        try c.encode(databaseNotCreated, forKey: .databaseNotCreated)
        try c.encode(dryRun, forKey: .dryRun)
        try c.encode(interrupted, forKey: .interrupted)
        try c.encode(logClock, forKey: .logClock)
        try c.encodeIfPresent(logIntervals, forKey: .logIntervals)
    }
}
