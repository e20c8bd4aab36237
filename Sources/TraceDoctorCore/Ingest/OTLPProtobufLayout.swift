// What the first bytes of an input say about OTLP protobuf in it: one message or a sequence of
// length-prefixed ones, traces or logs, or not OTLP protobuf at all (and why). Detection and the
// reader share it, so they never disagree; it checks the nesting of fields against the OTLP
// schema (tags, wire types, lengths that fit their message), which text and JSON never pass.

/// The layout of an OTLP protobuf input, read from its first bytes.
struct OTLPProtobufLayout: Equatable {
    /// How the messages of an OTLP protobuf input follow one another.
    enum Framing: Equatable {
        /// One `ExportTraceServiceRequest` / `TracesData` (or the logs twins): the whole input.
        case single
        /// Several, each preceded by its length as a varint (`writeDelimitedTo`).
        case lengthDelimited
    }

    var framing: Framing
    /// Spans or logs, once a record in the bytes looked at told (strict inspection only); nil
    /// when none did.
    var signal: OTLPSignal?
    /// Records whose fields were all checked.
    var wholeRecords = 0

    /// Reads the layout from `bytes`, the start of an input (all of it when `isComplete`).
    /// `strict` also refuses fields OTLP does not define, as detection wants; the reader lets
    /// them pass (newer versions of OTLP add fields). The error says where and why the bytes are
    /// not OTLP protobuf.
    static func inspect(_ bytes: UnsafeRawBufferPointer, isComplete: Bool, strict: Bool) -> Result<Self, InputError> {
        guard !bytes.isEmpty else {
            return .failure(InputError("the input is empty", at: .byteOffset(0)))
        }
        var single = Check(bytes: bytes, isComplete: isComplete, strict: strict)
        let singleError: InputError
        do {
            try single.requests(framing: .single)
            return .success(Self(framing: .single, signal: single.signal, wholeRecords: single.wholeRecords))
        } catch {
            singleError = error
        }
        var delimited = Check(bytes: bytes, isComplete: isComplete, strict: strict)
        do {
            try delimited.requests(framing: .lengthDelimited)
            return .success(Self(framing: .lengthDelimited, signal: delimited.signal, wholeRecords: delimited.wholeRecords))
        } catch {
            // A first byte of 0x0A makes one message the likelier reading: report why it is not.
            if bytes[0] == 0x0A { return .failure(singleError) }
            return .failure(
                InputError(
                    "an OTLP export starts with byte 0x0A (field 1: a ResourceSpans or ResourceLogs), not "
                        + InputPrefix.describe(bytes[0]) + "; nor is it a sequence of length-prefixed exports ("
                        + error.message + " at byte \(error.position?.offset ?? 0))", at: .byteOffset(0)))
        }
    }
}
