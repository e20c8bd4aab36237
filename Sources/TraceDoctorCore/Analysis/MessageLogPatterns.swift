// The log lines that name a message or task ID, so that a worker's lines without trace context
// join the trace of the producer that sent the message (`unpropagated_message`, `logs`). Each
// pattern has a name, shown with the join; add one to `fields` or to `bodyPatterns` to extend.

import Foundation

public enum MessageLogPatterns {
    /// When a line is written relative to the work on the message.
    public enum Moment: Sendable, Equatable {
        /// Before the work starts (Celery's `received`, logged as soon as the worker prefetches it).
        case before
        /// Just after the work ends (`succeeded`, `failed`, `raised`, `retry`).
        case after
        /// Unknown: any time around it (a `task_id` field).
        case around
    }

    /// Top-level fields of a log line's attributes that hold a message or task ID.
    public static let fields = ["task_id", "message_id", "messaging.message.id", "celery.task_id", "msg_id"]

    /// Patterns in a log body: Celery's worker lines `Task NAME[ID] received`, `… succeeded in 0.1s`,
    /// `… failed`, `… retry`, `… raised`, each as (name, the prefix, the words that may follow `]`
    /// with when such a line is written).
    public static let bodyPatterns: [(name: String, prefix: String, suffixes: [(String, Moment)])] = [
        (
            "celery_task", "Task ",
            [(" received", .before), (" succeeded", .after), (" failed", .after), (" retry", .after), (" raised", .after)]
        )
    ]

    /// The message IDs a log line names, each with the pattern that found it.
    public static func ids(body: String, attributes: [String: Any]?) -> [(id: String, pattern: String, moment: Moment)] {
        var found: [(String, String, Moment)] = []
        if let attributes {
            for field in fields {
                switch attributes[field] {
                case let s as String where s.count >= 4: found.append((s, "field \(field)", .around))
                default: break
                }
            }
        }
        for p in bodyPatterns {
            var rest = body[...]
            while let start = rest.range(of: p.prefix) {
                rest = rest[start.upperBound...]
                guard let open = rest.firstIndex(of: "["), !rest[..<open].contains(" "),
                    let close = rest[open...].firstIndex(of: "]")
                else { continue }
                let id = rest[rest.index(after: open)..<close]
                let after = rest[rest.index(after: close)...]
                if id.count >= 4, !id.contains(" "), let (_, moment) = p.suffixes.first(where: { after.hasPrefix($0.0) }) {
                    found.append((String(id), p.name, moment))
                }
                rest = after
            }
        }
        return found
    }
}
