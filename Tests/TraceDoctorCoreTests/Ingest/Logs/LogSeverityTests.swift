import Testing

@testable import TraceDoctorCore

/// Level names and numbers map to OTLP severity numbers.
@Suite struct LogSeverityTests {
    func severity(_ name: String) -> Int? {
        var bytes = Array(name.utf8)
        return bytes.withUnsafeMutableBufferPointer { LogSeverity.number(ofName: UnsafeBufferPointer($0)) }
    }

    @Test(arguments: [
        ("TRACE", 1), ("trace", 1), ("finest", 1), ("DEBUG", 5), ("dbg", 5), ("Fine", 5), ("INFO", 9), ("info", 9),
        ("Information", 9), ("notice", 10), ("WARN", 13), ("warning", 13), ("WRN", 13), ("ERROR", 17), ("err", 17),
        ("SEVERE", 17), ("FATAL", 21), ("CRITICAL", 21), ("panic", 21), ("emerg", 21), ("I", 9), ("E", 17),
    ])
    func namesMapToOTLPSeverities(name: String, expected: Int) {
        #expect(severity(name) == expected, "\(name)")
    }

    @Test(arguments: ["", "INFOS", "warnings", "X", "verbose2", "informationally"])
    func otherWordsAreNoLevel(name: String) {
        #expect(severity(name) == nil, "\(name)")
    }

    @Test func pinoBunyanAndSyslogNumbers() {
        #expect([10, 20, 30, 40, 50, 60].map { LogSeverity.number(ofLevel: $0) } == [1, 5, 9, 13, 17, 21])
        #expect(LogSeverity.number(ofLevel: 35) == 9)
        #expect([0, 3, 4, 6, 7].map { LogSeverity.number(ofLevel: $0) } == [21, 17, 13, 9, 5])
        #expect(LogSeverity.number(ofLevel: 8) == nil)
        #expect(LogSeverity.number(ofLevel: 1000) == nil)
    }
}
