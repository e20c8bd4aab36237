// What the ingest target asserts about one input: `ingest`'s own opening code (gunzip, byte
// order mark, empty input, format detection) then the detected reader either read it or reject
// it with a named error, and the same bytes gzipped are detected and read exactly the same.

@testable import TraceDoctorCore

public enum IngestCheck {
    /// Inputs up to this size are also read gzipped (deflating is cheap at that size).
    static let gzipLimit = 64 * 1024

    public static func run(_ bytes: [UInt8]) {
        let plain = ingest(MemorySource(bytes))
        guard bytes.count <= gzipLimit, !GzipSource.isGzip(bytes) else { return }
        let split = bytes.isEmpty ? 0 : Int(bytes[bytes.count / 2]) * bytes.count / 255
        let gzipped = ingest(MemorySource(Gzip.compress(bytes, splitAt: split)))
        guard gzipped == plain else {
            violated("gzipped (two members split at \(split)): \(gzipped); plain: \(plain)")
        }
    }

    /// What `ingest` makes of one input.
    enum Result: Equatable {
        case notADump(TraceDoctorError)
        case read(InputFormat, Outcome)
    }

    static func ingest(_ raw: ByteSource) -> Result {
        let source: ByteSource
        let format: InputFormat
        do {
            (source, format) = try Ingestor.open(raw, path: "fuzz", forced: nil)
        } catch let error as InputError {
            // Only gzip can fail here, and only on a corrupt or truncated stream.
            guard error.message.hasPrefix("gzip data is") else { violated("opening failed with \(error)") }
            return .read(.otlpJSON, .rejected(error))
        } catch let error as TraceDoctorError {
            switch error {
            case .emptyInput, .unknownFormat: return .notADump(error)
            default: violated("opening failed with \(error)")
            }
        } catch {
            violated("opening threw \(type(of: error)): \(error)")
        }
        return .read(format, ReaderCheck.read(format.reader, source, keepGoing: false, input: nil))
    }
}
