// Reading and storing on two threads. The reader fills batches of records on its own thread
// while the store's thread writes the previous batch, so an ingest takes about as long as the
// slower of the two instead of their sum. Batches are recycled: memory stays bounded.

import Foundation

/// Runs `read` on a reader thread and hands what it reads, in order, to `sink` on the calling
/// thread. Errors from either side stop both; the first one is rethrown here.
public enum RecordPipeline {
    /// `inline`: a small input, read straight into `sink` on this thread when its stack is deep
    /// enough for the readers (`LargeStack`): two threads and their hand-offs cost more than
    /// they save on a file of a few batches, and under load each hand-off waits for a time slice.
    public static func run(into sink: RecordSink, inline: Bool = false, read: @escaping (RecordSink) throws -> Void) throws {
        if inline && LargeStack.isCurrent {
            try read(sink)
            return
        }
        let channel = Channel()
        let job = ReaderJob(channel: channel, read: read)
        let thread = Thread { job.run() }
        // Deep JSON is read recursively (up to JSONScanner.maxDepth levels).
        thread.stackSize = LargeStack.size
        thread.start()
        var marks: [Int64: RecordMark] = [:]
        do {
            while let batch = try channel.nextFull() {
                try batch.replay(into: sink, marks: &marks)
                channel.recycle(batch)
            }
        } catch {
            channel.cancel()
            channel.waitForProducer()
            throw error
        }
        channel.waitForProducer()
    }
}

/// A thread whose stack holds the readers' recursion (deep JSON, up to `JSONScanner.maxDepth`
/// levels): the reader thread, and `ingest`'s loop over many files, which then reads small files
/// on its own thread.
enum LargeStack {
    static let size = 16 << 20

    private static let key = "tracedoctor.largeStack"

    /// Whether the calling thread is one that `run` started.
    static var isCurrent: Bool { Thread.current.threadDictionary[key] as? Bool == true }

    /// Runs `body` on a new thread with a stack of `size` and waits for it.
    static func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let work = SendableBox(body)
        let result = SendableBox<Result<T, Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            Thread.current.threadDictionary[key] = true
            result.value = Result { try work.value() }
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.wait()
        return try result.value!.get()
    }
}

/// What the reader thread runs. It alone touches the reader and its sink until it finishes;
/// everything it shares with the writer goes through the channel's lock.
private final class ReaderJob: @unchecked Sendable {
    let channel: Channel
    let read: (RecordSink) throws -> Void

    init(channel: Channel, read: @escaping (RecordSink) throws -> Void) {
        self.channel = channel
        self.read = read
    }

    func run() {
        let producer = BatchingSink(channel: channel)
        do {
            try read(producer)
            try producer.flush()
            channel.finish(error: nil)
        } catch {
            channel.finish(error: error)
        }
    }
}

/// One batch of records in reading order.
final class RecordBatch {
    enum Item {
        case span(Int)
        case log(Int)
        case resource(Int)
        case resourceSince(Int, mark: Int64)
        case scopeSince(name: [UInt8], version: [UInt8], mark: Int64)
        case mark(Int64)
    }

    static let capacity = 512

    var items: [Item] = []
    private(set) var spans: [SpanRecord] = []
    private var spanCount = 0
    private(set) var logs: [LogRecord] = []
    private var logCount = 0
    private(set) var resources: [ResourceRecord] = []
    private var resourceCount = 0

    init() { items.reserveCapacity(Self.capacity) }

    var isFull: Bool { items.count >= Self.capacity }
    var isEmpty: Bool { items.isEmpty }

    func reset() {
        items.removeAll(keepingCapacity: true)
        spanCount = 0
        logCount = 0
        resourceCount = 0
    }

    func add(_ span: SpanRecord) {
        if spanCount == spans.count { spans.append(SpanRecord()) }
        spans[spanCount].copy(from: span)
        items.append(.span(spanCount))
        spanCount += 1
    }

    func add(_ log: LogRecord) {
        if logCount == logs.count { logs.append(LogRecord()) }
        logs[logCount].copy(from: log)
        items.append(.log(logCount))
        logCount += 1
    }

    func add(_ resource: ResourceRecord) -> Int {
        if resourceCount == resources.count { resources.append(ResourceRecord()) }
        resources[resourceCount].copy(from: resource)
        resourceCount += 1
        return resourceCount - 1
    }

