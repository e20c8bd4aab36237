// Ctrl-C: the command line sets a flag from its signal handler; long work checks it between
// chunks and stops cleanly (the current file's transaction rolls back).

import Synchronization

public enum Interruption {
    private static let flag = Atomic<Bool>(false)

    /// Called from a signal handler: only an atomic store.
    public static func request() { flag.store(true, ordering: .relaxed) }

    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// For tests.
    public static func reset() { flag.store(false, ordering: .relaxed) }
}
