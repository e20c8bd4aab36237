import Testing

@testable import TraceDoctorCore

@Suite struct LineScannerTests {
    /// Every line as text (or "<too long>"), with its number and offset.
    func lines(_ source: ByteSource, maxLineBytes: Int = LineScanner.defaultMaxLineBytes, chunk: Int = 1 << 20) throws
        -> [(String, Int, Int64)]
    {
        let scanner = LineScanner(source: source, chunkSize: chunk, maxLineBytes: maxLineBytes)
        var out: [(String, Int, Int64)] = []
        while let line = try scanner.next() {
            switch line {
            case let .text(bytes): out.append((String(decoding: bytes, as: UTF8.self), scanner.lineNumber, scanner.lineOffset))
            case .tooLong: out.append(("<too long>", scanner.lineNumber, scanner.lineOffset))
            }
        }
        return out
    }

    @Test func splitsOnLFAndCRLFAndKeepsALastLineWithoutBreak() throws {
        let got = try lines(MemorySource("a\r\nbb\n\nccc"))
        #expect(got.map(\.0) == ["a", "bb", "", "ccc"])
        #expect(got.map(\.1) == [1, 2, 3, 4])
        #expect(got.map(\.2) == [0, 3, 6, 7])
    }

    @Test func dropsAByteOrderMarkOnlyAtTheStart() throws {
        let got = try lines(MemorySource([0xEF, 0xBB, 0xBF] + Array("x\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("y".utf8)))
        #expect(got.map(\.0) == ["x", "\u{FEFF}y"])
    }

    @Test func anEmptyInputHasNoLines() throws {
        #expect(try lines(MemorySource("")).isEmpty)
    }

    @Test func overLongLinesAreReportedAndSkippedWhole() throws {
        let text = "short\n" + String(repeating: "x", count: 50) + "\nafter\n" + String(repeating: "y", count: 30)
        for chunk in [16, 64, 4096] {
            let got = try lines(MemorySource(text), maxLineBytes: 20, chunk: chunk)
            #expect(got.map(\.0) == ["short", "<too long>", "after", "<too long>"], "chunk \(chunk)")
            #expect(got.map(\.1) == [1, 2, 3, 4], "chunk \(chunk)")
            #expect(got.map(\.2) == [0, 6, 57, 63], "chunk \(chunk)")
        }
    }

    @Test func readsThatStopAnywhereGiveTheSameLines() throws {
        let text = "one\r\ntwo\n\nthree three three\nfour"
        let whole = try lines(MemorySource(text)).map(\.0)
        for step in [1, 2, 5] {
            #expect(try lines(TrickleSource(text, step: step), chunk: 16).map(\.0) == whole, "step \(step)")
        }
    }
}
