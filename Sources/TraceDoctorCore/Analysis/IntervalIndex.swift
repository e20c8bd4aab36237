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
        let sorted = Self.sortedByStart(entries)
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

    /// The entries by start, then payload. When the starts lie within 2^40 ns (18 minutes) of each
    /// other and the payloads are distinct numbers below 2^23, one sort of packed integers does it
    /// (several times faster than a sort with a comparison closure).
    static func sortedByStart(_ entries: [(start: Int64, end: Int64, payload: Int32)])
        -> [(start: Int64, end: Int64, payload: Int32)]
    {
        func slow() -> [(start: Int64, end: Int64, payload: Int32)] {
            entries.sorted { $0.start != $1.start ? $0.start < $1.start : $0.payload < $1.payload }
        }
        let payloadBits = 23
        guard !entries.isEmpty, entries.count < 1 << payloadBits,
            let low = entries.lazy.map(\.start).min(), let high = entries.lazy.map(\.start).max(),
            high &- low >= 0, high &- low < 1 << 40,
            let maxPayload = entries.lazy.map(\.payload).max(), maxPayload < 1 << payloadBits,
            entries.allSatisfy({ $0.payload >= 0 })
        else { return slow() }
        var entryOf = [Int32](repeating: -1, count: Int(maxPayload) + 1)
        for (k, e) in entries.enumerated() {
            if entryOf[Int(e.payload)] >= 0 { return slow() }
            entryOf[Int(e.payload)] = Int32(k)
        }
        var keys = entries.map { UInt64($0.start &- low) << UInt64(payloadBits) | UInt64($0.payload) }
        keys.sort()
        let mask = UInt64(1 << payloadBits - 1)
        return keys.map { entries[Int(entryOf[Int($0 & mask)])] }
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
