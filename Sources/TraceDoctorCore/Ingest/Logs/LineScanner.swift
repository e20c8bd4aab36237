// Splits an input into lines for the line-oriented log readers (logfmt, plain text), holding
// only the current line in memory: a 5 GB log file streams through a 1 MiB buffer.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only line reader over a `ByteSource`. Line breaks are `\n` or `\r\n`; a UTF-8
/// byte-order mark at the very start is dropped.
public final class LineScanner {
    /// The longest line accepted; a longer one is reported (and can be skipped).
    public static let defaultMaxLineBytes = 16 << 20

    /// One step of the scan.
    public enum Line {
        /// A line without its line break; valid until the next call.
        case text(UnsafeBufferPointer<UInt8>)
        /// A line longer than the limit; its bytes were discarded.
        case tooLong
    }

    private let source: ByteSource
    private let maxLineBytes: Int
    private var buf: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var pos = 0
    private var end = 0
    private var sourceEnded = false
    private var atStart = true
    /// Byte offset of `buf[0]` in the input.
    private var baseOffset: Int64 = 0

    /// 1-based number of the line last returned.
    public private(set) var lineNumber = 0
    /// Byte offset where the line last returned starts.
    public private(set) var lineOffset: Int64 = 0

    public init(source: ByteSource, chunkSize: Int = 1 << 20, maxLineBytes: Int = LineScanner.defaultMaxLineBytes) {
        self.source = source
        self.maxLineBytes = maxLineBytes
        capacity = max(16, min(chunkSize, maxLineBytes + 1))
        buf = .allocate(capacity: capacity)
    }

    deinit { buf.deallocate() }

    /// The position of the first byte of the line last returned.
    public var lineStart: SourcePosition {
        SourcePosition(line: lineNumber, column: 1, offset: lineOffset)
    }

    /// The position of byte `index` of the line last returned.
    public func position(atColumnIndex index: Int) -> SourcePosition {
        SourcePosition(line: lineNumber, column: index + 1, offset: lineOffset + Int64(index))
    }

    /// The next line, or nil at the end of the input.
    public func next() throws(InputError) -> Line? {
        if atStart {
            atStart = false
            try dropByteOrderMark()
        }
        var scanned = pos
        while true {
            let newline = scanned < end ? memchr(buf + scanned, 0x0A, end - scanned) : nil
            if let newline {
                let nl = newline.assumingMemoryBound(to: UInt8.self) - buf
                return emit(upTo: nl, consumed: nl + 1)
            }
            scanned = end
            if end - pos > maxLineBytes {
                try discardRestOfLine()
                return .tooLong
            }
            let offset = scanned - pos
            if try !refill() {
                // The last line has no line break.
                if pos == end { return nil }
                return emit(upTo: end, consumed: end)
            }
            scanned = pos + offset
        }
    }

    private func emit(upTo lineEnd: Int, consumed: Int) -> Line {
        lineNumber += 1
        lineOffset = baseOffset + Int64(pos)
        var stop = lineEnd
        if stop > pos && buf[stop - 1] == 0x0D { stop -= 1 }
        let line = UnsafeBufferPointer(start: buf + pos, count: stop - pos)
        pos = consumed
        return line.count > maxLineBytes ? .tooLong : .text(line)
    }

    /// Skips the bytes of an over-long line up to and including its line break.
    private func discardRestOfLine() throws(InputError) {
        lineNumber += 1
        lineOffset = baseOffset + Int64(pos)
        while true {
            if pos < end, let newline = memchr(buf + pos, 0x0A, end - pos) {
                pos = newline.assumingMemoryBound(to: UInt8.self) - buf + 1
                return
            }
            baseOffset += Int64(end)
            pos = 0
            end = 0
            if try !refill() { return }
        }
    }

    private func dropByteOrderMark() throws(InputError) {
        while end - pos < 3 {
            if try !refill() { break }
        }
        if end - pos >= 3 && buf[pos] == 0xEF && buf[pos + 1] == 0xBB && buf[pos + 2] == 0xBF {
            pos += 3
        }
    }

    /// Moves the unread bytes to the front, grows the buffer if a line fills it, reads more.
    private func refill() throws(InputError) -> Bool {
        if sourceEnded { return false }
        if pos > 0 {
            let live = end - pos
            if live > 0 { buf.update(from: buf + pos, count: live) }
            baseOffset += Int64(pos)
            end = live
            pos = 0
        }
        if end == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buf, count: end)
            buf.deallocate()
            buf = bigger
            capacity *= 2
        }
        let n = try source.read(into: buf + end, count: capacity - end)
        if n == 0 {
            sourceEnded = true
            return false
        }
        end += n
        return true
    }
}
