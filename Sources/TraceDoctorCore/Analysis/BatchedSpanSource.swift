// A span source that lets worker threads read traces themselves (the store's rows, already
// grouped), so that reading spans is spread over the cores with the analysis.

/// A source that hands out its traces in batches, so that reading spans happens on the workers.
protocol BatchedSpanSource: SpanSource {
    func traceBatches(size: Int) throws -> [TraceBatch]
}
