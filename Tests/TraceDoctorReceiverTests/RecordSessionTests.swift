// `record`'s capture of CMD's output: both pipes kept, whole lines in arrival order.

import Foundation
import Testing

@testable import TraceDoctorReceiver

@Suite struct RecordSessionTests {
    /// A line stdout has begun is not split by a line stderr writes meanwhile (Python's exporters
    /// log retries to stderr while the program prints its own lines).
    @Test func theOtherPipesLinesNeverLandInsideALine() throws {
        let script = "printf 'order 3 '; sleep 0.3; printf 'exporter: retrying\\n' >&2; sleep 0.3; printf 'done\\n'; printf 'no newline at the end' >&2"
        let (termination, bytes) = try RecordSession.run(
            ["sh", "-c", script], environment: ProcessInfo.processInfo.environment, shouldForwardTerminate: { false })
        #expect(termination == .exited(0))
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        // Whole lines only. Their order across the two pipes is the order the capture read them
        // in, which a loaded machine can change (both lines waiting when it wakes).
        #expect(lines.sorted() == ["exporter: retrying", "no newline at the end", "order 3 done"])
    }
}
