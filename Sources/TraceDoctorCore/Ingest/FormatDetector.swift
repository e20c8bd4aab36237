// Which reader a file needs, judged from its first bytes (after gunzip), never from its
// name alone. Every format brings a sniffer; the most confident one wins, and when none
// accepts, the error lists each format's reason.

/// Why no reader accepted an input.
public struct DetectionFailure: Error, Sendable {
    public var attempts: [FormatAttempt]
}

/// A sniffer's verdict on an input's first bytes.
public enum SniffResult: Sendable, Equatable {
    /// This format reads the input; higher confidence wins (100 = certain).
    case accept(confidence: Int)
    /// Not this format, and why (shown when no format accepts).
    case reject(String)

    /// The highest confidence: the format reads the input for sure.
    public static let certain = 100
}

/// Looks at the first bytes of an input and says whether its format can read it.
public protocol FormatSniffer {
    static func sniff(_ prefix: InputPrefix) -> SniffResult
}

public enum FormatDetector {
    /// How much of an input detection looks at.
    public static let prefixLength = 64 * 1024

    public static func detect(_ bytes: [UInt8]) -> Result<InputFormat, DetectionFailure> {
        let prefix = InputPrefix(bytes)
        if prefix.firstSignificantByte == nil {
            return .failure(DetectionFailure(attempts: [FormatAttempt(format: "any", reason: "the input is empty")]))
        }
        var best: (format: InputFormat, confidence: Int)?
        var attempts: [FormatAttempt] = []
        for format in InputFormat.allCases {
            switch format.sniffer.sniff(prefix) {
            case let .accept(confidence):
                if best == nil || confidence > best!.confidence { best = (format, confidence) }
            case let .reject(reason):
                attempts.append(FormatAttempt(format: format.rawValue, reason: reason))
            }
            // Certain: no later sniffer can win (a tie keeps the earlier format), and the
            // reasons of the others are shown only when none accepts. For a small file each
            // sniffer reads the whole file; an OTLP/JSON request stops at the first one.
            if let best, best.confidence >= SniffResult.certain { break }
        }
        if let best { return .success(best.format) }
        return .failure(DetectionFailure(attempts: attempts))
    }
}

/// The first bytes of an input, with the views sniffers need.
public struct InputPrefix: Sendable {
    public let bytes: [UInt8]
    /// True when the prefix is the whole input.
    public let isComplete: Bool
    /// The JSON shapes read so far: several sniffers ask for the same one, and reading it walks
    /// the whole prefix (for a small file, the whole file).
    private let shapes = ShapeCache()

    public init(_ bytes: [UInt8], isComplete: Bool? = nil) {
        self.bytes = bytes
        self.isComplete = isComplete ?? (bytes.count < FormatDetector.prefixLength)
    }

    /// The first byte that is not JSON whitespace, and where it is.
    public var firstSignificantByte: (byte: UInt8, position: SourcePosition)? {
        var line = 1
        var lineStart = 0
        for (i, c) in bytes.enumerated() {
            switch c {
            case 0x20, 0x09, 0x0D: continue
            case 0x0A:
                line += 1
                lineStart = i + 1
            default:
                return (c, SourcePosition(line: line, column: i - lineStart + 1, offset: Int64(i)))
            }
        }
        return nil
    }

    /// The first line (without its line break), or the whole prefix if it has no line break.
    public var firstLine: ArraySlice<UInt8> {
        let end = bytes.firstIndex(of: 0x0A) ?? bytes.count
        var line = bytes[..<end]
        if line.last == 0x0D { line = line.dropLast() }
        return line
    }

