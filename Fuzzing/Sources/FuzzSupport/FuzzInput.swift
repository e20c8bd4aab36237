// The bytes libFuzzer hands a target, as the array the readers' in-memory source takes.

/// Copies libFuzzer's input into an array.
public enum FuzzInput {
    public static func bytes(_ start: UnsafeRawPointer?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: count))
    }
}
