// libFuzzer entry point for what `ingest` does before and around a reader: gunzip, format
// detection, then the detected reader; IngestCheck says what each input must satisfy.

import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    IngestCheck.run(FuzzInput.bytes(start, count))
    return 0
}
