// `tracedoctor record -- CMD`: what CMD printed (stdout and stderr, in the order it arrived) is
// stored as log lines of a source named after the command, read by the log readers of `ingest`,
// so that the trace and span IDs a test prints join its spans.

import Foundation

extension Ingestor {
    /// Stores `output` as the log lines of a source called `name` (one transaction). A format
    /// that is not a log format (or none detected) is read as plain-text logs; bad lines are
    /// skipped, not fatal. Each call adds a new source, even for the same text.
    public static func ingestCommandOutput(_ output: [UInt8], name: String, databasePath: String) throws(TraceDoctorError)
        -> FileReport
    {
        var file = FileReport(path: name)
        let blank = output.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if blank {
            file.status = .notADump
            file.note = "empty"
            return file
        }
        let store = try TraceStore(path: databasePath)
        defer { store.close() }
        var format = InputFormat.textLogs
        do {
            let (_, detected) = try open(MemorySource(output), path: name, forced: nil)
            if [.jsonLogs, .logfmt, .textLogs].contains(detected) { format = detected }
        } catch {
            // Not recognised: plain text.
        }
        let context = ReadContext(keepGoing: true)
        do {
            let outcome = try store.ingest(
                SourceDescription(path: name, format: format, sizeBytes: Int64(output.count)),
                finished: { ("output-\(UUID().uuidString.lowercased())", Int64(output.count), context.skippedCount) },
                body: { sink in try format.reader.read(MemorySource(output), into: sink, context: context) })
            file.format = format.rawValue
            if case let .ingested(counts) = outcome {
                file.status = .ingested
                file.counts = counts
            }
            file.skippedRecords = context.skippedCount
        } catch let error as InputError {
            file.status = .rejected
            file.error = TraceDoctorError.malformedInput(path: name, position: error.position, message: error.message).description
        } catch {
            throw TraceStore.describe(error, path: databasePath)
        }
        return file
    }
}
