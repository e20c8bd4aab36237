import Testing

@testable import TraceDoctorCore

@Suite struct XXH64Tests {
    @Test func knownVectors() {
        #expect(XXH64.hash(Array("".utf8)) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXH64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        #expect(
            XXH64.hash(Array("Nobody inspects the spammish repetition".utf8)) == 0xFBCE_A83C_8A37_8BF1)
    }

    @Test func chunkedEqualsOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = XXH64.hash(data)
        for chunk in [1, 3, 7, 31, 32, 33, 100, 4096] {
            var h = XXH64()
            var i = 0
            while i < data.count {
                let end = min(i + chunk, data.count)
                data[i..<end].withUnsafeBytes { h.update($0) }
                i = end
            }
            #expect(h.finalize() == whole, "chunk size \(chunk)")
        }
    }
}
