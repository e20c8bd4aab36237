// libFuzzer entry point for the OTLP protobuf reader (trace and log export requests, length-delimited or not); ReaderCheck says what each input must satisfy.

import FuzzSupport
import TraceDoctorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    ReaderCheck.run(OTLPProtobufReader(), FuzzInput.bytes(start, count))
    return 0
}
