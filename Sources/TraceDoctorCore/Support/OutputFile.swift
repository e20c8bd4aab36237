// Writing a report to a file the user named (JUnit XML, a baseline) or appending to one the CI
// named ($GITHUB_STEP_SUMMARY), with errors that say which file and why.

import Foundation

/// Report files.
public enum OutputFile {
    /// Replaces the file's content with `text` (atomically: a reader never sees half a report),
    /// creating the folders on its path that are missing (as `mkdir -p`: `--junit reports/x.xml`).
    public static func write(_ text: String, to path: String) throws(TraceDoctorError) {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw .cannotWrite(path: path, reason: "cannot create the folder \(dir): \((error as NSError).localizedDescription)")
            }
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .cannotWrite(path: path, reason: reason(error, path))
        }
    }

    /// Adds `text` at the end of the file, creating it when missing.
    public static func append(_ text: String, to path: String) throws(TraceDoctorError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let count = bytes.count
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    private static func reason(_ error: Error, _ path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) { return "the folder \(dir) does not exist" }
        return (error as NSError).localizedDescription
    }
}
