// Gzip compression with zlib, for the ingest target: the same bytes gzipped (in one member or
// two) must be detected and read exactly as the plain bytes are.

import CZlib

public enum Gzip {
    /// `bytes` as one gzip member.
    public static func compress(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var stream = z_stream()
        // 16 + MAX_WBITS: write a gzip header and trailer.
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { fatalError("deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var input = Array(bytes)
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            out.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { fatalError("deflate returned \(status)") }
        out.removeLast(Int(stream.avail_out))
        return out
    }

    /// `bytes` as two concatenated gzip members split at `split` (as `cat a.gz b.gz` makes).
    public static func compress(_ bytes: [UInt8], splitAt split: Int) -> [UInt8] {
        let cut = min(max(split, 0), bytes.count)
        return compress(bytes[..<cut]) + compress(bytes[cut...])
    }
}
