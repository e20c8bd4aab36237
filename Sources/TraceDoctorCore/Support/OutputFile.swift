// Writing a report to a file the user named (`-o`, JUnit XML, a baseline) or appending to one the
// CI named ($GITHUB_STEP_SUMMARY), with errors that say which file, why, and what to do.
//
// The one rule for output paths (README, "Output files"): folders missing on the path are created
// (as `mkdir -p`); the file is checked — opened as a temporary file next to it — before the work
// starts; it is written in full and renamed over the target, so a failure or Ctrl-C leaves the
// old file (or none), never half a report.

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A report file being written: a hidden temporary file in the target's folder, renamed over the
/// target by `commit`, removed by `discard`.
public final class PendingOutput: @unchecked Sendable {
    public let path: String
    private let temporaryPath: String
    private var fd: Int32
    /// Folders this run created for the file, deepest last; removed again by `discard`.
    private let createdFolders: [String]
    /// The first write error; reported by `commit`.
    private var failure: TraceDoctorError?

    /// Creates the missing folders of `path` and the temporary file. Throws, before any work is
    /// done, when the file could not be written.
    public static func open(_ path: String) throws(TraceDoctorError) -> PendingOutput {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .cannotWrite(path: path, reason: "it is a folder; name a file in it")
        }
        let created = try OutputFile.createFolders(for: path)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array((folder + "/." + url.lastPathComponent + ".tracedoctor-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            let reason = OutputFile.reason(errno: errno, folder: folder)
            OutputFile.removeFolders(created)
            throw .cannotWrite(path: path, reason: reason)
        }
        fchmod(fd, 0o644)
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return PendingOutput(path: path, temporaryPath: temporary, fd: fd, createdFolders: created)
    }

    private init(path: String, temporaryPath: String, fd: Int32, createdFolders: [String]) {
        self.path = path
        self.temporaryPath = temporaryPath
        self.fd = fd
        self.createdFolders = createdFolders
    }

    deinit { discard() }

    /// Appends `bytes` to the temporary file; an error is kept for `commit`.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard fd >= 0, failure == nil else { return }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = .cannotWrite(path: path, reason: OutputFile.reason(errno: errno, folder: nil))
                return
            }
            offset += n
        }
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    /// Puts the complete file in place (renamed over what was there).
    public func commit() throws(TraceDoctorError) {
        guard fd >= 0 else { return }
        if failure == nil, fsync(fd) != 0, errno != EINVAL {
            failure = .cannotWrite(path: path, reason: OutputFile.reason(errno: errno, folder: nil))
        }
        close(fd)
        fd = -1
        if let failure {
            unlink(temporaryPath)
            throw failure
        }
        if rename(temporaryPath, path) != 0 {
            let reason = OutputFile.reason(errno: errno, folder: nil)
            unlink(temporaryPath)
            throw .cannotWrite(path: path, reason: reason)
        }
    }

    /// Drops what was written: the target stays as it was, folders created for it are removed.
    public func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(temporaryPath)
        OutputFile.removeFolders(createdFolders)
    }
}

/// Report files.
public enum OutputFile {
    /// Replaces the file's content with `text` (atomically: a reader never sees half a report),
    /// creating the folders on its path that are missing (as `mkdir -p`: `--junit reports/x.xml`).
    public static func write(_ text: String, to path: String) throws(TraceDoctorError) {
        let file = try PendingOutput.open(path)
        file.write(text)
        try file.commit()
    }

    /// Creates the folders missing on the way to the file `path` (as `mkdir -p`) and returns them,
    /// outermost first. A path through a file, or a folder that cannot be created, is an error.
    @discardableResult
    public static func createFolders(for path: String) throws(TraceDoctorError) -> [String] {
        var missing: [String] = []
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            missing.insert(folder, at: 0)
            let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
            if parent == folder { break }
            folder = parent
        }
        // `folder` is now the nearest existing one on the path, and `isDirectory` says what it is.
        if !isDirectory.boolValue {
            throw .cannotWrite(path: path, reason: "\(folder) is a file, not a folder")
        }
        var created: [String] = []
        for dir in missing {
            if mkdir(dir, 0o755) != 0 && errno != EEXIST {
                let reason = "cannot create the folder \(dir): " + Self.reason(errno: errno, folder: nil)
                removeFolders(created)
                throw .cannotWrite(path: path, reason: reason)
            }
            created.append(dir)
        }
        return created
    }

    /// Removes `folders` (as returned by `createFolders`) when they are still empty.
    public static func removeFolders(_ folders: [String]) {
        for dir in folders.reversed() { rmdir(dir) }
    }

    /// Adds `text` at the end of the file, creating it when missing.
    public static func append(_ text: String, to path: String) throws(TraceDoctorError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: reason(errno: errno, folder: nil)) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let count = bytes.count
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: reason(errno: errno, folder: nil))
            }
            offset += n
        }
    }

    /// Why a file could not be written, in the tool's words, with what to do.
    static func reason(errno code: Int32, folder: String?) -> String {
        switch code {
        case EACCES, EPERM: "permission denied (choose a path you may write to)"
        case EROFS: "the file system is read-only (choose another path)"
        case ENOSPC, EDQUOT: "no space left on the device"
        case EISDIR: "it is a folder; name a file in it"
        case ENOTDIR: "a part of the path is a file, not a folder"
        case ENOENT: folder.map { "files cannot be created in \($0) (choose another path)" } ?? "no such file or folder"
        case ENAMETOOLONG: "the name is too long"
        default: String(cString: strerror(code))
        }
    }
}
