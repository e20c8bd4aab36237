// Where a span ran: the service and the process identity its resource names, shared by every
// span of that resource, so that "same host, same process" is a cheap comparison.

/// The process (OTLP resource) that produced spans.
public final class SpanProcess: Sendable, Equatable, CustomStringConvertible {
    /// `service.name`.
    public let service: String
    /// `host.name`, else Jaeger's process tag `ip`, else `hostname`; nil when the dump names none.
    public let host: String?
    /// `service.instance.id`.
    public let instanceID: String?
    /// `process.pid`, as text.
    public let pid: String?

    public init(service: String, host: String? = nil, instanceID: String? = nil, pid: String? = nil) {
        self.service = service
        self.host = host.flatMap { $0.isEmpty ? nil : $0 }
        self.instanceID = instanceID.flatMap { $0.isEmpty ? nil : $0 }
        self.pid = pid.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The identity derived from resource attributes (the keys tracedoctor reads are listed above).
    public convenience init(service: String, attributes: [String: String]) {
        self.init(
            service: service, host: attributes["host.name"] ?? attributes["ip"] ?? attributes["hostname"],
            instanceID: attributes["service.instance.id"], pid: attributes["process.pid"])
    }

    public static func == (a: SpanProcess, b: SpanProcess) -> Bool {
        a === b || (a.service == b.service && a.host == b.host && a.instanceID == b.instanceID && a.pid == b.pid)
    }

    /// Whether two processes may be the same one: every identity field both name agrees.
    /// (Unknown fields do not disagree.)
    public func mayBeSameProcess(as other: SpanProcess) -> Bool {
        if self === other { return true }
        if let a = host, let b = other.host, a != b { return false }
        if let a = instanceID, let b = other.instanceID, a != b { return false }
        if let a = pid, let b = other.pid, a != b { return false }
        return true
    }

    /// How much two processes are known to share, for a confidence: 2 = same instance or same
    /// host and pid, 1 = same host only, 0 = nothing known.
    public func sharedIdentity(with other: SpanProcess) -> Int {
        if let a = instanceID, let b = other.instanceID, a == b { return 2 }
        if let a = host, let b = other.host, a == b {
            if let p = pid, let q = other.pid, p == q { return 2 }
            return 1
        }
        return 0
    }

    /// `chat-api-7d9f pid 4201`, or the service alone.
    public var description: String {
        var parts: [String] = []
        if let host { parts.append(host) }
        if let pid { parts.append("pid \(pid)") }
        if parts.isEmpty, let instanceID { parts.append("instance \(instanceID)") }
        return parts.isEmpty ? service : parts.joined(separator: " ")
    }
}
