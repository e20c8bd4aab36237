// The log lines without trace context that may name a message or task ID (`unpropagated_message`):
// one scan of the logs, narrowed in SQL to bodies and attributes that can hold one.

import Foundation
import GRDB

extension TraceStore {
    /// Every such line (what `SpanSource` asks for).
    public func messageLogs() throws -> [UnpropagatedMessage.MessageLog] {
        try messageLogs(from: nil, to: nil)
    }

    /// The lines written between `from` and `to` (Unix ns), or every one when either is nil.
    public func messageLogs(from: Int64?, to: Int64?) throws -> [UnpropagatedMessage.MessageLog] {
        var found: [UnpropagatedMessage.MessageLog] = []
        var likes = MessageLogPatterns.bodyPatterns.map { _ in "body LIKE ?" }
        var arguments: [DatabaseValueConvertible] = MessageLogPatterns.bodyPatterns.map { "%\($0.prefix)%[%]%" }
        for field in MessageLogPatterns.fields {
            likes.append("attributes LIKE ?")
            arguments.append("%\"\(field)\"%")
        }
        var window = ""
        if let from, let to {
            window = " AND time_ns BETWEEN ? AND ?"
            arguments += [from, to]
        }
        let sql = """
            SELECT service, time_ns, body, attributes FROM logs
            WHERE trace_id IS NULL AND time_ns IS NOT NULL AND (\(likes.joined(separator: " OR ")))\(window)
            """
        try read { db in
            let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                let attributesText: String = row[3]
                let attributes =
                    attributesText == "{}"
                    ? nil : (try? JSONSerialization.jsonObject(with: Data(attributesText.utf8))) as? [String: Any]
                for (id, pattern, moment) in MessageLogPatterns.ids(body: row[2], attributes: attributes) {
                    found.append(
                        UnpropagatedMessage.MessageLog(
                            service: row[0], timeNs: row[1], messageID: id, pattern: pattern, moment: moment))
                }
            }
        }
        return found
    }
}
