// libFuzzer entry point for the Zipkin v2 JSON reader; ReaderCheck says what each input must satisfy.

import FuzzSupport
import TraceDoctorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ReaderCheck.run(ZipkinJSONReader(), FuzzInput.bytes(start, count))
    return 0
}