    /// Up to `limit` lines of the prefix (the last one may be cut short).
    public func lines(limit: Int) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count && result.count < limit {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            result.append(line)
            start = end + 1
        }
        return result
    }

    /// Whether `needle` occurs anywhere in the prefix.
    public func contains(_ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard bytes.count >= n else { return false }
        return bytes.withUnsafeBufferPointer { h in
            let first = needle.utf8Start.pointee
            var i = 0
            while i <= h.count - n {
                if h[i] == first && memcmp(h.baseAddress! + i, needle.utf8Start, n) == 0 { return true }
                i += 1
            }
            return false
        }
    }

    /// The first key of the top-level JSON object, read without the rest of the object (which,
    /// for a small file, is the whole file); nil when the prefix does not start with a key.
    public var firstJSONKey: String? {
        // A small window (it grows for a longer key): the default megabyte per file is wasted here.
        let scanner = JSONScanner(source: MemorySource(bytes), chunkSize: 4096)
        do {
            guard try scanner.peek() == UInt8(ascii: "{") else { return nil }
            var object = try scanner.beginObject()
            return try scanner.nextKey(&object)?.text
        } catch {
            return nil
        }
    }

    /// The keys of the first top-level JSON object, or of the first object inside a top-level
    /// array (`arrayElement` true), as far as the prefix goes. Nil when the prefix does not
    /// start with that shape or is not JSON up to there.
    public func jsonKeys(inArrayElement arrayElement: Bool = false) -> JSONShape? {
        shapes.shape(arrayElement: arrayElement) { JSONShape.read(bytes, arrayElement: arrayElement) }
    }

    /// The shape of the JSON object on `line` (a line of `lines(limit:)`): the whole prefix's
    /// shape when its first object starts and ends on that line, else the line read on its own.
    public func jsonKeys(ofLine line: ArraySlice<UInt8>) -> JSONShape? {
        if let whole = jsonKeys(), let start = whole.objectStart, let end = whole.objectEnd,
            start >= line.startIndex, end <= line.endIndex
        {
            return whole
        }
        return JSONShape.read(Array(line), arrayElement: false)
    }

    /// "found 'x' at 1:1", for rejection reasons.
    public var foundDescription: String {
        guard let first = firstSignificantByte else { return "the input is empty" }
        return "\(first.position): found \(Self.describe(first.byte))"
    }

    static func describe(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }
}

/// The keys of one JSON object (and of the objects nested one level under them), read
/// leniently from a prefix that may end in the middle of the document.
public struct JSONShape: Sendable {
    /// Keys of the object, in order.
    public var keys: [String] = []
    /// For keys whose value is an object, or an array whose first element is an object: that
    /// object's keys.
    public var nestedKeys: [String: [String]] = [:]

    /// Where the object's `{` is, and the offset just past its `}` when it closed inside the bytes
    /// read (nil when they ended first): for reusing one reading for a line that holds all of it.
    var objectStart: Int?
    var objectEnd: Int?

    public func has(_ key: String) -> Bool { keys.contains(key) }

    static func read(_ bytes: [UInt8], arrayElement: Bool) -> JSONShape? {
        let scanner = JSONScanner(source: MemorySource(bytes))
        var shape = JSONShape()
        do {
            if arrayElement {
                guard try scanner.peek() == UInt8(ascii: "[") else { return nil }
                var array = try scanner.beginArray()
                guard try scanner.nextElement(&array) else { return shape }
            }
            guard try scanner.peek() == UInt8(ascii: "{") else { return nil }
            let start = Int(scanner.position.offset)
            var object = try scanner.beginObject()
            while let key = try scanner.nextKey(&object) {
                let name = key.text
                shape.keys.append(name)
                shape.nestedKeys[name] = try nestedObjectKeys(scanner)
            }
            shape.objectStart = start
            shape.objectEnd = Int(scanner.position.offset)
        } catch {
            // The prefix ended (or the JSON broke) part-way: keep what was read.
            if shape.keys.isEmpty { return nil }
        }
        return shape
    }

    /// The keys of an object value, or of the first object in an array value; skips the rest.
    private static func nestedObjectKeys(_ scanner: JSONScanner) throws -> [String]? {
        switch try scanner.kind() {
        case .object:
            var keys: [String] = []
            var object = try scanner.beginObject()
            while let key = try scanner.nextKey(&object) {
                keys.append(key.text)
                try scanner.skipValue()
            }
            return keys
        case .array:
            var array = try scanner.beginArray()
            var keys: [String]?
            var first = true
            while try scanner.nextElement(&array) {
                if first, try scanner.kind() == .object {
                    keys = try nestedObjectKeys(scanner)
                } else {
                    try scanner.skipValue()
                }
                first = false
            }
            return keys
        default:
            try scanner.skipValue()
            return nil
        }
    }
}

/// The shapes an `InputPrefix` has read (a class, so that the prefix stays a value that
/// sniffers take by copy; detection runs on one thread).
private final class ShapeCache: @unchecked Sendable {
    private var object: JSONShape??
    private var arrayElement: JSONShape??

    func shape(arrayElement element: Bool, read: () -> JSONShape?) -> JSONShape? {
        if element {
            if let known = arrayElement { return known }
            let shape = read()
            arrayElement = .some(shape)
            return shape
        }
        if let known = object { return known }
        let shape = read()
        object = .some(shape)
        return shape
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
