import Testing

@testable import TraceDoctorCore

/// The eight-at-a-time hex decoder against the plain one, on every byte value.
@Suite struct LogIDParserTests {
    @Test func everyByteIsJudgedLikeTheReferenceParser() {
        for byte in 0...255 {
            for position in [0, 7, 15] {
                var digits = Array("0123456789abcdef".utf8)
                digits[position] = UInt8(byte)
                let fast = digits.withUnsafeBufferPointer { LogIDParser.hex16($0.baseAddress!) }
                let reference = digits.withUnsafeBufferPointer { IDParser.parseHex64($0) }
                #expect(fast == reference, "byte \(byte) at \(position)")
            }
        }
        var mixed = Array("DeadBEEF00c0FFEE".utf8)
        #expect(mixed.withUnsafeMutableBufferPointer { LogIDParser.hex16(UnsafePointer($0.baseAddress!)) } == 0xDEAD_BEEF_00C0_FFEE)
    }
}

extension LogIDParserTests {
    func trace(_ text: String, _ encoding: LogIDEncoding = .hex, number: Bool = false) -> LogIDParser.Value<TraceID> {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer {
            LogIDParser.traceID(UnsafeBufferPointer($0), encoding: encoding, isNumber: number)
        }
    }

    @Test func traceIDValuesByEncoding() {
        let full = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)
        #expect(trace("4bf92f3577b34da6a3ce929d0e0e4736") == .id(full))
        #expect(trace("4BF92F3577B34DA6A3CE929D0E0E4736") == .id(full))
        #expect(trace("S/kvNXezTaajzpKdDg5HNg==") == .id(full))
        #expect(trace("a3ce929d0e0e4736") == .id(TraceID(high: 0, low: 0xa3ce_929d_0e0e_4736)))
        #expect(trace("11803532876627986230", .datadog) == .id(TraceID(high: 0, low: 0xa3ce_929d_0e0e_4736)))
        #expect(trace("4bf92f3577b34da6a3ce929d0e0e4736", .datadog) == .id(full))
        #expect(trace("255", number: true) == .id(TraceID(high: 0, low: 255)))
        #expect(trace("0") == .none)
        #expect(trace("") == .none)
        #expect(trace("00000000000000000000000000000000") == .none)
        #expect(trace("trace-id") == .invalid)
        #expect(trace("4bf92f3577b34da6a3ce929d0e0e473g") == .invalid)
        #expect(trace("18446744073709551616", .datadog) == .invalid)
        #expect(trace("a3ce929d0e0e4736", .datadog) == .invalid)
    }
}
