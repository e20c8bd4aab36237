// Trace analysis on other threads: batches of traces are analysed on the other cores while the
// caller collects the records of earlier batches. Records come out in the order traces went in.

import Dispatch

/// Analyses batches of traces a few steps ahead of the caller.
final class AnalysisPipeline {
    private let options: AnalysisOptions
    private let batchSize: Int
    private let maxInFlight: Int
    private var batch: [[AnalysisSpan]] = []
    private var inFlight: [(output: SendableBox<[TraceRecord]>, done: DispatchSemaphore)] = []

    init(options: AnalysisOptions, batchSize: Int = 256, maxInFlight: Int = 4) {
        self.options = options
        self.batchSize = batchSize
        self.maxInFlight = maxInFlight
    }

    /// Adds one trace; `record` receives the records of earlier batches as they are ready.
    func add(_ spans: [AnalysisSpan], record: (TraceRecord) -> Void) {
        batch.append(spans)
        guard batch.count >= batchSize else { return }
        let traces = SendableBox(batch)
        batch = []
        submit(TraceBatch { body in traces.value.forEach(body) }, record: record)
    }

    /// Queues a batch a worker reads itself.
    func submit(_ batch: TraceBatch, record: (TraceRecord) -> Void) {
        let output = SendableBox<[TraceRecord]>([])
        let done = DispatchSemaphore(value: 0)
        let options = self.options
        DispatchQueue.global().async {
            var records: [TraceRecord] = []
            batch.forEachTrace { spans in records.append(TraceRecord(TraceAnalysis(spans: spans, options: options), options: options)) }
            output.value = records
            done.signal()
        }
        inFlight.append((output, done))
        while inFlight.count > maxInFlight { collectOldest(record: record) }
    }

    /// Analyses what is left and hands every remaining record to `record`.
    func finish(record: (TraceRecord) -> Void) {
        if !batch.isEmpty {
            let traces = SendableBox(batch)
            batch = []
            submit(TraceBatch { body in traces.value.forEach(body) }, record: record)
        }
        while !inFlight.isEmpty { collectOldest(record: record) }
    }

    private func collectOldest(record: (TraceRecord) -> Void) {
        let (output, done) = inFlight.removeFirst()
        done.wait()
        for item in output.value { record(item) }
    }
}
