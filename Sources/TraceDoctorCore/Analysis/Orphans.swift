// `missing_parent` and `remote_parent_missing` over a whole database: one group per missing parent
// (its children reported once, under it), and the groups summed by service and operations, so that
// "compute-tax never arrives" reads as one line however many traces it broke.

/// Missing parents across traces.
public struct Orphans: Sendable {
    /// Why a parent is missing, as far as the dump tells.
    public enum Cause: String, Sendable, Equatable, CaseIterable {
        /// The parent span is nowhere in the dump: dropped, sampled out, never ended or never exported.
        case parentNotCaptured = "parent_not_captured"
        /// A span with the parent's ID is in another trace.
        case parentInOtherTrace = "parent_in_other_trace"
        /// …in a trace whose ID has the same low 64 bits: a 64-bit vs 128-bit trace ID mismatch.
        case traceIDWidthMismatch = "trace_id_width_mismatch"
        /// The parent is remote: the caller was not captured (expected at ingress).
        case remoteCallerNotCaptured = "remote_caller_not_captured"

        public var explanation: String {
            switch self {
            case .parentNotCaptured: "parent not in the dump (dropped, sampled out, never ended or never exported)"
            case .parentInOtherTrace: "a span with the parent's ID is in another trace"
            case .traceIDWidthMismatch: "parent found in a trace with the same low 64 bits: 64- vs 128-bit trace IDs"
            case .remoteCallerNotCaptured: "remote caller not captured (expected at the edge of a capture)"
            }
        }
    }

    /// One missing parent of one trace, with the spans that name it.
    public struct Group: Sendable, Equatable {
        public var traceID: TraceID
        public var parentSpanID: SpanID
        public var children: [SpanRef]
        public var isRemote: Bool
        public var cause: Cause
        /// Where a span with the parent's ID was found, if anywhere.
        public var parentFoundIn: TraceID?
    }

    /// Groups with the same service, child operations and cause, summed.
    public struct Signature: Sendable, Equatable {
        public var service: String
        public var operations: [String]
        public var isRemote: Bool
        public var cause: Cause
        public var missingParents: Int
        public var orphanSpans: Int
        public var traces: Int
        /// Up to three traces, in the order met.
        public var exampleTraceIDs: [TraceID]
    }

    /// `missing_parent` groups, by trace ID then input order.
    public var groups: [Group] = []
    /// `remote_parent_missing` groups.
    public var remoteGroups: [Group] = []
    /// `missing_parent` summed by signature, most orphan spans first.
    public var signatures: [Signature] = []
    public var remoteSignatures: [Signature] = []

    public var orphanSpanCount: Int { groups.reduce(0) { $0 + $1.children.count } }
    public var remoteOrphanSpanCount: Int { remoteGroups.reduce(0) { $0 + $1.children.count } }

    public init() {}

    /// Adds the missing parents of one trace.
    mutating func add(_ found: [Group]) {
        for group in found {
            if group.isRemote { remoteGroups.append(group) } else { groups.append(group) }
        }
    }

    /// Looks the missing parents up in other traces, then sums the groups by signature.
    mutating func finish(index: CrossTraceIndex) {
        let wanted = Set(groups.map(\.parentSpanID) + remoteGroups.map(\.parentSpanID))
        let holders = index.traces(holding: wanted)
        func resolve(_ group: inout Group) {
            guard let traces = holders[group.parentSpanID] else { return }
            let others = traces.map { index.traceIDs[Int($0)] }.filter { $0 != group.traceID }
            /// One ID is 64-bit (high half zero) and the other has the same low half.
            func sameLowHalf(_ other: TraceID) -> Bool {
                (other.high == 0 || group.traceID.high == 0) && other.low == group.traceID.low
            }
            guard let other = others.first(where: sameLowHalf) ?? others.first else { return }
            group.parentFoundIn = other
            group.cause = sameLowHalf(other) ? .traceIDWidthMismatch : .parentInOtherTrace
        }
        for i in groups.indices { resolve(&groups[i]) }
        for i in remoteGroups.indices { resolve(&remoteGroups[i]) }
        groups.sort { $0.traceID < $1.traceID }
        remoteGroups.sort { $0.traceID < $1.traceID }
        signatures = Self.summarise(groups)
        remoteSignatures = Self.summarise(remoteGroups)
    }

    static func summarise(_ groups: [Group]) -> [Signature] {
        struct Key: Hashable {
            var service: String
            var operations: [String]
            var cause: Cause
        }
        var order: [Key] = []
        var sums: [Key: Signature] = [:]
        var tracesSeen: [Key: Set<TraceID>] = [:]
        for group in groups {
            let service = group.children.first?.service ?? ""
            let operations = Array(Set(group.children.map(\.name))).sorted()
            let key = Key(service: service, operations: operations, cause: group.cause)
            if sums[key] == nil {
                order.append(key)
                sums[key] = Signature(
                    service: service, operations: operations, isRemote: group.isRemote, cause: group.cause,
                    missingParents: 0, orphanSpans: 0, traces: 0, exampleTraceIDs: [])
            }
            sums[key]!.missingParents += 1
            sums[key]!.orphanSpans += group.children.count
            if tracesSeen[key, default: []].insert(group.traceID).inserted {
                sums[key]!.traces += 1
                if sums[key]!.exampleTraceIDs.count < 3 { sums[key]!.exampleTraceIDs.append(group.traceID) }
            }
        }
        return order.map { sums[$0]! }.sorted { a, b in
            a.orphanSpans != b.orphanSpans ? a.orphanSpans > b.orphanSpans : (a.service, a.operations.joined()) < (b.service, b.operations.joined())
        }
    }
}
