import Testing

@testable import TraceDoctorCore

@Suite struct JSONScannerTests {
    /// Walks any JSON value and re-serialises it compactly, with the scanner's own API.
    func roundTrip(_ text: String, chunkSize: Int = 1 << 20) throws -> String {
        let scanner = JSONScanner(source: MemorySource(text), chunkSize: chunkSize)
        let out = JSONBuffer()
        try scanner.copyValue(into: out)
        #expect(try scanner.atEnd())
        return out.string
    }

    func failure(_ text: String, chunkSize: Int = 1 << 20) -> InputError? {
        do {
            let scanner = JSONScanner(source: MemorySource(text), chunkSize: chunkSize)
            try scanner.skipValue()
            if try !scanner.atEnd() { return scanner.unexpected("the end of the input") }
            return nil
        } catch {
            return error
        }
    }

    @Test func copiesValuesOfEveryKind() throws {
        let text = #"{ "a": [1, -2.5e3, true, false, null], "b": {"c": "d\"e"}, "": [] }"#
        #expect(try roundTrip(text) == #"{"a":[1,-2.5e3,true,false,null],"b":{"c":"d\"e"},"":[]}"#)
    }

    @Test(arguments: [1, 2, 3, 5, 8, 13])
    func tokensSplitAcrossChunksAreReadWhole(chunkSize: Int) throws {
        let text = #"{"resourceSpans":[{"name":"GET /api/orders/{id}","n":1234567890,"u":"caf\u00e9 ☕"}]}"#
        #expect(try roundTrip(text, chunkSize: chunkSize) == #"{"resourceSpans":[{"name":"GET /api/orders/{id}","n":1234567890,"u":"caf\u00e9 ☕"}]}"#)
    }

    @Test func unescapesStrings() throws {
        let scanner = JSONScanner(source: MemorySource(#""a\n\t\u00e9\ud83d\ude00\/""#))
        #expect(try scanner.readString() == "a\n\té😀/")
    }

    @Test func reportsLineAndColumn() {
        let error = failure("{\n  \"a\": 1,\n  \"b\" 2\n}")
        #expect(error?.position?.line == 3)
        #expect(error?.position?.column == 7)
        #expect(error?.message == "expected ':' after a key, found '2'")
    }

    @Test func truncatedInputSaysWhatWasExpected() {
        let error = failure("{\"a\": [1, 2")
        #expect(error?.message == "expected ',' or ']', found end of input")
        #expect(error?.position?.offset == 11)
    }

    @Test func rejectsInvalidJSON() {
        #expect(failure("{\"a\": 01}")?.message.contains("not a valid JSON number") == true)
        #expect(failure("{\"a\": tru}") != nil)
        #expect(failure("{\"a\": \"x\ny\"}")?.message.contains("unterminated string") == true)
        #expect(failure("{\"a\": \"\\q\"}")?.message.contains("invalid escape") == true)
        #expect(failure("{\"a\": \"\\ud800\"}")?.message.contains("surrogate") == true)
        #expect(failure("[1,]") != nil)
        #expect(failure("{\"a\":1,}") != nil)
        #expect(failure("{} {}")?.message == "expected the end of the input, found '{'")
    }

    /// Fuzzing found a backslash skipping the line break after it: the string then ran on and
    /// the error named the line where it started, not the one where the input ended.
    @Test(arguments: [1, 2, 3, 5, 8, 1 << 20])
    func aLineBreakAfterABackslashIsARawLineBreak(chunkSize: Int) {
        let error = failure("{\"Opt\\\\\\\n\u{A0}&", chunkSize: chunkSize)
        #expect(error?.message == "unterminated string (a raw line break is not allowed inside a JSON string)")
        #expect(error?.position == SourcePosition(line: 1, column: 9, offset: 8))
        let inLines = failure("{\"a\":\"b\\\n\"}", chunkSize: chunkSize)
        #expect(inLines?.position == SourcePosition(line: 1, column: 9, offset: 8))
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = Array("[\"a".utf8) + [0xC3, 0x28] + Array("\"]".utf8)
        let scanner = JSONScanner(source: MemorySource(bytes))
        #expect(throws: InputError.self) { try scanner.skipValue() }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let error = failure(text)
        #expect(error?.message == "JSON nested deeper than 512 levels")
        #expect(error?.position?.column == 513)
    }

    @Test func jsonLinesModeStopsAtNewlines() throws {
        let scanner = JSONScanner(source: MemorySource("{\"a\":1}\n{\"a\":\n2}\n"))
        scanner.newlineEndsRecord = true
        #expect(try scanner.nextRecord())
        try scanner.skipValue()
        #expect(try scanner.nextRecord())
        #expect(throws: InputError.self) { try scanner.skipValue() }
    }
}

/// A source of `head` followed by `count` bytes of `fill`, made on the fly (no file, no memory).
final class GeneratedSource: ByteSource {
    private let head: [UInt8]
    private var remaining: Int
    private let fill: UInt8
    private var sentHead = false
    private(set) var produced = 0

    init(head: String, count: Int, fill: UInt8) {
        self.head = Array(head.utf8)
        remaining = count
        self.fill = fill
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        if !sentHead {
            sentHead = true
            let n = min(count, head.count)
            head.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: n) }
            produced += n
            return n
        }
        let n = min(count, remaining)
        buffer.update(repeating: fill, count: n)
        remaining -= n
        produced += n
        return n
    }
}

@Suite struct HugeInputTests {
    @Test func aOneGigabyteStringIsRefusedAtTheTokenLimitNotLoaded() {
        let source = GeneratedSource(
            head: #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","name":""#,
            count: 1 << 30, fill: UInt8(ascii: "a"))
        #expect {
            try OTLPJSONReader().read(source, into: CollectingSink(), context: ReadContext(keepGoing: false))
        } throws: { error in
            (error as? InputError)?.message == "a single JSON token is longer than 64 MiB"
        }
        // It stopped near the limit: the rest of the gigabyte was never read.
        #expect(source.produced < 80 << 20)
    }
}
