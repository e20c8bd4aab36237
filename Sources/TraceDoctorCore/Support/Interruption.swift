// Ctrl-C and SIGTERM: the first one stops whatever runs — a query (through sqlite3_interrupt on
// every open connection), an analysis (which checks the flag between traces), an ingest (the
// current file's transaction rolls back) — and the command exits 130 (SIGINT) or 143 (SIGTERM)
// after saying what it stopped; a second one ends the process at once.

import Foundation
import GRDBSQLite
import Synchronization

public enum Interruption {
    private static let flag = Atomic<Bool>(false)
    private static let signalNumber = Atomic<Int32>(0)
    /// What the command is doing, for the message ("running the query"), set by Core.
    private static let activity = Mutex<String>("")
    /// Open SQLite connections, interrupted when a signal arrives (guarded: never one being closed).
    private static let connections = Mutex<[Int: Connection]>([:])

    /// An SQLite connection handle; `sqlite3_interrupt` may be called from any thread.
    private struct Connection: @unchecked Sendable {
        let handle: OpaquePointer
    }
    private static let nextToken = Atomic<Int>(1)

    /// Asks running work to stop (the signal thread, or a test).
    public static func request(signal: Int32 = SIGINT) {
        signalNumber.store(signal, ordering: .relaxed)
        flag.store(true, ordering: .relaxed)
        connections.withLock { open in
            for connection in open.values { sqlite3_interrupt(connection.handle) }
        }
    }

    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// The exit code for the signal received: 128 + its number (130 for SIGINT, 143 for SIGTERM).
    public static var exitCode: Int32 {
        let signal = signalNumber.load(ordering: .relaxed)
        return 128 + (signal == 0 ? SIGINT : signal)
    }

    /// "SIGINT" or "SIGTERM".
    public static var signalName: String { signalNumber.load(ordering: .relaxed) == SIGTERM ? "SIGTERM" : "SIGINT" }

    /// For tests.
    public static func reset() {
        flag.store(false, ordering: .relaxed)
        signalNumber.store(0, ordering: .relaxed)
    }

    /// Names what runs from now on, for the message after an interruption.
    public static func doing(_ what: String) { activity.withLock { $0 = what } }

    /// What was running: "running the query" (empty when nothing said).
    public static var currentActivity: String { activity.withLock { $0 } }

    /// Throws `.interrupted` when a signal arrived: long loops call it between steps.
    public static func check() throws(TraceDoctorError) {
        if isRequested { throw .interrupted }
    }

    /// Registers an open connection to interrupt; pass the token to `remove` before closing it.
    static func add(_ connection: OpaquePointer) -> Int {
        let token = nextToken.add(1, ordering: .relaxed).oldValue
        let entry = Connection(handle: connection)
        connections.withLock { $0[token] = entry }
        if isRequested { sqlite3_interrupt(connection) }
        return token
    }

    static func remove(_ token: Int) {
        _ = connections.withLock { $0.removeValue(forKey: token) }
    }

    /// SIGINT and SIGTERM.
    private static var handled: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        return signals
    }

    /// Takes SIGINT and SIGTERM over for the whole process: they are blocked in every thread and
    /// one thread waits for them (`sigwait`), so the work they stop needs no async-signal-safe
    /// code. The first asks running work to stop; a second ends the process with the same code.
    /// Call before any other thread starts (first thing in `main`).
    public static func install() {
        pthread_sigmask(SIG_BLOCK, [handled], nil)
        let waiter = Thread {
            var received: Int32 = 0
            while true {
                var wanted = handled
                guard sigwait(&wanted, &received) == 0 else { continue }
                if isRequested { _exit(128 + received) }
                request(signal: received)
            }
        }
        waiter.name = "signals"
        waiter.start()
    }
}
