// Text log lines are not always UTF-8 (a Latin-1 message, a truncated multi-byte character):
// rather than refuse the file, bad bytes become U+FFFD so that the database holds valid text.

/// Hands back each line as valid UTF-8, repairing it into a scratch buffer only when needed.
struct UTF8Repair {
    private var scratch: [UInt8] = []
    /// Whether the line last handed back is a repaired copy.
    private var repaired = false

    /// `line` itself when it is valid UTF-8 (the common, ASCII case costs one pass of 8-byte
    /// reads), else a repaired copy, valid until the next call.
    mutating func valid(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        repaired = false
        if Self.isASCII(line) || UTF8Validation.isValid(line) { return line }
        repaired = true
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: String(decoding: line, as: UTF8.self).utf8)
        return scratch.withUnsafeBufferPointer { $0 }
    }

    /// The index in the line as read (`raw`) of byte `index` of the line last handed back, so
    /// that an error points at the bytes of the file: each U+FFFD (3 bytes) stands for the
    /// 1 to 3 bad bytes it replaced.
    func originalIndex(_ index: Int, in raw: UnsafeBufferPointer<UInt8>) -> Int {
        guard repaired else { return index }
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = raw.makeIterator()
        var inRepaired = 0
        var inRaw = 0
        while true {
            let (repairedLength, rawLength): (Int, Int)
            switch parser.parseScalar(from: &bytes) {
            case let .valid(scalar): (repairedLength, rawLength) = (scalar.count, scalar.count)
            case let .error(length): (repairedLength, rawLength) = (3, length)
            case .emptyInput: return inRaw
            }
            if inRepaired + repairedLength > index { return inRaw }
            inRepaired += repairedLength
            inRaw += rawLength
        }
    }

    static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        var i = 0
        var bits: UInt64 = 0
        while i + 8 <= b.count {
            bits |= UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            i += 8
        }
        while i < b.count {
            bits |= UInt64(b[i])
            i += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }
}
