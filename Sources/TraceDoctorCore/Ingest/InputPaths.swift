// Turning the command line's paths into the list of inputs: files as given, directories
// walked recursively in name order (hidden entries skipped), `-` for stdin.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum InputPath: Sendable, Equatable {
    case stdin
    /// A file; `found` when a directory walk found it rather than the user naming it.
    case file(String, found: Bool)
    /// An entry a directory walk found but cannot read (a broken link, a link loop).
    case unreadable(String, reason: String)
    /// An entry a directory walk found that is not a regular file (a FIFO, a socket, a device):
    /// opening it could block or read forever, so it is passed over.
    case special(String)

    public var displayPath: String {
        switch self {
        case .stdin: "-"
        case let .file(path, _), let .unreadable(path, _), let .special(path): path
        }
    }

    /// Found by walking a directory: a file there that is not a dump is passed over.
    var wasFound: Bool {
        if case .file(_, true) = self { return true }
        return false
    }
}

enum InputPaths {
    static func expand(_ paths: [String]) throws(TraceDoctorError) -> [InputPath] {
        guard !paths.isEmpty else { throw .usage("name at least one file, directory, or - for stdin") }
        var result: [InputPath] = []
        var seenStdin = false
        for path in paths {
            if path == "-" {
                if seenStdin { throw .usage("'-' (stdin) can be given only once") }
                seenStdin = true
                result.append(.stdin)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .unreadable(path: path, reason: "no such file or directory")
            }
            if isDirectory.boolValue {
                result += try walk(path)
            } else {
                result.append(.file(path, found: false))
            }
        }
        return result
    }

    /// A directory's identity, to walk each directory once even through symbolic links.
    private struct DirectoryID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Files below `directory`, sorted by path, skipping names that start with '.'. Symbolic
    /// links are followed, each directory once (a link back up the tree is not a loop).
    private static func walk(_ directory: String) throws(TraceDoctorError) -> [InputPath] {
        var visited = Set<DirectoryID>()
        return try walk(directory, visited: &visited)
    }

    private static func walk(_ directory: String, visited: inout Set<DirectoryID>) throws(TraceDoctorError)
        -> [InputPath]
    {
        var info = stat()
        if stat(directory, &info) == 0 {
            let id = DirectoryID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            if !visited.insert(id).inserted { return [] }
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw .unreadable(path: directory, reason: "cannot list the directory (\(Self.reason(error)))")
        }
        var files: [InputPath] = []
        for entry in entries where !entry.hasPrefix(".") {
            let path = base + "/" + entry
            var info = stat()
            guard stat(path, &info) == 0 else {
                // lstat works where stat does not: a link to nothing, or links in a loop.
                let why = errno == ELOOP ? "symbolic links in a loop" : String(cString: strerror(errno))
                files.append(.unreadable(path, reason: why))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: files += try walk(path, visited: &visited)
            case S_IFREG: files.append(.file(path, found: true))
            default: files.append(.special(path))
            }
        }
        return files
    }

    private static func reason(_ error: Error) -> String {
        if let error = error as? CocoaError, let underlying = error.underlying as? POSIXError {
            return String(cString: strerror(underlying.code.rawValue))
        }
        return "permission denied?"
    }
}

/// What `fstat` says about an open input.
struct FileInfo {
    var size: Int64
    var isRegular: Bool

    static func of(fd: Int32, path: String) throws(TraceDoctorError) -> FileInfo {
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw .unreadable(path: path, reason: "it is a directory")
        }
        return FileInfo(size: Int64(st.st_size), isRegular: (st.st_mode & S_IFMT) == S_IFREG)
    }
}

/// The content hash that identifies an input: XXH64 of its bytes as stored (gzip included).
enum ContentHash {
    static func format(_ value: UInt64) -> String { "xxh64:" + HexID.render(value) }

    /// Hashes a file in a first, fast pass, so that a file already ingested is not parsed.
    static func ofFile(path: String) throws(TraceDoctorError) -> String {
        let source = try FileDescriptorSource(path: path)
        source.hasher = XXH64()
        let chunk = 1 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        do {
            while try source.read(into: buffer, count: chunk) > 0 {}
        } catch {
            throw .unreadable(path: path, reason: error.message)
        }
        return format(source.hasher!.finalize())
    }
}

extension CocoaError {
    fileprivate var underlying: Error? { userInfo[NSUnderlyingErrorKey] as? Error }
}
