// For a source that fetches only the traces a question across traces needs (ClickHouse): which
// traces' calls and entry roots could pair up as an `unpropagated_call`, by the same rules as
// `UnpropagatedCall.match` (kinds, a call's interval holding the root's start, peer names or another
// service), without choosing among the pairs. Fetching every trace on either side of such a pair
// and nothing else gives `match` the same pairs, rivals and order as the whole capture would.

extension UnpropagatedCall {
    /// The traces of every call and entry root that some other side could pair with. `calls` are
    /// CLIENT and PRODUCER spans without an answer in their trace (a superset is fine), `entries`
    /// SERVER and CONSUMER roots; both on the raw clock (`startNs`, `endNs`).
    public static func pairableTraces(calls: [AnalysisSpan], entries: [AnalysisSpan]) -> Set<TraceID> {
        var named: [String: [Int32]] = [:]
        var unnamed: [Int32] = []
        for (i, call) in calls.enumerated() {
            if call.peerNames.isEmpty {
                unnamed.append(Int32(i))
                continue
            }
            for peer in Set(call.peerNames) {
                named[peer, default: []].append(Int32(i))
                if let dot = peer.firstIndex(of: ".") { named[String(peer[..<dot]), default: []].append(Int32(i)) }
            }
        }
        func interval(_ span: AnalysisSpan) -> (Int64, Int64) {
            let start = span.startNs ?? 0
            return (start, max(start, span.endNs ?? start))
        }
        func makeIndex(_ members: [Int32]) -> IntervalIndex {
            IntervalIndex(
                members.map {
                    let (s, e) = interval(calls[Int($0)])
                    return (s, e, $0)
                })
        }
        var indexes: [String: IntervalIndex] = [:]
        let unnamedIndex = makeIndex(unnamed)
        var traces = Set<TraceID>()
        for entry in entries {
            let start = interval(entry).0
            var found = false
            func consider(_ payload: Int32, named isNamed: Bool) {
                let call = calls[Int(payload)]
                guard call.traceID != entry.traceID else { return }
                let kindsMatch =
                    (call.kind == .client && entry.kind == .server) || (call.kind == .producer && entry.kind == .consumer)
                guard kindsMatch else { return }
                if isNamed {
                    guard Self.names(call.peerNames, entry) else { return }
                } else if call.service == entry.service {
                    return
                }
                traces.insert(call.traceID)
                found = true
            }
            var keys = [entry.service.lowercased()]
            if let host = entry.process.host?.lowercased(), host != keys[0] { keys.append(host) }
            for key in keys {
                guard let members = named[key] else { continue }
                if indexes[key] == nil { indexes[key] = makeIndex(members) }
                indexes[key]!.stab(start) { payload, _, _ in consider(payload, named: true) }
            }
            unnamedIndex.stab(start) { payload, _, _ in consider(payload, named: false) }
            if found { traces.insert(entry.traceID) }
        }
        return traces
    }
}

extension UnpropagatedMessage {
    /// How long after a message was sent a root may still continue it (`unpropagated_message`).
    public static var continuationWindowNs: Int64 { window }
}
