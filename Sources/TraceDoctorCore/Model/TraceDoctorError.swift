// The one error type of the library: every case carries what the user needs to act on it.

/// Where in an input something went wrong: a line and column (1-based) and the byte offset; for
/// binary input (protobuf), only the byte offset, with line and column 0.
public struct SourcePosition: Sendable, Equatable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    /// 0-based byte offset into the (decompressed) input.
    public var offset: Int64

    public init(line: Int, column: Int, offset: Int64) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// A position in binary input, where lines mean nothing.
    public static func byteOffset(_ offset: Int64) -> SourcePosition {
        SourcePosition(line: 0, column: 0, offset: offset)
    }

    /// True for a position in binary input (see `byteOffset(_:)`).
    public var isByteOffset: Bool { line == 0 }

    /// `12:7` — the form editors and terminals turn into a link after `file:` — or, in binary
    /// input, `byte 4096` (0-based, as `xxd -s` counts).
    public var description: String { isByteOffset ? "byte \(offset)" : "\(line):\(column)" }
}

/// A problem in one input file, before the file's path is known to the reader.
public struct InputError: Error, Sendable, Equatable {
    public var position: SourcePosition?
    public var message: String
    /// The user interrupted the reading (Ctrl-C); nothing is wrong with the input.
    public var isInterruption = false

    public init(_ message: String, at position: SourcePosition?) {
        self.message = message
        self.position = position
    }

    public static var interrupted: InputError {
        var error = InputError("interrupted", at: nil)
        error.isInterruption = true
        return error
    }
}

/// Why one reader refused a file, for the "no reader accepts this file" message.
public struct FormatAttempt: Sendable, Equatable, Codable {
    public var format: String
    public var reason: String

    public init(format: String, reason: String) {
        self.format = format
        self.reason = reason
    }
}

public enum TraceDoctorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not valid input of its format.
    case malformedInput(path: String, position: SourcePosition?, message: String)
    /// The file holds nothing (or only a byte order mark).
    case emptyInput(path: String)
    /// No reader recognised the file.
    case unknownFormat(path: String, attempts: [FormatAttempt])
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The database could not be opened, created or written.
    case database(path: String, message: String)
    /// The database was written by a newer tracedoctor.
    case databaseFromNewerVersion(path: String, unknownMigrations: [String])
    /// The file exists but is not a tracedoctor database.
    case notATraceDoctorDatabase(path: String, reason: String)
    /// The command line asked for something impossible.
    case usage(String)
    /// A trace ID given on the command line matches no trace, or several.
    /// A `tracedoctor sql` query SQLite refused; `offset` is the byte of the SQL at fault.
    case query(message: String, sql: String, offset: Int?)
    case traceNotFound(query: String, closest: [String])
    case ambiguousTraceID(query: String, matches: [String])
    /// A `check` policy file that cannot be used; `line` and `column` are 1-based when known.
    case policy(path: String, line: Int?, column: Int?, message: String)
    /// A `check --baseline` file that cannot be used.
    case baseline(path: String, message: String)
    /// An output file (JUnit report, baseline, step summary) could not be written.
    case cannotWrite(path: String, reason: String)
    /// Inputs of a `check` were rejected: the check would judge a partial capture.
    case rejectedInputs(messages: [String])
    /// There is nothing to judge: no spans in the inputs or the database.
    case nothingToCheck(String)
    /// The inputs named hold no span or log record (an empty folder, only files that are not
    /// dumps, dumps with no records); `--allow-empty` accepts that.
    case nothingToLoad(paths: [String])
    /// The user pressed Ctrl-C.
    case interrupted
    /// A ClickHouse source (`--source clickhouse://…`) could not be read: `server` is its URL
    /// without any password.
    case clickHouse(server: String, message: String)

    public var description: String {
        switch self {
        case let .malformedInput(path, position, message):
            if let position {
                return "\(path):\(position): \(message)"
            }
            return "\(path): \(message)"
        case let .emptyInput(path):
            return "\(path): the file is empty; there is nothing to ingest"
        case let .unknownFormat(path, attempts):
            var text = "\(path): not a dump tracedoctor can read"
            if attempts.isEmpty {
                text += "; it reads \(InputFormat.readable)"
            } else {
                text += "; tried:"
                for attempt in attempts {
                    text += "\n  \(attempt.format): \(attempt.reason)"
                }
            }
            text += "\n(pass --input-format to force one)"
            return text
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .database(path, message):
            return "database \(path): \(message)"
        case let .databaseFromNewerVersion(path, unknown):
            return "database \(path) was written by a newer tracedoctor (unknown schema migrations: "
                + unknown.joined(separator: ", ")
                + "); upgrade tracedoctor, or pass --db to use another database"
        case let .notATraceDoctorDatabase(path, reason):
            return "\(path) is not a tracedoctor database (\(reason)); pass --db with another path"
        case let .usage(message):
            return message
        case let .query(message, sql, offset):
            var text = message
            if let offset, offset <= sql.utf8.count {
                // Show the line of the query with a caret under the offending byte.
                let bytes = Array(sql.utf8)
                let lineStart = bytes[..<offset].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
                let lineEnd = bytes[offset...].firstIndex(of: 0x0A) ?? bytes.count
                let line = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
                let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count
                let lineNumber = bytes[..<lineStart].filter { $0 == 0x0A }.count + 1
                text += " (at line \(lineNumber), column \(column + 1))\n  " + line + "\n  "
                    + String(repeating: " ", count: column) + "^"
            }
            return text
        case let .traceNotFound(query, closest):
            var text = "no trace matches '\(query)'"
            if !closest.isEmpty {
                text += "; closest: " + closest.joined(separator: ", ")
            }
            return text
        case let .ambiguousTraceID(query, matches):
            return "'\(query)' matches \(matches.count) traces; give more digits: "
                + matches.prefix(10).joined(separator: ", ")
        case let .policy(path, line, column, message):
            let place = line.map { l in column.map { ":\(l):\($0)" } ?? ":\(l)" } ?? ""
            return "\(path)\(place): \(message)"
        case let .baseline(path, message):
            return "baseline \(path): \(message)"
        case let .cannotWrite(path, reason):
            return "\(path): cannot write: \(reason)"
        case let .rejectedInputs(messages):
            return (messages.count == 1 ? "an input was rejected" : "\(messages.count) inputs were rejected")
                + ", so the check would judge part of the capture:\n  " + messages.joined(separator: "\n  ")
                + "\n(pass --keep-going to skip bad records and check the rest)"
        case let .nothingToCheck(message):
            return message
        case let .nothingToLoad(paths):
            return "nothing to load: no span or log record in " + paths.joined(separator: ", ")
                + " (is this the folder the exporter writes to? pass --allow-empty to accept an empty capture)"
        case .interrupted:
            let activity = Interruption.currentActivity
            return "interrupted by \(Interruption.signalName)" + (activity.isEmpty ? "" : " while " + activity)
        case let .clickHouse(server, message):
            return "ClickHouse \(server): \(message)"
        }
    }

    /// The process exit code this error maps to: 64 for usage errors, 130 after Ctrl-C (143 after
    /// SIGTERM), 2 otherwise.
    public var exitCode: Int32 {
        if case .usage = self { return 64 }
        if case .interrupted = self { return Interruption.exitCode }
        return 2
    }
}
