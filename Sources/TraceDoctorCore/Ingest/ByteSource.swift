// Where input bytes come from: files, stdin, gzip streams, and a replayed prefix after
// format detection. Readers pull chunks; nothing here holds a whole file.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only stream of bytes.
public protocol ByteSource: AnyObject {
    /// Reads up to `count` bytes into `buffer`. Returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int
}

/// A file descriptor read with `read(2)`: regular files, pipes, stdin.
public final class FileDescriptorSource: ByteSource {
    public let fd: Int32
    private let ownsDescriptor: Bool
    /// Bytes read so far (for progress).
    public private(set) var bytesRead: Int64 = 0
    /// When set, every byte read is hashed (stdin has no second pass).
    public var hasher: XXH64?

    public init(fd: Int32, ownsDescriptor: Bool) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
    }

    /// Opens `path` for reading.
    public convenience init(path: String) throws(TraceDoctorError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.init(fd: fd, ownsDescriptor: true)
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 {
                bytesRead += Int64(n)
                if n > 0, hasher != nil {
                    hasher!.update(UnsafeRawBufferPointer(start: buffer, count: n))
                }
                return n
            }
            if errno == EINTR { continue }
            throw InputError("read failed: \(String(cString: strerror(errno)))", at: nil)
        }
    }
}

/// An in-memory source (tests, replayed prefixes).
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public convenience init(_ text: String) { self.init(Array(text.utf8)) }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        let n = min(count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { all in
            buffer.update(from: all.baseAddress! + position, count: n)
        }
        position += n
        return n
    }
}

/// Replays bytes already read (for format detection) before continuing with the rest.
public final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var prefixPosition = 0
    private let rest: ByteSource

    public init(prefix: [UInt8], rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(InputError) -> Int {
        if prefixPosition < prefix.count {
            let n = min(count, prefix.count - prefixPosition)
            prefix.withUnsafeBufferPointer { all in
                buffer.update(from: all.baseAddress! + prefixPosition, count: n)
            }
            prefixPosition += n
            if prefixPosition == prefix.count {
                prefix = []
                prefixPosition = 0
            }
            return n
        }
        return try rest.read(into: buffer, count: count)
    }
}

extension ByteSource {
    /// Reads until `count` bytes are in hand or the input ends.
    public func readFully(upTo count: Int) throws(InputError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try out.withUnsafeMutableBufferPointer { (b) throws(InputError) -> Int in
                try read(into: b.baseAddress! + filled, count: count - filled)
            }
            if n == 0 { break }
            filled += n
        }
        out.removeLast(count - filled)
        return out
    }
}
