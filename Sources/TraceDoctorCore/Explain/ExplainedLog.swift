// A log line as `explain` places it: under the span it names, at the gap it was written in, or
// at the end when it matches no span of the trace.

/// One log line of an explanation.
public struct ExplainedLog: Sendable {
    /// How the line joins the trace.
    public enum Link: String, Sendable, CaseIterable {
        /// Its span ID names a span of the trace (or of a trace attached to it).
        case span
        /// Its span ID names the parent that never arrived.
        case missingParent = "missing_parent"
        /// It carries the trace ID, but no span ID or one that is not in the trace.
        case trace
        /// No trace ID: written by a service of the trace during one of its gaps (`log_unlinked`);
        /// it may belong to another request.
        case unlinked
        /// No trace ID, but it names the message or task ID a PRODUCER span of the trace sent
        /// (`Task NAME[ID] received`, a `task_id` field): it joins the producer's trace by that ID.
        case messageID = "message_id"
        /// No trace ID, but a correlation key's value that a span of the trace (or a traced line)
        /// carries (`explain --link-key request_id`); `joinKey` names the key.
        case key
    }

    /// Where it is shown.
    public enum Placement: Sendable, Equatable {
        /// Under node `node`.
        case span(node: Int)
        /// At gap `gap` of node `node`.
        case gap(node: Int, gap: Int)
        /// At the end: the trace's lines that match no span.
        case unmatched
    }

    public var log: StoredLog
    public var link: Link
    public var placement: Placement
    /// The line's time on the adjusted clock (its span's clock-skew shift added).
    public var adjustedTimeNs: Int64?
    /// The attached trace it belongs to (index into `Explanation.attachedTraces`), if any.
    public var attachedTrace: Int?
    /// For `.key`: the key (`request_id`) and its value.
    public var joinKey: LinkKey? = nil
    public var joinValue: String? = nil

    /// The node it is shown under or at (nil at the end).
    public var node: Int? {
        switch placement {
        case .span(let n), .gap(let n, _): n
        case .unmatched: nil
        }
    }
}
