// One String per distinct byte sequence: the span reader meets the same few hundred names a
// million times, and should neither allocate nor hash a Swift String for each.

/// Interns UTF-8 byte runs into indices of `strings`.
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
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
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

    private func equal(_ e: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[e]
        for (k, byte) in bytes.enumerated() where arena[start + k] != byte { return false }
        return true
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