    /// Hands the items to `sink`, turning the reader's mark tokens into the sink's marks.
    func replay(into sink: RecordSink, marks: inout [Int64: RecordMark]) throws {
        for item in items {
            switch item {
            case let .span(i): try sink.span(spans[i])
            case let .log(i): try sink.log(logs[i])
            case let .resource(i): try sink.resource(resources[i])
            case let .resourceSince(i, token):
                if let mark = marks[token] { try sink.resource(resources[i], appliesSince: mark) }
            case let .scopeSince(name, version, token):
                if let mark = marks[token] { try sink.scope(name: name, version: version, appliesSince: mark) }
            case let .mark(token):
                marks[token] = try sink.makeMark()
                // Late resources and scopes refer to recent marks only.
                if marks.count > 4096 { marks = marks.filter { $0.key > token - 1024 } }
            }
        }
    }
}

/// The reader side: a RecordSink that fills batches.
final class BatchingSink: RecordSink {
    private let channel: Channel
    private var batch: RecordBatch
    private var nextToken: Int64 = 0

    init(channel: Channel) {
        self.channel = channel
        batch = channel.takeEmpty() ?? RecordBatch()
    }

    @inline(__always)
    private func roomForOne() throws {
        if batch.isFull {
            try channel.publish(batch)
            batch = try channel.waitForEmpty()
        }
    }

    func flush() throws {
        if !batch.isEmpty { try channel.publish(batch) }
    }

    func resource(_ resource: ResourceRecord) throws {
        try roomForOne()
        batch.items.append(.resource(batch.add(resource)))
    }

    func resource(_ resource: ResourceRecord, appliesSince mark: RecordMark) throws {
        try roomForOne()
        batch.items.append(.resourceSince(batch.add(resource), mark: mark.spans))
    }

    func scope(name: [UInt8], version: [UInt8], appliesSince mark: RecordMark) throws {
        try roomForOne()
        batch.items.append(.scopeSince(name: name, version: version, mark: mark.spans))
    }

    func span(_ span: SpanRecord) throws {
        try roomForOne()
        batch.add(span)
    }

    func log(_ log: LogRecord) throws {
        try roomForOne()
        batch.add(log)
    }

    func makeMark() throws -> RecordMark {
        try roomForOne()
        nextToken += 1
        batch.items.append(.mark(nextToken))
        return RecordMark(spans: nextToken, logs: nextToken)
    }
}

/// The reader stopped because the writer failed; the writer's error is what gets reported.
struct PipelineCancelled: Error {}

/// Full batches one way, empty ones back, under one lock.
final class Channel: @unchecked Sendable {
    private let condition = NSCondition()
    private var full: [RecordBatch] = []
    private var empty: [RecordBatch] = []
    private var allocated = 0
    /// How many batches may exist at once: the bound on memory.
    private let limit = 4
    private var finished = false
    private var producerError: Error?
    private var cancelled = false
    private var producerDone = false

    /// An empty batch if one is free or may be made, without waiting.
    func takeEmpty() -> RecordBatch? {
        condition.lock()
        defer { condition.unlock() }
        if let batch = empty.popLast() { return batch }
        if allocated < limit {
            allocated += 1
            return RecordBatch()
        }
        return nil
    }

    func waitForEmpty() throws -> RecordBatch {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if cancelled { throw PipelineCancelled() }
            if let batch = empty.popLast() { return batch }
            if allocated < limit {
                allocated += 1
                return RecordBatch()
            }
            condition.wait()
        }
    }

    func publish(_ batch: RecordBatch) throws {
        condition.lock()
        defer { condition.unlock() }
        if cancelled { throw PipelineCancelled() }
        full.append(batch)
        condition.broadcast()
    }

    /// The next full batch in order; nil once the reader finished and all were taken.
    func nextFull() throws -> RecordBatch? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if !full.isEmpty { return full.removeFirst() }
            if finished {
                if let producerError { throw producerError }
                return nil
            }
            condition.wait()
        }
    }

    func recycle(_ batch: RecordBatch) {
        batch.reset()
        condition.lock()
        empty.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    func finish(error: Error?) {
        condition.lock()
        finished = true
        producerDone = true
        if !(error is PipelineCancelled) { producerError = error }
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    func waitForProducer() {
        condition.lock()
        while !producerDone { condition.wait() }
        condition.unlock()
    }
}
