// libFuzzer entry point for the OTLP/JSON reader (trace and log documents, JSON Lines of them); ReaderCheck says what each input must satisfy.

import FuzzSupport
import TraceDoctorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ReaderCheck.run(OTLPJSONReader(), FuzzInput.bytes(start, count))
    return 0
}
