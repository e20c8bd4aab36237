// The spans table read into memory, column by column, in one sequential scan. Reading in trace
// order through the index costs a random row lookup per span (measured 6–8 s for 1 M spans, against
// 0.9 s for the scan); grouping by trace in memory costs ~80 bytes per span.

import GRDB
import GRDBSQLite

/// Spans as compact columns, grouped by trace after loading. Written by one thread while loading,
// then only read (by several threads at once): hence unchecked Sendable.
final class SpanTable: @unchecked Sendable {
    /// The columns read. A span's service is its resource's (ingest writes it from the resource).
    static let columns = """
        id, trace_id, span_id, parent_span_id, original_span_id, name, kind, resource_id, start_ns, end_ns,
        status_code, flags, CASE WHEN kind IN (3, 4, 5) OR parent_span_id IS NULL THEN attributes END,
        CASE WHEN links <> '[]' THEN links END
        """

    /// The rows, column by column (a value, so that loops work on local copies without
    /// retaining the class's arrays at every access).
    struct Columns {
        var rowID: [Int64] = []
        var traceHigh: [UInt64] = []
        var traceLow: [UInt64] = []
        var spanID: [UInt64] = []
        /// 0 = none.
        var parentID: [UInt64] = []
        var originalID: [UInt64] = []
        var name: [Int32] = []
        var kind: [UInt8] = []
        var process: [Int32] = []
        /// `Int64.min` = NULL.
        var start: [Int64] = []
        var end: [Int64] = []
        var status: [UInt8] = []
        var flags: [UInt32] = []
        var followsFrom: [Bool] = []
        /// Index into `peerLists`, or -1.
        var peers: [Int32] = []
        /// Index into `messagings`, or -1.
        var messaging: [Int32] = []
        /// Index into `linkLists`, or -1.
        var links: [Int32] = []

        mutating func reserve(_ n: Int) {
            rowID.reserveCapacity(n)
            traceHigh.reserveCapacity(n)
            traceLow.reserveCapacity(n)
            spanID.reserveCapacity(n)
            parentID.reserveCapacity(n)
            originalID.reserveCapacity(n)
            name.reserveCapacity(n)
            kind.reserveCapacity(n)
            process.reserveCapacity(n)
            start.reserveCapacity(n)
            end.reserveCapacity(n)
            status.reserveCapacity(n)
            flags.reserveCapacity(n)
            followsFrom.reserveCapacity(n)
            peers.reserveCapacity(n)
            messaging.reserveCapacity(n)
            links.reserveCapacity(n)
        }
    }

    private var columns = Columns()

    private let names = ByteInterner()
    private var processes: [SpanProcess] = []
    private var processOfResource: [Int64: Int32] = [:]
    /// Peer lists by the interned bytes of the attribute values they come from.
    private let peerValues = ByteInterner()
    private var peerListOfValues: [Int32] = []
    private var peerLists: [[String]] = []
    private var peerListIndex: [[String]: Int32] = [:]
    private let resources: [Int64: SpanProcess]
    /// Distinct messaging attributes, and the links of the spans that have any.
    private var messagings: [SpanMessaging] = []
    private var messagingIndex: [SpanMessaging: Int32] = [:]
    private var linkLists: [[SpanLink]] = []

    var count: Int { columns.rowID.count }

    /// The trace ID of row `i` (as read: (0, 0) for NULL or junk).
    func traceID(ofRow i: Int) -> TraceID { TraceID(high: columns.traceHigh[i], low: columns.traceLow[i]) }

    init(resources: [Int64: SpanProcess], expectedRows: Int = 0) {
        self.resources = resources
        columns.reserve(expectedRows)
    }

    // MARK: Loading

    /// Appends the rows with `low < id <= high`.
    func load(_ db: Database, rows low: Int64, _ high: Int64) throws {
        let statement = try db.makeStatement(sql: "SELECT \(Self.columns) FROM spans WHERE id > ? AND id <= ?")
        try statement.setArguments([low, high])
        try load(statement.sqliteStatement)
    }

