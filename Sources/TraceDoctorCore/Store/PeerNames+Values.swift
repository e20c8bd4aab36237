// Peer names from attribute values already picked out (a trace store that returns them by key,
// such as ClickHouse's Map columns), with the same rules as the database's.

extension AnalysisSpan {
    /// The peer names of a CLIENT or PRODUCER span from the values of `peer.service`,
    /// `server.address`, `net.peer.name`, `url.full` and `http.url` (nil or empty = absent), in that
    /// order: lowercased, URLs reduced to their host, without duplicates.
    public static func peerNames(fromValues values: [String?]) -> [String] {
        var names: [String] = []
        for (k, value) in values.prefix(PeerNames.keyCount).enumerated() {
            guard let value, !value.isEmpty, !value.contains("\\") else { continue }
            let name = (PeerNames.isURL(k) ? PeerNames.host(ofURL: value) : value)?.lowercased()
            if let name, !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }
}
