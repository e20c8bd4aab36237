// Group commit: requests decoded on their own tasks wait here; one writer thread takes everything
// waiting, writes it in one transaction and only then answers each request. Under load a
// transaction holds many requests (one fsync for all of them); when idle, one.

import Foundation
import Synchronization
import TraceDoctorCore

/// Why a request was not stored.
enum CommitRefusal: Error, Sendable {
    /// More records wait than `maxPendingRecords`: the store is behind; retry later.
    case behind
    /// The receiver is shutting down and accepts nothing new.
    case closed
    /// The transaction failed (disk full, database locked by another writer…).
    case failed(String)
}

/// What the writer has stored so far.
struct CommitTotals: Sendable {
    var transactions = 0
    var spans = 0
    var logs = 0
    var duplicates = 0
    var rejected = 0
}

final class CommitQueue: @unchecked Sendable {
    private struct Waiting {
        let export: DecodedExport
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let store: TraceStore
    private let maxPendingRecords: Int
    private let maxRecordsPerTransaction: Int
    private let condition = NSCondition()
    private var waiting: [Waiting] = []
    private var pendingRecords = 0
    private var closed = false
    private var finished = false
    private var sources: [InputFormat: LiveSource] = [:]
    private let sourceName: String
    private let totals = Mutex(CommitTotals())
    private var thread: Thread?

    private let intervalRules: LogIntervalRules

    init(
        store: TraceStore, sourceName: String, maxPendingRecords: Int, maxRecordsPerTransaction: Int,
        intervalRules: LogIntervalRules = .defaults
    ) {
        self.store = store
        self.intervalRules = intervalRules
        self.sourceName = sourceName
        self.maxPendingRecords = maxPendingRecords
        self.maxRecordsPerTransaction = maxRecordsPerTransaction
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "tracedoctor-commit"
        thread.start()
        self.thread = thread
    }

    var snapshot: CommitTotals { totals.withLock { $0 } }

    /// Stores `export`; returns once it is committed. Throws `CommitRefusal`.
    func commit(_ export: DecodedExport) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            condition.lock()
            defer { condition.unlock() }
            if closed {
                continuation.resume(throwing: CommitRefusal.closed)
                return
            }
            // One request is always admitted when nothing waits, however large.
            if pendingRecords > 0 && pendingRecords + export.records > maxPendingRecords {
                continuation.resume(throwing: CommitRefusal.behind)
                return
            }
            waiting.append(Waiting(export: export, continuation: continuation))
            pendingRecords += export.records
            condition.signal()
        }
    }

    /// The sources written so far.
    var liveSources: [LiveSource] {
        condition.lock()
        defer { condition.unlock() }
        return Array(sources.values)
    }

    /// Stops accepting, commits everything already accepted, and returns when done.
    func drain() {
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
        for source in sources.values { try? store.finishLiveSource(source) }
    }

    private func run() {
        while true {
            condition.lock()
            while waiting.isEmpty && !closed { condition.wait() }
            if waiting.isEmpty && closed {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            var taken: [Waiting] = []
            var records = 0
            while let first = waiting.first, taken.isEmpty || records + first.export.records <= maxRecordsPerTransaction {
                taken.append(waiting.removeFirst())
                records += first.export.records
            }
            condition.unlock()

            let result = write(taken.map(\.export))

            condition.lock()
            pendingRecords -= records
            condition.unlock()
            for item in taken {
                switch result {
                case .success: item.continuation.resume()
                case let .failure(error): item.continuation.resume(throwing: error)
                }
            }
        }
    }

    /// One transaction per source (one for protobuf, one for JSON requests).
    private func write(_ exports: [DecodedExport]) -> Result<Void, CommitRefusal> {
        do {
            var byFormat: [InputFormat: [DecodedExport]] = [:]
            for export in exports {
                byFormat[export.encoding == .json ? .otlpJSON : .otlpProtobuf, default: []].append(export)
            }
            for (format, group) in byFormat.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let source: LiveSource
                if let known = sources[format] {
                    source = known
                } else {
                    source = try store.beginLiveSource(name: "\(sourceName) (\(format.rawValue))", format: format)
                    condition.lock()
                    sources[format] = source
                    condition.unlock()
                }
                let counts = try store.append(group, to: source, intervalRules: intervalRules)
                totals.withLock {
                    $0.transactions += 1
                    $0.spans += counts.spans - counts.duplicateSpans
                    $0.logs += counts.logs - counts.duplicateLogs
                    $0.duplicates += counts.duplicateSpans + counts.duplicateLogs
                    $0.rejected += group.reduce(0) { $0 + $1.rejected }
                }
            }
            return .success(())
        } catch {
            return .failure(.failed("\(error)"))
        }
    }
}
