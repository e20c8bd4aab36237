// What a span says about a message it sends or receives (`messaging.*`, Celery's and Brave's
// own attributes), and the links it carries to other spans: what the queue diagnoses read.

/// The messaging attributes of a span, as far as it has any.
public struct SpanMessaging: Sendable, Equatable, Hashable {
    /// `messaging.system` (`kafka`, `rabbitmq`, `celery`, ...).
    public var system: String?
    /// `messaging.destination.name` (or the older `messaging.destination`, Brave's `kafka.topic`).
    public var destination: String?
    /// `messaging.message.id` (or `messaging.message_id`, Celery's `celery.task_id`).
    public var messageID: String?
    /// The task a message asks for (`celery.task_name`), when the system names one.
    public var taskName: String?

    public init(system: String? = nil, destination: String? = nil, messageID: String? = nil, taskName: String? = nil) {
        self.system = system
        self.destination = destination
        self.messageID = messageID
        self.taskName = taskName
    }

    public var isEmpty: Bool { system == nil && destination == nil && messageID == nil && taskName == nil }

    /// The keys read for each field, the first one present wins.
    public static let systemKeys = ["messaging.system"]
    public static let destinationKeys = ["messaging.destination.name", "messaging.destination", "kafka.topic"]
    public static let messageIDKeys = ["messaging.message.id", "messaging.message_id", "celery.task_id"]
    public static let taskNameKeys = ["celery.task_name"]

    /// Reads the fields from a flat attributes object (string values; numbers as their text).
    public init(attributes: [String: Any]) {
        func first(_ keys: [String]) -> String? {
            for key in keys {
                switch attributes[key] {
                case let s as String where !s.isEmpty: return s
                case let n as Int: return String(n)
                default: continue
                }
            }
            return nil
        }
        self.init(
            system: first(Self.systemKeys), destination: first(Self.destinationKeys), messageID: first(Self.messageIDKeys),
            taskName: first(Self.taskNameKeys))
    }
}

/// A link from a span to another span (OTLP span links; Jaeger references into another trace).
public struct SpanLink: Sendable, Equatable, Hashable {
    public var traceID: TraceID
    public var spanID: SpanID

    public init(traceID: TraceID, spanID: SpanID) {
        self.traceID = traceID
        self.spanID = spanID
    }
}
