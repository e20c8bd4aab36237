// A span source that lets worker threads read traces themselves (the store's rows, already
// grouped), so that reading spans is spread over the cores with the analysis.

/// A source that hands out its traces in batches, so that reading spans happens on the workers.
protocol BatchedSpanSource: SpanSource {
    /// Calls `body` with batches of at most `size` traces, every trace once, in any order (the
    /// diagnoses put the records back in trace-ID order).
    func forEachTraceBatch(size: Int, _ body: (TraceBatch) throws -> Void) throws
}
