// The first lines of an input as the text sniffers see them: without a byte-order mark,
// without blank lines, and without a last line that the detection prefix cut in two.

/// Up to `limit` non-blank lines from the start of an input.
struct LogSample {
    var lines: [UnsafeBufferPointer<UInt8>] = []

    /// Calls `body` with the sample of `prefix` (the pointers are valid only inside `body`).
    static func with<R>(_ prefix: InputPrefix, limit: Int, _ body: (LogSample) -> R) -> R {
        prefix.bytes.withUnsafeBufferPointer { all in
            var sample = LogSample()
            var start = 0
            if all.count >= 3, all[0] == 0xEF, all[1] == 0xBB, all[2] == 0xBF { start = 3 }
            while start < all.count, sample.lines.count < limit {
                var end = start
                while end < all.count, all[end] != 0x0A { end += 1 }
                // A last line without its line break may be cut short, unless the input ends there.
                if end == all.count && !prefix.isComplete { break }
                var stop = end
                if stop > start, all[stop - 1] == 0x0D { stop -= 1 }
                let line = UnsafeBufferPointer(rebasing: all[start..<stop])
                if !TextLogReader.isBlank(line) { sample.lines.append(line) }
                start = end + 1
            }
            return body(sample)
        }
    }

    /// Whether a line of the sample is obviously a continuation (indented, a stack frame).
    static func isContinuationLike(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = line.first else { return true }
        return first == 0x20 || first == 0x09 || ContinuationRule.isStackMarker(line)
    }
}
