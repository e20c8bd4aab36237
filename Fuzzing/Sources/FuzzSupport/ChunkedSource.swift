// A byte source that hands its bytes out in small, uneven reads, as a pipe may: a reader must
// read the same records from it as from one large read.

import TraceDoctorCore

/// In-memory bytes returned 1 to 16 bytes (and now and then a few KiB) per read.
public final class ChunkedSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    private var state: UInt64

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        state = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
    }

    private func nextSize() -> Int {
        // xorshift64: deterministic for a given input, so a crash replays.
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state % 32 == 0 ? 1 + Int(state >> 40) % 4096 : 1 + Int(state >> 40) % 16
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        let n = min(count, bytes.count - position, nextSize())
        guard n > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { all in
            buffer.update(from: all.baseAddress! + position, count: n)
        }
        position += n
        return n
    }
}
