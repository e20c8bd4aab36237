// Transparent gunzip over another source, with zlib (Foundation on Linux cannot inflate).

import CZlib

/// Inflates a gzip stream (also several concatenated members, as `cat a.gz b.gz` makes).
public final class GzipSource: ByteSource {
    private let upstream: ByteSource
    private var stream = z_stream()
    private var input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 256 * 1024
    private var finished = false
    private var upstreamEnded = false
    private var initialized = false
    /// Compressed bytes consumed, for error positions.
    public private(set) var compressedOffset: Int64 = 0

    public init(upstream: ByteSource) throws(InputError) {
        self.upstream = upstream
        input = .allocate(capacity: inputCapacity)
        // 16 + MAX_WBITS: expect a gzip header.
        let status = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            throw InputError("cannot start gzip decoder (zlib error \(status))", at: nil)
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        input.deallocate()
    }

    /// True when the first bytes are the gzip magic number.
    public static func isGzip(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 2 && prefix[0] == 0x1F && prefix[1] == 0x8B
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        if finished { return 0 }
        stream.next_out = buffer
        stream.avail_out = UInt32(min(count, Int(UInt32.max)))
        while stream.avail_out == UInt32(min(count, Int(UInt32.max))) {
            if stream.avail_in == 0 && !upstreamEnded {
                let n = try upstream.read(into: input, count: inputCapacity)
                if n == 0 {
                    upstreamEnded = true
                } else {
                    stream.next_in = input
                    stream.avail_in = UInt32(n)
                }
            }
            let before = stream.avail_in
            let status = inflate(&stream, Z_NO_FLUSH)
            compressedOffset += Int64(before - stream.avail_in)
            switch status {
            case Z_STREAM_END:
                // Another gzip member may follow.
                if stream.avail_in == 0 && upstreamEnded {
                    finished = true
                    return count - Int(stream.avail_out)
                }
                if stream.avail_in == 0 {
                    let n = try upstream.read(into: input, count: inputCapacity)
                    if n == 0 {
                        upstreamEnded = true
                        finished = true
                        return count - Int(stream.avail_out)
                    }
                    stream.next_in = input
                    stream.avail_in = UInt32(n)
                }
                inflateReset(&stream)
            case Z_OK, Z_BUF_ERROR:
                if upstreamEnded && stream.avail_in == 0 && stream.avail_out == UInt32(min(count, Int(UInt32.max))) {
                    throw InputError("gzip data is truncated (compressed byte \(compressedOffset))", at: nil)
                }
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw InputError("gzip data is corrupt at compressed byte \(compressedOffset): \(reason)", at: nil)
            }
        }
        return count - Int(stream.avail_out)
    }
}
