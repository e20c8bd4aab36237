// A batch of traces a worker thread reads for itself, one trace at a time.

/// Traces a worker thread can turn into spans by itself (the store's rows, already grouped), one
/// trace at a time, so that each trace is analysed while its spans are still in the cache.
struct TraceBatch: Sendable {
    let forEachTrace: @Sendable (([AnalysisSpan]) -> Void) -> Void
}
