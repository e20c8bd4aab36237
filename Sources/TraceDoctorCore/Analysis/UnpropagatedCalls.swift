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
        var spanCount: Int
    }

    /// Pairs calls with entry roots of other traces that started inside them. Each call and each
    /// root is used at most once, best pairs first.
    static func match(calls: [Call], entries: [Entry], traceIDs: [TraceID]) -> [UnpropagatedCall] {
        guard !calls.isEmpty, !entries.isEmpty else { return [] }
        let index = IntervalIndex(calls.enumerated().map { ($0.element.start, $0.element.end, Int32($0.offset)) })
        struct Pair {
            var call: Int
            var entry: Int
            var named: Bool
            var rivals: Int
            var tightness: Int64
        }
        var pairs: [Pair] = []
        for (e, entry) in entries.enumerated() {
            var found: [Pair] = []
            index.stab(entry.start) { payload, start, end in
                let call = calls[Int(payload)]
                guard call.trace != entry.trace else { return }
                let kindsMatch =
                    (call.span.kind == .client && entry.span.kind == .server)
                    || (call.span.kind == .producer && entry.span.kind == .consumer)
                guard kindsMatch else { return }
                let named: Bool
                if call.span.peerNames.isEmpty {
                    guard call.span.service != entry.span.service else { return }
                    named = false
                } else {
                    guard Self.names(call.span.peerNames, entry.span) else { return }
                    named = true
                }
                found.append(Pair(call: Int(payload), entry: e, named: named, rivals: 0, tightness: end - start))
            }
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
            if a.rivals != b.rivals { return a.rivals < b.rivals }
            if a.tightness != b.tightness { return a.tightness < b.tightness }
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
            var confidence = pair.named ? 0.9 : 0.5
            var evidence = [
                "\(call.span.kind.name) span '\(call.span.name)' in \(call.span.service) has no \(entry.span.kind.name) child in its trace",
                "\(entry.span.kind.name) root '\(entry.span.name)' of \(entry.span.service) (trace \(traceIDs[Int(entry.trace)].hex)) "
                    + "started \(Units.duration(ns: entry.start - call.start)) into the call",
            ]
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
