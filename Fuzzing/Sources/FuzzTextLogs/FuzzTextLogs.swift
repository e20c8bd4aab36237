// libFuzzer entry point for the plain-text log reader; ReaderCheck says what each input must satisfy.

import FuzzSupport
import TraceDoctorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ReaderCheck.run(TextLogReader(), FuzzInput.bytes(start, count))
    return 0
}
