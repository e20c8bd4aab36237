// How a reading command opens a database so that it works where it cannot write (a CI artifact,
// a read-only mount, another user's folder) and leaves the folder as it found it (no -wal or
// -shm files behind).

import Foundation
import GRDBSQLite

/// The way a reader opens one database file, chosen from its journal mode and what may be written.
enum ReadAccess: Equatable {
    /// `SQLITE_OPEN_READONLY`: a database in rollback-journal mode, which a reader opens without
    /// creating any file; or a WAL database whose pending -wal SQLite must read.
    case readOnly
    /// A read-write connection that only reads (`PRAGMA query_only`): a WAL database (what
    /// `ingest` writes) where the folder and file are writable. When it is the last connection,
    /// closing it checkpoints and removes -wal and -shm, as SQLite does for writers; a read-only
    /// connection would leave both behind.
    case queryOnly
    /// `immutable=1`: a WAL database in a place this process cannot write and with nothing
    /// pending in a -wal file (`ingest` leaves none): SQLite reads the file as it is and creates
    /// nothing.
    case immutable

    /// The access for the database at `path` (which exists).
    static func choose(path: String) -> ReadAccess {
        guard isWAL(path) else { return .readOnly }
        let folder = (path as NSString).deletingLastPathComponent
        if access(path, W_OK) == 0 && access(folder.isEmpty ? "." : folder, W_OK) == 0 { return .queryOnly }
        var info = stat()
        if stat(path + "-wal", &info) != 0 || info.st_size == 0 { return .immutable }
        return .readOnly
    }

    /// Whether the file's header says WAL (bytes 18 and 19, the file format versions, are 2).
    static func isWAL(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 20), header.count == 20 else { return false }
        return header[header.startIndex + 18] == 2 || header[header.startIndex + 19] == 2
    }

    /// The name to hand `sqlite3_open_v2` (a URI for `immutable`; SQLite is configured to accept them).
    func filename(_ path: String) -> String {
        guard self == .immutable else { return path }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var escaped = ""
        for byte in absolute.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0..<0x20, 0x7F...:
                escaped += String(format: "%%%02X", byte)
            default:
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return "file:" + escaped + "?immutable=1"
    }

    /// The flags to open with.
    var flags: Int32 {
        switch self {
        case .readOnly, .immutable: SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
        case .queryOnly: SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI
        }
    }

    /// The explanation for a read that failed because the folder cannot be written.
    static let pendingWALMessage =
        "the database has changes in its -wal file, and this folder cannot be written (SQLite needs its -shm file to read them); run any tracedoctor command on it once where it can write, or copy the database with its -wal file elsewhere"
}
