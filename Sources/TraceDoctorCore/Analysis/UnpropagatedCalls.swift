// `unpropagated_call`: the cross-service twin of a fragment. A CLIENT (PRODUCER) span has no
// SERVER (CONSUMER) child, while a SERVER (CONSUMER) root of another trace starts inside it, in the
// service it called: the request went out without a `traceparent`.

/// A call whose callee started a trace of its own.
public struct UnpropagatedCall: Sendable, Equatable {
    /// The CLIENT or PRODUCER span.
    public var client: SpanRef
    /// The SERVER or CONSUMER root of the other trace: the call's suspected continuation.
    public var callee: SpanRef
    public var calleeSpanCount: Int
    /// When the callee started, after the client did.
    public var startOffsetNs: Int64
    /// 0…1.
    public var confidence: Double
    public var evidence: [String]

    /// A call without an answer in its own trace.
    struct Call {
        var span: AnalysisSpan
        var trace: Int32
        var start: Int64
        var end: Int64
    }

    /// A SERVER or CONSUMER root.
    struct Entry {
        var span: AnalysisSpan
        var trace: Int32
        var start: Int64
        var end: Int64
        var spanCount: Int
    }

    /// Pairs calls with entry roots of other traces that started inside them. Each call and each
    /// root is used at most once, best pairs first.
    static func match(calls: [Call], entries: [Entry], traceIDs: [TraceID]) -> [UnpropagatedCall] {
        guard !calls.isEmpty, !entries.isEmpty else { return [] }
        // Calls by the names they give their peer (and each name's first DNS label), so that an
        // entry root only meets the calls that name its service or host; calls naming no peer apart.
        var named: [String: [Int32]] = [:]
        var unnamed: [Int32] = []
        for (i, call) in calls.enumerated() {
            if call.span.peerNames.isEmpty {
                unnamed.append(Int32(i))
                continue
            }
            for (k, peer) in call.span.peerNames.enumerated() {
                if !call.span.peerNames[..<k].contains(peer) { named[peer, default: []].append(Int32(i)) }
                if let dot = peer.firstIndex(of: "."), !call.span.peerNames.contains(String(peer[..<dot])) {
                    named[String(peer[..<dot]), default: []].append(Int32(i))
                }
            }
        }
        func makeIndex(_ members: [Int32]) -> IntervalIndex {
            IntervalIndex(members.map { (calls[Int($0)].start, calls[Int($0)].end, $0) })
        }
        var indexes: [String: IntervalIndex] = [:]
        let unnamedIndex = makeIndex(unnamed)

        struct Pair {
            var call: Int
            var entry: Int
            var named: Bool
            /// The callee ended before the call did.
            var fits: Bool
            /// The call and the callee carry the same operation name (gRPC), or the callee's
            /// starts with the call's (`GET` → `GET /users/{id}`).
            var sameName: Bool
            var rivals: Int
            /// How long after the call started the callee did.
            var offset: Int64
        }
        var pairs: [Pair] = []
        for (e, entry) in entries.enumerated() {
            var found: [Pair] = []
            var seen = Set<Int32>()
            func consider(_ payload: Int32, _ start: Int64, _ end: Int64, named isNamed: Bool) {
                let call = calls[Int(payload)]
                guard call.trace != entry.trace, seen.insert(payload).inserted else { return }
                let kindsMatch =
                    (call.span.kind == .client && entry.span.kind == .server)
                    || (call.span.kind == .producer && entry.span.kind == .consumer)
                guard kindsMatch else { return }
                if isNamed {
                    guard Self.names(call.span.peerNames, entry.span) else { return }
                } else if call.span.service == entry.span.service {
                    return
                }
                let callName = call.span.name
                let sameName = callName == entry.span.name || entry.span.name.hasPrefix(callName + " ")
                found.append(
                    Pair(
                        call: Int(payload), entry: e, named: isNamed, fits: entry.end <= end, sameName: sameName, rivals: 0,
                        offset: entry.start - start))
            }
            var keys = [entry.span.service.lowercased()]
            if let host = entry.span.process.host?.lowercased(), host != keys[0] { keys.append(host) }
            for key in keys {
                guard let members = named[key] else { continue }
                if indexes[key] == nil { indexes[key] = makeIndex(members) }
                indexes[key]!.stab(entry.start) { payload, start, end in consider(payload, start, end, named: true) }
            }
            unnamedIndex.stab(entry.start) { payload, start, end in consider(payload, start, end, named: false) }
            guard !found.isEmpty else { continue }
            let anyNamed = found.contains { $0.named }
            found = found.filter { $0.named == anyNamed }
            let rivals = Set(found.map { calls[$0.call].trace }).count - 1
            for var pair in found {
                pair.rivals = rivals
                pairs.append(pair)
            }
        }
        pairs.sort { a, b in
            if a.named != b.named { return a.named }
            if a.fits != b.fits { return a.fits }
            if a.sameName != b.sameName { return a.sameName }
            if a.rivals != b.rivals { return a.rivals < b.rivals }
            if a.offset != b.offset { return a.offset < b.offset }
            return (a.entry, a.call) < (b.entry, b.call)
        }
        var usedCalls = Set<Int>()
        var usedEntries = Set<Int>()
        var results: [UnpropagatedCall] = []
        for pair in pairs where !usedCalls.contains(pair.call) && !usedEntries.contains(pair.entry) {
            // Without a peer name, only an unambiguous pair is worth reporting.
            if !pair.named && pair.rivals > 0 { continue }
            usedCalls.insert(pair.call)
            usedEntries.insert(pair.entry)
            let call = calls[pair.call]
            let entry = entries[pair.entry]
            var confidence = (pair.named ? 0.7 : 0.3) + (pair.fits ? 0.1 : 0) + (pair.sameName ? 0.1 : 0)
            var evidence = [
                "\(call.span.kind.name) span '\(call.span.name)' in \(call.span.service) has no \(entry.span.kind.name) child in its trace",
                "\(entry.span.kind.name) root '\(entry.span.name)' of \(entry.span.service) (trace \(traceIDs[Int(entry.trace)].hex)) "
                    + "started \(Units.duration(ns: entry.start - call.start)) into the call",
            ]
            if pair.fits { evidence.append("the callee ended before the call returned") }
            if pair.sameName { evidence.append("same operation name on both sides") }
            if pair.named {
                evidence.append("the call names its peer: \(call.span.peerNames.joined(separator: ", "))")
            } else {
                evidence.append("the call does not name its peer (no peer.service, server.address or URL)")
            }
            if pair.rivals > 0 {
                confidence /= Double(pair.rivals + 1)
                evidence.append("\(pair.rivals) other trace(s) had a matching call in flight")
            }
            results.append(
                UnpropagatedCall(
                    client: SpanRef(call.span), callee: SpanRef(entry.span), calleeSpanCount: entry.spanCount,
                    startOffsetNs: entry.start - call.start, confidence: (confidence * 100).rounded() / 100,
                    evidence: evidence))
        }
        results.sort { ($0.client.traceID, $0.client.spanID) < ($1.client.traceID, $1.client.spanID) }
        return results
    }

    /// Whether one of a call's peer names is the entry span's service or host.
    static func names(_ peers: [String], _ entry: AnalysisSpan) -> Bool {
        let service = entry.service.lowercased()
        let host = entry.process.host?.lowercased()
        return peers.contains { peer in
            peer == service || peer == host || peer.hasPrefix(service + ".") || (host.map { peer.hasPrefix($0 + ".") } ?? false)
        }
    }
}
