// A Zipkin endpoint (`{"serviceName", "ipv4", "ipv6", "port"}`). The local one is the span's
// process, so it becomes the resource; the remote one describes the peer and becomes span
// attributes. The attribute names are the ones OpenTelemetry's Zipkin translator uses.

/// One endpoint of a Zipkin span, as read; reused from span to span.
final class ZipkinEndpoint {
    private(set) var serviceName: [UInt8] = []
    private(set) var ipv4: [UInt8] = []
    private(set) var ipv6: [UInt8] = []
    private(set) var port: UInt64 = 0

    func reset() {
        serviceName.removeAll(keepingCapacity: true)
        ipv4.removeAll(keepingCapacity: true)
        ipv6.removeAll(keepingCapacity: true)
        port = 0
    }

    /// Whether `other` names the same endpoint.
    func same(as other: ZipkinEndpoint) -> Bool {
        port == other.port && serviceName == other.serviceName && ipv4 == other.ipv4 && ipv6 == other.ipv6
    }

    func copy(from other: ZipkinEndpoint) {
        serviceName.replace(with: other.serviceName)
        ipv4.replace(with: other.ipv4)
        ipv6.replace(with: other.ipv6)
        port = other.port
    }

    /// Reads an endpoint object (or null); a bad port is noted in `problem`.
    func read(_ s: JSONScanner, problem: inout RecordProblem) throws(InputError) {
        reset()
        if try s.readNullIfPresent() { return }
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if key.equals("serviceName") {
                try s.readString(into: &serviceName)
            } else if key.equals("ipv4") {
                try s.readString(into: &ipv4)
            } else if key.equals("ipv6") {
                try s.readString(into: &ipv6)
            } else if key.equals("port") {
                if try s.readNullIfPresent() { continue }
                let at = s.position
                let value = try problem.attempt(s) { () throws(InputError) in try s.readUInt64Flexible("port") } ?? 0
                if value > 65535 { problem.note("port \(value) is not a port number (0–65535)", at: at) }
                port = value
            } else {
                try s.skipValue()
            }
        }
    }

    /// The resource of a span whose local endpoint this is: `service.name`, `net.host.ip`
    /// (IPv4, else IPv6), `net.host.ipv6` (when both are given), `net.host.port`.
    func resource(into resource: ResourceRecord) {
        resource.reset()
        resource.service.append(contentsOf: serviceName)
        let out = resource.attributes
        out.append(UInt8(ascii: "{"))
        if !serviceName.isEmpty { member(out, "service.name", serviceName) }
        write(out, ip: "net.host.ip", ipv6: "net.host.ipv6", port: "net.host.port")
        out.dropTrailingComma()
        out.append(UInt8(ascii: "}"))
    }

    /// Span attributes describing the peer: `peer.service`, `net.peer.ip`, `net.peer.ipv6`,
    /// `net.peer.port` (members followed by commas).
    func peerAttributes(into out: JSONBuffer) {
        if !serviceName.isEmpty { member(out, "peer.service", serviceName) }
        write(out, ip: "net.peer.ip", ipv6: "net.peer.ipv6", port: "net.peer.port")
    }

    private func write(_ out: JSONBuffer, ip: StaticString, ipv6 ipv6Key: StaticString, port portKey: StaticString) {
        if !ipv4.isEmpty {
            member(out, ip, ipv4)
            if !ipv6.isEmpty { member(out, ipv6Key, ipv6) }
        } else if !ipv6.isEmpty {
            member(out, ip, ipv6)
        }
        if port != 0 {
            out.appendKey(portKey)
            out.appendUInt(port)
            out.append(UInt8(ascii: ","))
        }
    }

    private func member(_ out: JSONBuffer, _ key: StaticString, _ value: [UInt8]) {
        out.appendKey(key)
        out.appendString(value)
        out.append(UInt8(ascii: ","))
    }
}
