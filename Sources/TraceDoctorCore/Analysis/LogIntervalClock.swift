// The clock a log interval is placed on. Log times come from the log's host; when a span of the
// same service ran there and the clock-skew adjuster shifted it, the interval takes that shift.
// `explain` (placing intervals in the waterfall) and `gaps` (measuring a gap's evidence) both ask
// here, so an interval covers the same part of a gap in both.

/// A span as log-interval placement sees it: its service, its times on the adjusted clock and the
/// clock-skew shift applied to it.
public struct ClockedSpan: Sendable, Equatable {
    public var spanID: SpanID
    public var service: String
    public var startNs: Int64
    public var endNs: Int64
    public var shiftNs: Int64

    public init(spanID: SpanID, service: String, startNs: Int64, endNs: Int64, shiftNs: Int64) {
        self.spanID = spanID
        self.service = service
        self.startNs = startNs
        self.endNs = endNs
        self.shiftNs = shiftNs
    }
}

public enum LogIntervalClock {
    /// The shift of a log interval of `service` (raw times `rawStart`, `rawEnd`; `spanID` when its
    /// lines name a span) among `spans` (in the order a person reads them: tree order by start).
    /// The span its lines name, when it is of the same service; else the first span of the service
    /// that holds the interval once shifted by its own shift; else the service's first span; 0 when
    /// no span of the service is there (another service's shift says nothing about the log's host).
    public static func shift(
        service: String, spanID: SpanID?, rawStart: Int64?, rawEnd: Int64?, spans: [ClockedSpan]
    ) -> Int64 {
        if let spanID, let named = spans.first(where: { $0.spanID == spanID }), named.service == service {
            return named.shiftNs
        }
        var first: ClockedSpan?
        for span in spans where span.service == service {
            if first == nil { first = span }
            let s = (rawStart ?? rawEnd ?? 0) + span.shiftNs
            let e = (rawEnd ?? rawStart ?? 0) + span.shiftNs
            if span.startNs <= s && e <= span.endNs { return span.shiftNs }
        }
        return first?.shiftNs ?? 0
    }

    /// The spans of a trace that can give a log interval a non-zero shift: those of every service
    /// with at least one shifted span, in tree order (top-level spans, then children, each by adjusted start).
    /// Empty when the adjuster shifted nothing (every interval keeps its recorded time).
    static func shiftedServices(of analysis: TraceAnalysis) -> [ClockedSpan] {
        let tree = analysis.tree
        let skew = analysis.skew
        var services = Set<String>()
        for i in 0..<tree.count where skew.shift[i] != 0 { services.insert(tree.spans[i].service) }
        guard !services.isEmpty else { return [] }
        var result: [ClockedSpan] = []
        func byStart(_ a: Int, _ b: Int) -> Bool { (skew.start[a], a) < (skew.start[b], b) }
        var stack = Array(tree.topLevel.sorted(by: byStart).reversed())
        var visited = Set<Int>()
        while let i = stack.popLast() {
            guard visited.insert(i).inserted else { continue }
            let span = tree.spans[i]
            if services.contains(span.service) {
                result.append(
                    ClockedSpan(
                        spanID: span.spanID, service: span.service, startNs: skew.start[i], endNs: skew.end[i],
                        shiftNs: skew.shift[i]))
            }
            stack.append(contentsOf: tree.children(of: i).sorted(by: byStart).reversed())
        }
        return result
    }
}
