// libFuzzer entry point for the JSON Lines application log reader; ReaderCheck says what each input must satisfy.

import FuzzSupport
import TraceDoctorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ReaderCheck.run(JSONLogReader(), FuzzInput.bytes(start, count))
    return 0
}
