// libFuzzer entry point for the logfmt reader; ReaderCheck says what each input must satisfy.

import FuzzSupport
import TraceDoctorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ReaderCheck.run(LogfmtReader(), FuzzInput.bytes(start, count))
    return 0
}
