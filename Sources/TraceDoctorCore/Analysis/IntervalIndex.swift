// "Which spans were running at time t?" over a whole database, in O(log n + answers): intervals
// sorted by start, with a max-end tree over them. Fragments and unpropagated calls need it to find
// a parent in another trace without comparing every pair.

/// A static set of intervals, each carrying an `Int32` payload.
struct IntervalIndex {
    private let starts: [Int64]
    private let ends: [Int64]
    private let payloads: [Int32]
    /// Max end per node of a complete binary tree over the sorted intervals (leaves at `size...`).
    private let maxEnd: [Int64]
    private let size: Int

    var count: Int { starts.count }

    /// Builds the index; `entries` need not be sorted.
    init(_ entries: [(start: Int64, end: Int64, payload: Int32)]) {
        let sorted = entries.sorted { $0.start != $1.start ? $0.start < $1.start : $0.payload < $1.payload }
        starts = sorted.map(\.start)
        ends = sorted.map(\.end)
        payloads = sorted.map(\.payload)
        var size = 1
        while size < sorted.count { size <<= 1 }
        self.size = size
        var tree = [Int64](repeating: Int64.min, count: 2 * size)
        for (i, e) in ends.enumerated() { tree[size + i] = e }
        var node = size - 1
        while node >= 1 {
            tree[node] = max(tree[2 * node], tree[2 * node + 1])
            node -= 1
        }
        maxEnd = tree
    }

    /// Calls `body` with the payload, start and end of every interval with `start <= t <= end`.
    func stab(_ t: Int64, _ body: (_ payload: Int32, _ start: Int64, _ end: Int64) -> Void) {
        // Intervals [0, limit) start at or before t.
        var low = 0
        var high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] <= t { low = mid + 1 } else { high = mid }
        }
        let limit = low
        guard limit > 0 else { return }
        var stack: [(node: Int, from: Int, to: Int)] = [(1, 0, size)]
        while let (node, from, to) = stack.popLast() {
            if from >= limit || maxEnd[node] < t { continue }
            if to - from == 1 {
                body(payloads[from], starts[from], ends[from])
                continue
            }
            let mid = (from + to) / 2
            stack.append((2 * node + 1, mid, to))
            stack.append((2 * node, from, mid))
        }
    }
}
