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
        status_code, flags, CASE WHEN kind IN (3, 4) THEN attributes END, CASE WHEN links <> '[]' THEN links END
        """

    private var rowID: [Int64] = []
    private var traceHigh: [UInt64] = []
    private var traceLow: [UInt64] = []
    private var spanID: [UInt64] = []
    /// 0 = none.
    private var parentID: [UInt64] = []
    private var originalID: [UInt64] = []
    private var name: [Int32] = []
    private var kind: [UInt8] = []
    private var process: [Int32] = []
    /// `Int64.min` = NULL.
    private var start: [Int64] = []
    private var end: [Int64] = []
    private var status: [UInt8] = []
    private var flags: [UInt32] = []
    private var followsFrom: [Bool] = []
    /// Index into `peerLists`, or -1.
    private var peers: [Int32] = []

    private let names = ByteInterner()
    private var processes: [SpanProcess] = []
    private var processOfResource: [Int64: Int32] = [:]
    /// Peer lists by the interned bytes of the attribute values they come from.
    private let peerValues = ByteInterner()
    private var peerListOfValues: [Int32] = []
    private var peerLists: [[String]] = []
    private var peerListIndex: [[String]: Int32] = [:]
    private var scratch: [UInt8] = []
    private let resources: [Int64: SpanProcess]

    var count: Int { rowID.count }

    init(resources: [Int64: SpanProcess], expectedRows: Int = 0) {
        self.resources = resources
        rowID.reserveCapacity(expectedRows)
        traceHigh.reserveCapacity(expectedRows)
        traceLow.reserveCapacity(expectedRows)
        spanID.reserveCapacity(expectedRows)
        parentID.reserveCapacity(expectedRows)
        originalID.reserveCapacity(expectedRows)
        name.reserveCapacity(expectedRows)
        kind.reserveCapacity(expectedRows)
        process.reserveCapacity(expectedRows)
        start.reserveCapacity(expectedRows)
        end.reserveCapacity(expectedRows)
        status.reserveCapacity(expectedRows)
        flags.reserveCapacity(expectedRows)
        followsFrom.reserveCapacity(expectedRows)
        peers.reserveCapacity(expectedRows)
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
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "reading spans")
            }
            rowID.append(sqlite3_column_int64(statement, 0))
            let trace = Self.hex(statement, 1)
            traceHigh.append(trace.0)
            traceLow.append(trace.1)
            spanID.append(Self.hex(statement, 2).1)
            let parent = Self.hex(statement, 3).1
            parentID.append(parent)
            originalID.append(Self.hex(statement, 4).1)
            name.append(names.intern(Self.bytes(statement, 5)))
            kind.append(UInt8(truncatingIfNeeded: sqlite3_column_int64(statement, 6)))
            let resource = sqlite3_column_int64(statement, 7)
            if resource != lastResource {
                lastResource = resource
                lastProcess = processOrdinal(resource)
            }
            process.append(lastProcess)
            start.append(sqlite3_column_type(statement, 8) == SQLITE_NULL ? Int64.min : sqlite3_column_int64(statement, 8))
            end.append(sqlite3_column_type(statement, 9) == SQLITE_NULL ? Int64.min : sqlite3_column_int64(statement, 9))
            status.append(UInt8(truncatingIfNeeded: sqlite3_column_int64(statement, 10)))
            flags.append(UInt32(truncatingIfNeeded: sqlite3_column_int64(statement, 11)))
            peers.append(sqlite3_column_type(statement, 12) == SQLITE_NULL ? -1 : peerList(Self.bytes(statement, 12)))
            var follows = false
            if parent != 0, sqlite3_column_type(statement, 13) != SQLITE_NULL {
                follows = Self.isFollowsFrom(Self.bytes(statement, 13), parent: parent)
            }
            followsFrom.append(follows)
        }
    }

    /// The peer list of a span's attributes, computed once per distinct set of peer values.
    private func peerList(_ attributes: UnsafeRawBufferPointer) -> Int32 {
        var values = PeerNames.Values()
        PeerNames.read(attributes, into: &values)
        guard !values.isEmpty else { return -1 }
        // The cache key: the values, URLs cut to their authority (paths vary per request).
        scratch.removeAll(keepingCapacity: true)
        for k in 0..<5 {
            if let value = values[k] { scratch.append(contentsOf: PeerNames.isURL(k) ? PeerNames.authority(value) : value) }
            scratch.append(0)
        }
        let key = scratch.withUnsafeBytes { peerValues.intern($0) }
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
        rowID += other.rowID
        traceHigh += other.traceHigh
        traceLow += other.traceLow
        spanID += other.spanID
        parentID += other.parentID
        originalID += other.originalID
        kind += other.kind
        start += other.start
        end += other.end
        status += other.status
        flags += other.flags
        followsFrom += other.followsFrom
        let nameMap = other.names.strings.map { string -> Int32 in
            var bytes = Array(string.utf8)
            return bytes.withUnsafeMutableBytes { names.intern(UnsafeRawBufferPointer($0)) }
        }
        name += other.name.map { nameMap[Int($0)] }
        let processMap = other.processes.map { process -> Int32 in
            if let known = processes.firstIndex(where: { $0 === process }) { return Int32(known) }
            processes.append(process)
            return Int32(processes.count - 1)
        }
        process += other.process.map { processMap[Int($0)] }
        let peerMap = other.peerLists.map { list -> Int32 in
            if let known = peerListIndex[list] { return known }
            let index = Int32(peerLists.count)
            peerListIndex[list] = index
            peerLists.append(list)
            return index
        }
        peers += other.peers.map { $0 < 0 ? -1 : peerMap[Int($0)] }
    }

    // MARK: Reading

    /// The row as an analysis span.
    func span(_ i: Int) -> AnalysisSpan {
        let proc = processes[Int(process[i])]
        return AnalysisSpan(
            traceID: TraceID(high: traceHigh[i], low: traceLow[i]), spanID: SpanID(spanID[i]),
            parentSpanID: parentID[i] == 0 ? nil : SpanID(parentID[i]),
            originalSpanID: originalID[i] == 0 ? nil : SpanID(originalID[i]), name: names.strings[Int(name[i])],
            kind: SpanKind(rawValue: Int(kind[i])) ?? .unspecified, process: proc,
            startNs: start[i] == Int64.min ? nil : start[i], endNs: end[i] == Int64.min ? nil : end[i],
            status: StatusCode(rawValue: Int(status[i])) ?? .unset, flags: flags[i],
            parentRelation: followsFrom[i] ? .followsFrom : .childOf, peerNames: peers[i] < 0 ? [] : peerLists[Int(peers[i])],
            rowID: rowID[i])
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

    /// The spans of trace `t` of `grouping`.
    func spans(ofTrace t: Int, in grouping: Grouping) -> [AnalysisSpan] {
        (grouping.offsets[t]..<grouping.offsets[t + 1]).map { span(Int(grouping.rows[$0])) }
    }

    /// Calls `body` with the spans of each trace, traces in ID order, spans in row order.
    func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws {
        let grouping = grouping()
        for t in 0..<grouping.count { try body(spans(ofTrace: t, in: grouping)) }
    }
}
