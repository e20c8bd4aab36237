// Decoded OTLP protobuf `KeyValue`s and `AnyValue`s as the plain JSON the store keeps, byte for
// byte what the OTLP/JSON reader writes for the same values (OTLPRecordJSON's spellings).

import Foundation

typealias OTLPKeyValue = Opentelemetry_Proto_Common_V1_KeyValue
typealias OTLPAnyValue = Opentelemetry_Proto_Common_V1_AnyValue

extension JSONBuffer {
    /// A `[KeyValue]` as a whole JSON object (`{"http.method":"GET"}`), replacing the contents;
    /// left empty when the list is.
    func setOTLPAttributes(_ list: [OTLPKeyValue]) {
        reset()
        guard !list.isEmpty else { return }
        append(UInt8(ascii: "{"))
        appendOTLPKeyValues(list)
        dropTrailingComma()
        append(UInt8(ascii: "}"))
    }

    /// Each pair as `"key":value,`.
    func appendOTLPKeyValues(_ list: [OTLPKeyValue]) {
        for pair in list {
            appendString(pair.key)
            append(UInt8(ascii: ":"))
            if pair.hasValue { appendOTLPAnyValue(pair.value) } else { append("null") }
            append(UInt8(ascii: ","))
        }
    }

    func appendOTLPAnyValue(_ value: OTLPAnyValue) {
        switch value.value {
        case let .stringValue(text):
            appendString(text)
        case let .boolValue(flag):
            append(flag ? "true" : "false")
        case let .intValue(number):
            appendInt(number)
        case let .doubleValue(number):
            OTLPRecordJSON.appendDouble(number, to: self)
        case let .bytesValue(bytes):
            bytes.withUnsafeBytes { OTLPRecordJSON.appendBase64($0, to: self) }
        case let .arrayValue(array):
            append(UInt8(ascii: "["))
            for element in array.values {
                appendOTLPAnyValue(element)
                append(UInt8(ascii: ","))
            }
            dropTrailingComma()
            append(UInt8(ascii: "]"))
        case let .kvlistValue(list):
            append(UInt8(ascii: "{"))
            appendOTLPKeyValues(list.values)
            dropTrailingComma()
            append(UInt8(ascii: "}"))
        case .stringValueStrindex, nil:
            // An index into a profiles string table (meaningless here), or no value at all.
            append("null")
        }
    }
}
