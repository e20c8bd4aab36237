// Span links are deliberate propagation: a job started as a new trace whose root links to the
// request that started it, a batch CONSUMER that links the PRODUCER of every message it took.
// Such a trace is continued, not broken: never a `fragment_trace`, never incomplete, and the
// PRODUCER spans it links are answered. A link to a span that is not in the capture is said so.

/// A trace whose root links to spans of other traces.
public struct LinkedContinuation: Sendable, Equatable {
    /// The root carrying the links.
    public var root: SpanRef
    /// The linked spans found in the capture, in link order.
    public var linked: [SpanRef]
    /// Links naming spans that are not in the capture.
    public var notCaptured: [SpanLink]
    public var spanCount: Int
    public var startNs: Int64
    public var durationNs: Int64
}

/// A span link whose target is not in the capture (not an orphan: the span has its own parent or
/// is a root on purpose).
public struct UncapturedLink: Sendable, Equatable {
    public var span: SpanRef
    public var link: SpanLink
}

/// The links of a set of traces, resolved against a cross-trace index.
struct SpanLinks {
    /// A span with links, as a trace record keeps it.
    struct Source: Sendable {
        var span: SpanRef
        var isRoot: Bool
        var links: [SpanLink]
    }

    /// A trace's linking spans, with what its record knows of the trace.
    struct TraceSources {
        var trace: Int32
        var sources: [Source]
        var spanCount: Int
        var startNs: Int64
        var durationNs: Int64
    }

    /// Roots whose links resolve (at least one), by trace.
    var continuations: [LinkedContinuation] = []
    /// Traces whose root carries links (resolved or not): not fragments, not incomplete.
    var linkedRootTraces = Set<Int32>()
    /// Traces continued by a resolved link (`stats`: "traces continued by link").
    var continuedTraces = Set<Int32>()
    var uncaptured: [UncapturedLink] = []
    /// Every link target found in the capture: a PRODUCER named here was answered.
    var targets = Set<SpanLink>()

    init() {}

    init(_ traces: [TraceSources], index: CrossTraceIndex) {
        var wanted = Set<SpanLink>()
        for t in traces { for s in t.sources { wanted.formUnion(s.links) } }
        guard !wanted.isEmpty else { return }
        let found = index.spanRefs(of: wanted)
        targets = Set(found.keys)
        for t in traces {
            for source in t.sources {
                for link in source.links where found[link] == nil {
                    uncaptured.append(UncapturedLink(span: source.span, link: link))
                }
                guard source.isRoot else { continue }
                linkedRootTraces.insert(t.trace)
                let linked = source.links.compactMap { found[$0] }
                guard !linked.isEmpty else { continue }
                continuedTraces.insert(t.trace)
                continuations.append(
                    LinkedContinuation(
                        root: source.span, linked: linked, notCaptured: source.links.filter { found[$0] == nil },
                        spanCount: t.spanCount, startNs: t.startNs, durationNs: t.durationNs))
            }
        }
        continuations.sort { ($0.startNs, $0.root.traceID) < ($1.startNs, $1.root.traceID) }
        uncaptured.sort { ($0.span.traceID, $0.span.spanID) < ($1.span.traceID, $1.span.spanID) }
    }
}
