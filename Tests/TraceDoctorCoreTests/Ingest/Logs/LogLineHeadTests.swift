import Testing

@testable import TraceDoctorCore

/// The timestamp and level at the start of a text log line, for the layouts loggers use.
@Suite struct LogLineHeadTests {
    static let base: Int64 = 1_795_313_428_000_000_000

    func head(_ text: String) -> (LogLineHead, String, String) {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { b in
            let line = UnsafeBufferPointer(b)
            let head = LogLineHead.parse(line)
            let level = head.level.map { String(decoding: line[$0], as: UTF8.self) } ?? ""
            return (head, level, String(decoding: line[head.bodyStart...], as: UTF8.self))
        }
    }

    @Test(arguments: [
        ("2026-11-22 02:10:28,123 INFO checkout started", base + 123_000_000, "INFO", "checkout started"),
        ("2026-11-22T02:10:28.123Z  WARN 1 --- [main] c.e.A : x", base + 123_000_000, "WARN", "1 --- [main] c.e.A : x"),
        ("2026-11-22 02:10:28.123 [main] ERROR c.e.A - boom", base + 123_000_000, "ERROR", "[main] ERROR c.e.A - boom"),
        ("[2026-11-22T02:10:28Z INFO  my_app] started", base, "INFO", "my_app] started"),
        ("[2026-11-22 02:10:28] production.ERROR: failed", base, "", "production.ERROR: failed"),
        ("2026/11/22 02:10:28 listening on :8080", base, "", "listening on :8080"),
        ("2026-11-22T03:10:28+01:00 | DEBUG | cache hit", base, "DEBUG", "cache hit"),
        ("2026-11-22 02:10:28 info: lowercase when decorated", base, "info", "lowercase when decorated"),
        ("2026-11-22 02:10:28 Error handling is hard", base, "", "Error handling is hard"),
    ] as [(String, Int64?, String, String)])
    func timestampLevelAndBody(text: String, time: Int64?, level: String, body: String) {
        let (h, l, b) = head(text)
        #expect(h.hasTimestamp, "\(text)")
        #expect(h.timeNs == time, "\(text)")
        #expect(l == level, "\(text)")
        #expect(b == body, "\(text)")
    }

    @Test(arguments: [
        ("INFO: starting", 9, "starting"), ("[WARN] disk low", 13, "disk low"), ("ERROR something failed", 17, "something failed"),
        ("warning: deprecated flag", 13, "deprecated flag"), ("<crit> kernel", 21, "kernel"),
    ])
    func aLevelWithoutTimestamp(text: String, severity: Int, body: String) {
        let (h, _, b) = head(text)
        #expect(!h.hasTimestamp)
        #expect(h.severity == severity, "\(text)")
        #expect(b == body, "\(text)")
        #expect(h.isRecordStart)
    }

    @Test(arguments: [
        "this is prose", "Error handling in Swift", "info about the build", "I think so", "2026-11-22: released",
        "ValueError: bad", "\tat com.x.Y(Y.java:1)", "",
    ])
    func linesThatDoNotStartARecord(text: String) {
        #expect(!head(text).0.isRecordStart, "\(text)")
    }

    @Test func syslogLinesStartRecordsAndKeepTheirTimeInTheBody() {
        let (h, _, b) = head("Nov 22 02:10:28 web-1 nginx[7]: upstream timed out")
        #expect(h.hasTimestamp && h.timeNs == nil)
        #expect(b == "Nov 22 02:10:28 web-1 nginx[7]: upstream timed out")
    }
}
