// Which reader a file needs, judged from its first bytes (after gunzip), never from its
// name alone.

/// Why no reader accepted an input.
public struct DetectionFailure: Error, Sendable {
    public var attempts: [FormatAttempt]
}

public enum FormatDetector {
    /// How much of an input detection looks at.
    public static let prefixLength = 64 * 1024

    public static func detect(_ prefix: [UInt8]) -> Result<InputFormat, DetectionFailure> {
        var attempts: [FormatAttempt] = []
        let first = firstSignificantByte(prefix)
        guard let first else {
            return .failure(DetectionFailure(attempts: [FormatAttempt(format: "any", reason: "the input is empty")]))
        }
        // OTLP/JSON: an object whose keys name OTLP's top-level fields.
        if first.byte == UInt8(ascii: "{") {
            if contains(prefix, "\"resourceSpans\"") || contains(prefix, "\"resource_spans\"")
                || contains(prefix, "\"scopeSpans\"") || contains(prefix, "\"scope_spans\"")
            {
                return .success(.otlpJSON)
            }
            // A JSON object none of the readers claims: the OTLP reader says precisely why.
            return .success(.otlpJSON)
        }
        attempts.append(
            FormatAttempt(
                format: InputFormat.otlpJSON.rawValue,
                reason: "\(first.position): expected '{' (a JSON object), found \(describe(first.byte))"))
        return .failure(DetectionFailure(attempts: attempts))
    }

    static func firstSignificantByte(_ bytes: [UInt8]) -> (byte: UInt8, position: SourcePosition)? {
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

    static func describe(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }

    static func contains(_ haystack: [UInt8], _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard haystack.count >= n else { return false }
        return haystack.withUnsafeBufferPointer { h in
            let first = needle.utf8Start.pointee
            var i = 0
            while i <= h.count - n {
                if h[i] == first && memcmp(h.baseAddress! + i, needle.utf8Start, n) == 0 { return true }
                i += 1
            }
            return false
        }
    }
}

extension InputFormat {
    /// The reader for this format.
    public var reader: RecordReader {
        switch self {
        case .otlpJSON: OTLPJSONReader()
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
