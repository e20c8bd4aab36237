// The critical path of a trace, by jaeger-ui's algorithm (components/TracePage/CriticalPath): the
// chain of work the root actually waited for.

/// The critical path of one trace: sections of spans, latest first.
public struct CriticalPath: Sendable {
    /// A stretch of time during which `span` was the one being waited for.
    public struct Section: Sendable, Equatable {
        public var span: Int
        public var start: Int64
        public var end: Int64
    }

    /// Latest first, as jaeger-ui lists them.
    public let sections: [Section]

    /// Whether span `i` is on the path.
    public func contains(_ i: Int) -> Bool { sections.contains { $0.span == i } }

    /// Walks back from the root's last-finishing child, each time taking the child that finished
    /// just before the previous one started; time between children belongs to the parent.
    /// Asynchronous children (FOLLOWS_FROM, CONSUMER under PRODUCER) do not block and are left out
    /// with their subtrees; children sticking out of their parent are first clipped to it, and
    /// those entirely outside dropped. Times are `start`/`end` (normally skew-adjusted).
    public init(tree: TraceTree, start rawStart: [Int64], end rawEnd: [Int64]) {
        // The root: the earliest-starting top-level span (jaeger-ui takes the first span by start).
        guard let root = tree.topLevel.min(by: { (rawStart[$0], $0) < (rawStart[$1], $1) }) else {
            sections = []
            return
        }
        var start = rawStart
        var end = rawEnd
        // Sanitise top-down, so that each child is clipped against its parent's clipped window.
        var stack = [root]
        var children = [[Int]](repeating: [], count: tree.count)
        while let p = stack.popLast() {
            for c in tree.children(of: p) where !tree.isAsyncEdge(c) {
                let ps = start[p]
                let pe = end[p]
                if start[c] >= ps {
                    if start[c] >= pe { continue }
                    if end[c] > pe { end[c] = pe }
                } else {
                    if end[c] <= ps { continue }
                    start[c] = ps
                    if end[c] > pe { end[c] = pe }
                }
                children[p].append(c)
                stack.append(c)
            }
        }

        // Each span's children latest end first (ties in child order). Walking back, the limit a
        // child must end before only decreases (a child's start, after it ended before the last
        // limit), so a cursor per span moves forward only: linear however wide the span is.
        for p in children.indices where children[p].count > 1 {
            children[p] = children[p].enumerated().sorted { a, b in
                end[a.element] != end[b.element] ? end[a.element] > end[b.element] : a.offset < b.offset
            }.map(\.element)
        }
        var cursor = [Int](repeating: 0, count: tree.count)

        var sections: [Section] = []
        var current = root
        var returning: Int64? = nil
        while true {
            var lastFinishing: Int? = nil
            let list = children[current]
            var k = cursor[current]
            if let limit = returning {
                while k < list.count && end[list[k]] >= limit { k += 1 }
            }
            cursor[current] = k
            if k < list.count { lastFinishing = list[k] }
            let sectionEnd = returning ?? end[current]
            if let child = lastFinishing {
                if end[child] != sectionEnd {
                    sections.append(Section(span: current, start: end[child], end: sectionEnd))
                }
                current = child
                returning = nil
            } else {
                if start[current] != sectionEnd {
                    sections.append(Section(span: current, start: start[current], end: sectionEnd))
                }
                guard current != root, let p = tree.parent[current] else { break }
                returning = start[current]
                current = p
            }
        }
        self.sections = sections
    }
}
