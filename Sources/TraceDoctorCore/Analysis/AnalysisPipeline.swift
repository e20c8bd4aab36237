// Trace analysis on a second thread: while the caller records the findings of one batch of
// traces, the next batch is analysed. Traces come out in the order they went in.

import Dispatch

/// Analyses batches of traces one step ahead of the caller.
final class AnalysisPipeline {
    private let options: AnalysisOptions
    private let batchSize: Int
    private var batch: [[AnalysisSpan]] = []
    private var inFlight: (output: SendableBox<[TraceAnalysis]>, done: DispatchSemaphore)?

    init(options: AnalysisOptions, batchSize: Int = 256) {
        self.options = options
        self.batchSize = batchSize
    }

    /// Adds one trace; `record` receives the analyses of an earlier batch when it is ready.
    func add(_ spans: [AnalysisSpan], record: (TraceAnalysis) -> Void) {
        batch.append(spans)
        if batch.count >= batchSize { flush(record: record) }
    }

    /// Analyses what is left and hands every remaining analysis to `record`.
    func finish(record: (TraceAnalysis) -> Void) {
        flush(record: record)
        collect(record: record)
    }

    private func flush(record: (TraceAnalysis) -> Void) {
        guard !batch.isEmpty else { return }
        let input = SendableBox(batch)
        batch = []
        let output = SendableBox<[TraceAnalysis]>([])
        let done = DispatchSemaphore(value: 0)
        let options = self.options
        DispatchQueue.global().async {
            output.value = input.value.map { TraceAnalysis(spans: $0, options: options) }
            done.signal()
        }
        collect(record: record)
        inFlight = (output, done)
    }

    private func collect(record: (TraceAnalysis) -> Void) {
        guard let (output, done) = inFlight else { return }
        inFlight = nil
        done.wait()
        for analysis in output.value { record(analysis) }
    }
}
