// What a protobuf field's tag says: the field's number and how its value is encoded.

struct FieldTag: Equatable {
    /// A protobuf wire type (the low three bits of a tag).
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    var number: UInt64
    var wireType: WireType
}
