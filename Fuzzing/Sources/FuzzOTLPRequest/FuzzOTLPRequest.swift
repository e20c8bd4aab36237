// libFuzzer entry point for `receive`'s request decoding (OTLPRequestDecoder): the input is one
// export request body, tried as protobuf and as JSON, for traces and for logs, plain and as
// gzip. It must be refused with an OTLPRequestError or decode to records that pass the sink's
// invariants, with the counts it claims; a gzip body never inflates past the limit.

import FuzzSupport
@testable import TraceDoctorCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = FuzzInput.bytes(start, count)
    for encoding in [OTLPBodyEncoding.protobuf, .json] {
        for kind in [OTLPExportKind.traces, .logs] {
            for gzip in [false, true] {
                do {
                    let export = try OTLPRequestDecoder.decode(
                        bytes, kind: kind, encoding: encoding, gzip: gzip, maxDecodedBytes: 1 << 20)
                    let sink = InvariantSink()
                    do { try export.replay(into: sink) } catch { violated("replaying a decoded request threw \(error)") }
                    let records = kind == .traces ? sink.spans : sink.logs
                    if records != export.records { violated("\(export.records) records claimed, \(records) replayed") }
                    if (kind == .traces ? sink.logs : sink.spans) != 0 { violated("records of the other kind accepted") }
                    if export.rejected < export.rejections.count { violated("more rejection messages than rejections") }
                    if export.rejected > 0 && export.rejectionMessage.isEmpty { violated("rejections without a message") }
                } catch {
                    if case let .undecodable(message) = error, message.isEmpty { violated("an empty refusal message") }
                }
            }
        }
    }
    return 0
}
