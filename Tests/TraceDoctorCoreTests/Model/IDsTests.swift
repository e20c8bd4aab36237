import Testing

@testable import TraceDoctorCore

@Suite struct IDsTests {
    func parseTrace(_ text: String, _ mode: IDParseMode = .hexOrBase64) -> TraceID? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { IDParser.parseTraceID(UnsafeBufferPointer($0), mode: mode) }
    }

    func parseSpan(_ text: String, _ mode: IDParseMode = .hexOrBase64) -> SpanID? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { IDParser.parseSpanID(UnsafeBufferPointer($0), mode: mode) }
    }

    @Test func hexTraceIDsAreLowercased() {
        #expect(parseTrace("5B8EFFF798038103D269B633813FC60C")?.hex == "5b8efff798038103d269b633813fc60c")
    }

    @Test func base64IDsDecodeToTheSameBytes() {
        // From otlp2parquet/traces.jsonl: base64 of 69842a979911036cf3e822086ecaa007.
        #expect(parseTrace("aYQql5kRA2zz6CIIbsqgBw==")?.hex == "69842a979911036cf3e822086ecaa007")
        #expect(parseSpan("Wmn8F4uo+Dc=")?.hex == "5a69fc178ba8f837")
    }

    @Test func wrongLengthsAndAlphabetsAreRefused() {
        #expect(parseTrace("zzz") == nil)
        #expect(parseTrace("!!!INVALID_BASE64!!!") == nil)
        #expect(parseTrace("5b8efff798038103d269b633813fc60") == nil)  // 31 digits
        #expect(parseSpan("eee19b7ec3c1b17") == nil)  // 15 digits, strict
        #expect(parseSpan("INVALID==") == nil)
        #expect(parseTrace("5b8efff798038103d269b633813fc6zz") == nil)
    }

    @Test func paddedModeLeftPadsShortHex() {
        #expect(parseTrace("2", .paddedHex)?.hex == "00000000000000000000000000000002")
        #expect(parseSpan("c26551047c72d19", .paddedHex)?.hex == "0c26551047c72d19")
        #expect(parseTrace("463ac35c9f6413ad48485a3953bb6124", .paddedHex)?.hex == "463ac35c9f6413ad48485a3953bb6124")
        #expect(parseTrace("1463ac35c9f6413ad4", .paddedHex)?.hex == "000000000000001463ac35c9f6413ad4")
    }

    @Test func zeroIsRecognised() {
        #expect(parseTrace("00000000000000000000000000000000")?.isZero == true)
        #expect(parseSpan("0000000000000000")?.isZero == true)
    }

    @Test func decimalDatadogIDs() {
        var bytes = Array("5208512171318403364".utf8)
        let value = bytes.withUnsafeMutableBufferPointer { IDParser.parseDecimal64(UnsafeBufferPointer($0)) }
        #expect(value == 5_208_512_171_318_403_364)
        var tooBig = Array("18446744073709551616".utf8)
        #expect(tooBig.withUnsafeMutableBufferPointer { IDParser.parseDecimal64(UnsafeBufferPointer($0)) } == nil)
    }

    @Test func base64RejectsTrailingGarbageBits() {
        #expect(Base64.decode("AAAwOQ==") == [0, 0, 48, 57])
        #expect(Base64.decode("A") == nil)
        #expect(Base64.decode("AQ==") == [1])
        #expect(Base64.decode("AB=") == nil)
    }
}
