// A value handed between two threads that never touch it at the same time (one writes, then
// signals; the other waits, then reads): the synchronisation is the caller's.

final class SendableBox<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) { self.value = value }
}