    /// Appends every row `statement` (selecting `columns`) yields.
    func load(_ statement: OpaquePointer) throws {
        var lastResource: Int64 = -1
        var lastProcess: Int32 = 0
        var c = columns
        columns = Columns()
        defer { columns = c }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "reading spans")
            }
            c.rowID.append(sqlite3_column_int64(statement, 0))
            let trace = Self.hex(statement, 1)
            c.traceHigh.append(trace.0)
            c.traceLow.append(trace.1)
            c.spanID.append(Self.hex(statement, 2).1)
            let parent = Self.hex(statement, 3).1
            c.parentID.append(parent)
            c.originalID.append(Self.hex(statement, 4).1)
            c.name.append(names.intern(Self.bytes(statement, 5)))
            c.kind.append(UInt8(truncatingIfNeeded: sqlite3_column_int64(statement, 6)))
            let resource = sqlite3_column_int64(statement, 7)
            if resource != lastResource {
                lastResource = resource
                lastProcess = processOrdinal(resource)
            }
            c.process.append(lastProcess)
            c.start.append(sqlite3_column_type(statement, 8) == SQLITE_NULL ? Int64.min : sqlite3_column_int64(statement, 8))
            c.end.append(sqlite3_column_type(statement, 9) == SQLITE_NULL ? Int64.min : sqlite3_column_int64(statement, 9))
            c.status.append(UInt8(truncatingIfNeeded: sqlite3_column_int64(statement, 10)))
            c.flags.append(UInt32(truncatingIfNeeded: sqlite3_column_int64(statement, 11)))
            var peers: Int32 = -1
            var messaging: Int32 = -1
            if sqlite3_column_type(statement, 12) != SQLITE_NULL {
                let attributes = Self.bytes(statement, 12)
                let kind = c.kind[c.kind.count - 1]
                if kind == 3 || kind == 4 { peers = peerList(attributes) }
                messaging = messagingOrdinal(attributes)
            }
            c.peers.append(peers)
            c.messaging.append(messaging)
            var follows = false
            var links: Int32 = -1
            if sqlite3_column_type(statement, 13) != SQLITE_NULL {
                let text = Self.bytes(statement, 13)
                if parent != 0 { follows = Self.isFollowsFrom(text, parent: parent) }
                // A reference to the span's own parent (Jaeger's CHILD_OF) is the parent, not a link.
                let list = SpanLinkParser.links(text).filter { $0.spanID.value != parent }
                if !list.isEmpty {
                    links = Int32(linkLists.count)
                    linkLists.append(list)
                }
            }
            c.followsFrom.append(follows)
            c.links.append(links)
        }
    }

    /// The peer list of a span's attributes, computed once per distinct set of peer values.
    private func peerList(_ attributes: UnsafeRawBufferPointer) -> Int32 {
        var values = PeerNames.Values()
        PeerNames.read(attributes, into: &values)
        guard !values.isEmpty else { return -1 }
        // The cache key: the values, URLs cut to their authority (paths vary per request), each
        // ended by a zero byte, in a buffer on the stack.
        var length = 0
        for k in 0..<PeerNames.keyCount {
            if let value = values[k] { length += (PeerNames.isURL(k) ? PeerNames.authority(value) : value).count }
            length += 1
        }
        let key = withUnsafeTemporaryAllocation(byteCount: length, alignment: 1) { buffer -> Int32 in
            var at = 0
            for k in 0..<PeerNames.keyCount {
                if let value = values[k] {
                    let part = PeerNames.isURL(k) ? PeerNames.authority(value) : value
                    if let source = part.baseAddress { (buffer.baseAddress! + at).copyMemory(from: source, byteCount: part.count) }
                    at += part.count
                }
                buffer[at] = 0
                at += 1
            }
            return peerValues.intern(UnsafeRawBufferPointer(buffer))
        }
        if Int(key) < peerListOfValues.count { return peerListOfValues[Int(key)] }
        let list = PeerNames.names(of: values)
        var index: Int32 = -1
        if !list.isEmpty {
            if let known = peerListIndex[list] {
                index = known
            } else {
                index = Int32(peerLists.count)
                peerListIndex[list] = index
                peerLists.append(list)
            }
        }
        peerListOfValues.append(index)
        return index
    }

    /// The messaging attributes of a span, stored once per distinct set; -1 when it has none.
    private func messagingOrdinal(_ attributes: UnsafeRawBufferPointer) -> Int32 {
        guard SpanLinkParser.mayHoldMessaging(attributes) else { return -1 }
        let messaging = SpanLinkParser.messaging(attributes)
        guard !messaging.isEmpty else { return -1 }
        if let known = messagingIndex[messaging] { return known }
        let ordinal = Int32(messagings.count)
        messagings.append(messaging)
        messagingIndex[messaging] = ordinal
        return ordinal
    }

    private func processOrdinal(_ resource: Int64) -> Int32 {
        if let known = processOfResource[resource] { return known }
        let ordinal = Int32(processes.count)
        processes.append(resources[resource] ?? SpanProcess(service: ""))
        processOfResource[resource] = ordinal
        return ordinal
    }

    @inline(__always)
    private static func bytes(_ statement: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer {
        guard let text = sqlite3_column_text(statement, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// A hex ID column as (high, low) 64-bit halves; (0, 0) for NULL or junk.
    @inline(__always)
    private static func hex(_ statement: OpaquePointer, _ column: Int32) -> (UInt64, UInt64) {
        guard let text = sqlite3_column_text(statement, column) else { return (0, 0) }
        let count = Int(sqlite3_column_bytes(statement, column))
        if count == 32 { return (hex16(text), hex16(text + 16)) }
        return (0, count == 16 ? hex16(text) : 0)
    }

    /// Nibble values of ASCII hex digits; 0xFF for anything else.
    private static let nibbles: [UInt8] = (0..<256).map { c -> UInt8 in
        switch c {
        case 48...57: UInt8(c - 48)
        case 97...102: UInt8(c - 87)
        case 65...70: UInt8(c - 55)
        default: 0xFF
        }
    }

    /// 16 hex digits to an integer (0 when one is not a hex digit).
    @inline(__always)
    private static func hex16(_ p: UnsafePointer<UInt8>) -> UInt64 {
        nibbles.withUnsafeBufferPointer { table in
            var value: UInt64 = 0
            var bad: UInt8 = 0
            for i in 0..<16 {
                let n = table[Int(p[i])]
                bad |= n
                value = (value << 4) | UInt64(n & 0x0F)
            }
            return bad & 0xF0 != 0 ? 0 : value
        }
    }

    /// Whether the links hold the parent as a FOLLOWS_FROM reference (`opentracing.ref_type`,
    /// as the OpenTelemetry Collector's Jaeger receiver writes it).
    private static func isFollowsFrom(_ links: UnsafeRawBufferPointer, parent: UInt64) -> Bool {
        let text = String(decoding: links, as: UTF8.self)
        return text.contains("\"follows_from\"") && text.contains("\"\(HexID.render(parent))\"")
    }

    /// Appends the rows of `other` (loaded from later rows), re-numbering its interned values.
    func append(_ other: SpanTable) {
        let o = other.columns
        var c = columns
        columns = Columns()
        defer { columns = c }
        c.rowID += o.rowID
        c.traceHigh += o.traceHigh
        c.traceLow += o.traceLow
        c.spanID += o.spanID
        c.parentID += o.parentID
        c.originalID += o.originalID
        c.kind += o.kind
        c.start += o.start
        c.end += o.end
        c.status += o.status
        c.flags += o.flags
        c.followsFrom += o.followsFrom
        let nameMap = other.names.strings.map { string -> Int32 in
            var bytes = Array(string.utf8)
            return bytes.withUnsafeMutableBytes { names.intern(UnsafeRawBufferPointer($0)) }
        }
        c.name += o.name.map { nameMap[Int($0)] }
        let processMap = other.processes.map { process -> Int32 in
            if let known = processes.firstIndex(where: { $0 === process }) { return Int32(known) }
            processes.append(process)
            return Int32(processes.count - 1)
        }
        c.process += o.process.map { processMap[Int($0)] }
        let peerMap = other.peerLists.map { list -> Int32 in
            if let known = peerListIndex[list] { return known }
            let index = Int32(peerLists.count)
            peerListIndex[list] = index
            peerLists.append(list)
            return index
        }
        c.peers += o.peers.map { $0 < 0 ? -1 : peerMap[Int($0)] }
        let messagingMap = other.messagings.map { m -> Int32 in
            if let known = messagingIndex[m] { return known }
            let index = Int32(messagings.count)
            messagingIndex[m] = index
            messagings.append(m)
            return index
        }
        c.messaging += o.messaging.map { $0 < 0 ? -1 : messagingMap[Int($0)] }
        let linkBase = Int32(linkLists.count)
        linkLists += other.linkLists
        c.links += o.links.map { $0 < 0 ? -1 : $0 + linkBase }
    }

    // MARK: Reading

    /// What reading spans needs, taken out of the class once per batch of rows.
    struct Reader {
        let c: Columns
        let names: [String]
        let processes: [SpanProcess]
        let peerLists: [[String]]
        let messagings: [SpanMessaging]
        let linkLists: [[SpanLink]]

        /// The row as an analysis span.
        func span(_ i: Int) -> AnalysisSpan {
            AnalysisSpan(
                traceID: TraceID(high: c.traceHigh[i], low: c.traceLow[i]), spanID: SpanID(c.spanID[i]),
                parentSpanID: c.parentID[i] == 0 ? nil : SpanID(c.parentID[i]),
                originalSpanID: c.originalID[i] == 0 ? nil : SpanID(c.originalID[i]), name: names[Int(c.name[i])],
                kind: SpanKind(rawValue: Int(c.kind[i])) ?? .unspecified, process: processes[Int(c.process[i])],
                startNs: c.start[i] == Int64.min ? nil : c.start[i], endNs: c.end[i] == Int64.min ? nil : c.end[i],
                status: StatusCode(rawValue: Int(c.status[i])) ?? .unset, flags: c.flags[i],
                parentRelation: c.followsFrom[i] ? .followsFrom : .childOf,
                peerNames: c.peers[i] < 0 ? [] : peerLists[Int(c.peers[i])],
                messaging: c.messaging[i] < 0 ? nil : messagings[Int(c.messaging[i])],
                links: c.links[i] < 0 ? [] : linkLists[Int(c.links[i])], rowID: c.rowID[i])
        }
    }

    var reader: Reader {
        Reader(
            c: columns, names: names.strings, processes: processes, peerLists: peerLists, messagings: messagings,
            linkLists: linkLists)
    }

    /// Row numbers grouped by trace: trace `t` (in trace-ID order) holds
    /// `rows[offsets[t] ..< offsets[t + 1]]`, in row order.
    struct Grouping {
        var rows: [Int32]
        var offsets: [Int]
        var count: Int { offsets.count - 1 }
    }

    func grouping() -> Grouping {
        let n = count
        let traceHigh = columns.traceHigh
        let traceLow = columns.traceLow
        // Trace ordinals by an open-addressing table on the ID, sized for one trace per row.
        var size = 16
        while size < 2 * n { size <<= 1 }
        var slots = [Int32](repeating: -1, count: size)
        let mask = size - 1
        var ids: [TraceID] = []
        var ordinal = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let high = traceHigh[i]
            let low = traceLow[i]
            var slot = Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9) >> 24) & mask
            while true {
                let entry = slots[slot]
                if entry < 0 {
                    slots[slot] = Int32(ids.count)
                    ordinal[i] = Int32(ids.count)
                    ids.append(TraceID(high: high, low: low))
                    break
                }
                if ids[Int(entry)].low == low && ids[Int(entry)].high == high {
                    ordinal[i] = entry
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        // Number the traces in ID order, then a counting sort of the rows (stable: row order kept).
        var rank = [Int32](repeating: 0, count: ids.count)
        for (position, t) in ids.indices.sorted(by: { ids[$0] < ids[$1] }).enumerated() { rank[t] = Int32(position) }
        var offsets = [Int](repeating: 0, count: ids.count + 1)
        for o in ordinal { offsets[Int(rank[Int(o)]) + 1] += 1 }
        for t in 0..<ids.count { offsets[t + 1] += offsets[t] }
        var fill = offsets
        var rows = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let t = Int(rank[Int(ordinal[i])])
            rows[fill[t]] = Int32(i)
            fill[t] += 1
        }
        return Grouping(rows: rows, offsets: offsets)
    }

    /// Calls `body` with the spans of each trace, traces in ID order, spans in row order.
    func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws {
        let grouping = grouping()
        let reader = self.reader
        for t in 0..<grouping.count {
            try body((grouping.offsets[t]..<grouping.offsets[t + 1]).map { reader.span(Int(grouping.rows[$0])) })
        }
    }
}
