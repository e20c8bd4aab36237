// One String per distinct byte sequence: the span reader meets the same few hundred names a
// million times, and should neither allocate nor hash a Swift String for each.

/// Interns UTF-8 byte runs into indices of `strings`.
import Foundation

final class ByteInterner {
    private(set) var strings: [String] = []
    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int] = []
    private var hashes: [UInt64] = []
    /// Open addressing: index into `strings`, or -1.
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// The index of the string with these bytes, adding it when new.
    func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry < 0 { break }
            let e = Int(entry)
            if hashes[e] == hash && lengths[e] == bytes.count && equal(e, bytes) { return entry }
            slot = (slot + 1) & mask
        }
        let index = Int32(strings.count)
        strings.append(String(decoding: bytes, as: UTF8.self))
        offsets.append(arena.count)
        lengths.append(bytes.count)
        hashes.append(hash)
        arena.append(contentsOf: bytes)
        slots[slot] = index
        if strings.count * 2 > slots.count { grow() }
        return index
    }

    /// Eight bytes at a time, then the tail; multiply-xorshift mixing (not for untrusted keys).
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 29
            i += 8
        }
        while i < bytes.count {
            hash = (hash ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01b3
            i += 1
        }
        return hash ^ (hash >> 32)
    }

    private func equal(_ e: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count > 0 else { return true }
        let start = offsets[e]
        return arena.withUnsafeBytes { stored in
            guard let base = bytes.baseAddress else { return true }
            return memcmp(stored.baseAddress! + start, base, bytes.count) == 0
        }
    }

    private func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for (e, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(e)
        }
    }
}
