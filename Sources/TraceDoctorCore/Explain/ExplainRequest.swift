// Explain/ assembles one trace for a person to read: its tree with placeholders and the traces
// that split off it, the ranked findings, and the log lines placed under their spans and gaps.
// This file: what `explain` is asked.

/// What to explain, and how much of the logs to read.
public struct ExplainRequest: Sendable {
    /// Which trace.
    public enum Target: Sendable, Equatable {
        /// Any unique prefix of a trace ID, in hex, base64 or Datadog decimal.
        case trace(String)
        /// The trace with the most kinds of defect (see `MostBrokenTrace`).
        case mostBroken
    }

    /// Which log lines to show.
    public enum Logs: String, Sendable, CaseIterable {
        case all
        /// ERROR and FATAL lines only.
        case errors
        /// None (the logs are not read).
        case none
    }

    public var databasePath: String
    public var target: Target
    public var options: AnalysisOptions
    public var logs: Logs
    /// At most this many lines without a trace ID are read per gap (they are looked up by service
    /// and time, and a busy service may log a lot while one request waits).
    public var unlinkedLogsPerGap: Int
    /// Correlation keys (`--link-key`): lines without trace ID that carry a value a span of the
    /// trace carries join it (and the log intervals they open or close with them).
    public var linkKeys: [LinkKey]

    public init(
        databasePath: String, target: Target, options: AnalysisOptions = AnalysisOptions(), logs: Logs = .all,
        unlinkedLogsPerGap: Int = 20, linkKeys: [LinkKey] = []
    ) {
        self.linkKeys = linkKeys
        self.databasePath = databasePath
        self.target = target
        self.options = options
        self.logs = logs
        self.unlinkedLogsPerGap = unlinkedLogsPerGap
    }
}
