// One export request, whatever its transport: decode it (Core's readers), wait for its commit,
// say what happened. OTLP/HTTP and OTLP/gRPC map the outcome to their own status codes.

import Synchronization
import TraceDoctorCore

/// How one export request ended.
enum ExportOutcome: Sendable {
    /// Committed; `rejected` records were refused (partial success) for `message`.
    case stored(records: Int, rejected: Int, message: String)
    /// The body does not decode (400 / INVALID_ARGUMENT).
    case undecodable(String)
    /// Over a size limit (413 / RESOURCE_EXHAUSTED).
    case tooLarge(String)
    /// The store is behind or the receiver is stopping: retry after a delay (503 / UNAVAILABLE).
    case retryLater(String)
}

/// Request counters for the status line and the summary.
struct RequestCounters: Sendable {
    var requests = 0
    var accepted = 0
    var partial = 0
    var refused = 0
    var retryLater = 0
    var metrics = 0
}

final class ExportHandler: Sendable {
    let queue: CommitQueue
    let counters = Mutex(RequestCounters())
    /// Seconds an exporter is told to wait before retrying when the store is behind.
    static let retryAfterSeconds = 1

    init(queue: CommitQueue) {
        self.queue = queue
    }

    func handle(_ body: [UInt8], kind: OTLPExportKind, encoding: OTLPBodyEncoding, gzip: Bool, maxBytes: Int) async
        -> ExportOutcome
    {
        counters.withLock { $0.requests += 1 }
        let outcome = await process(body, kind: kind, encoding: encoding, gzip: gzip, maxBytes: maxBytes)
        counters.withLock {
            switch outcome {
            case let .stored(_, rejected, _):
                if rejected > 0 { $0.partial += 1 } else { $0.accepted += 1 }
            case .undecodable, .tooLarge: $0.refused += 1
            case .retryLater: $0.retryLater += 1
            }
        }
        return outcome
    }

    /// Counts a request refused before decoding (wrong method, path, content type, size).
    func countRefused() {
        counters.withLock {
            $0.requests += 1
            $0.refused += 1
        }
    }

    func countMetrics() {
        counters.withLock {
            $0.requests += 1
            $0.metrics += 1
        }
    }

    private func process(_ body: [UInt8], kind: OTLPExportKind, encoding: OTLPBodyEncoding, gzip: Bool, maxBytes: Int)
        async -> ExportOutcome
    {
        let export: DecodedExport
        do {
            export = try OTLPRequestDecoder.decode(body, kind: kind, encoding: encoding, gzip: gzip, maxDecodedBytes: maxBytes)
        } catch {
            switch error {
            case let .undecodable(message): return .undecodable(message)
            case .tooLarge: return .tooLarge(error.description)
            }
        }
        do {
            try await queue.commit(export)
        } catch let refusal as CommitRefusal {
            switch refusal {
            case .behind:
                return .retryLater("the receiver's store is behind; retry in \(Self.retryAfterSeconds) s")
            case .closed:
                return .retryLater("the receiver is shutting down")
            case let .failed(message):
                return .retryLater("storing failed: \(message)")
            }
        } catch {
            return .retryLater("storing failed: \(error)")
        }
        return .stored(records: export.records, rejected: export.rejected, message: export.rejectionMessage)
    }
}
