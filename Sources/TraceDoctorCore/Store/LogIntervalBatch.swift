// Intervals on their way into `log_intervals`, encoded as one byte buffer: the thread that
// builds them renders every column (hex IDs, the keys' JSON) and the thread that inserts only
// binds pointers into it (no copy, no allocation per row) and steps one statement for many rows.

import Foundation
import GRDB
import GRDBSQLite

struct LogIntervalBatch: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    static let kinds: [LogInterval.Kind] = [.pair, .duration, .unfinished, .endWithoutStart]
    private static let null = UInt32.max

    init() {}

    init(_ intervals: [LogInterval]) {
        bytes.reserveCapacity(intervals.count * 160)
        for interval in intervals { append(interval) }
    }

    mutating func append(_ interval: LogInterval) {
        count += 1
        bytes.append(UInt8(Self.kinds.firstIndex(of: interval.kind) ?? 1))
        bytes.append(interval.failed ? 1 : 0)
        let numbers = [interval.startNs, interval.endNs, interval.startRow, interval.endRow]
        var mask: UInt8 = 0
        for (k, n) in numbers.enumerated() where n != nil { mask |= 1 << k }
        bytes.append(mask)
        for n in numbers { withUnsafeBytes(of: (n ?? 0).littleEndian) { bytes.append(contentsOf: $0) } }
        for text in [
            interval.name, interval.label, interval.service, TraceStore.keysJSON(interval.keys), interval.traceID?.hex,
            interval.spanID?.hex, interval.note,
        ] {
            guard let text else {
                withUnsafeBytes(of: Self.null.littleEndian) { bytes.append(contentsOf: $0) }
                continue
            }
            withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: text.utf8)
        }
    }

    /// Rows bound per statement (13 parameters each, under SQLite's limit of 32,766).
    static let rowsPerStatement = 64

    /// Inserts the batch; `stored(index, rowID, kind)` is called for each interval in order.
    func insert(_ db: Database, stored: (Int, Int64, LogInterval.Kind) -> Void) throws {
        let columns = "kind, name, label, start_ns, end_ns, service, failed, start_log_id, end_log_id, keys, trace_id, span_id, note"
        let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        func statement(_ rows: Int) throws -> OpaquePointer {
            try db.cachedStatement(
                sql: "INSERT INTO log_intervals (\(columns)) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
            ).sqliteStatement
        }
        let full = try statement(Self.rowsPerStatement)
        try bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var at = 0
            var index = 0
            var kinds: [LogInterval.Kind] = []
            func int64() -> Int64 {
                defer { at += 8 }
                return Int64(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: Int64.self))
            }
            while index < count {
                let rows = min(Self.rowsPerStatement, count - index)
                let s = rows == Self.rowsPerStatement ? full : try statement(rows)
                sqlite3_reset(s)
                kinds.removeAll(keepingCapacity: true)
                for r in 0..<rows {
                    let p = Int32(r * 13)
                    let kind = Self.kinds[Int(base[at])]
                    kinds.append(kind)
                    let failed = Int64(base[at + 1])
                    let mask = base[at + 2]
                    at += 3
                    func number(_ k: Int) -> Int64? {
                        let n = int64()
                        return mask & (1 << k) != 0 ? n : nil
                    }
                    let startNs = number(0)
                    let endNs = number(1)
                    let startRow = number(2)
                    let endRow = number(3)
                    func nextText() -> (UnsafePointer<UInt8>, Int32)? {
                        let length = UnsafeRawPointer(base + at).loadUnaligned(as: UInt32.self).littleEndian
                        at += 4
                        guard length != Self.null else { return nil }
                        defer { at += Int(length) }
                        return (base + at, Int32(length))
                    }
                    func text(_ i: Int32, _ value: (UnsafePointer<UInt8>, Int32)?) {
                        guard let value else {
                            sqlite3_bind_null(s, p + i)
                            return
                        }
                        // Static: the batch outlives the step.
                        sqlite3_bind_text(
                            s, p + i, UnsafeRawPointer(value.0).assumingMemoryBound(to: CChar.self), value.1, nil)
                    }
                    func integer(_ i: Int32, _ value: Int64?) {
                        if let value { sqlite3_bind_int64(s, p + i, value) } else { sqlite3_bind_null(s, p + i) }
                    }
                    text(1, (kind.storedName.utf8Start, Int32(kind.storedName.utf8CodeUnitCount)))
                    text(2, nextText())  // name
                    text(3, nextText())  // label
                    integer(4, startNs)
                    integer(5, endNs)
                    text(6, nextText())  // service
                    integer(7, failed)
                    integer(8, startRow)
                    integer(9, endRow)
                    text(10, nextText())  // keys
                    text(11, nextText())  // trace_id
                    text(12, nextText())  // span_id
                    text(13, nextText())  // note
                }
                let code = sqlite3_step(s)
                guard code == SQLITE_DONE else {
                    throw DatabaseError(
                        resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                }
                // One statement's new row IDs are consecutive, ending at the last one.
                let last = db.lastInsertedRowID
                for (r, kind) in kinds.enumerated() { stored(index + r, last - Int64(rows - 1 - r), kind) }
                index += rows
            }
        }
    }
}

extension LogInterval.Kind {
    /// The stored spelling as static text (bound without a copy).
    fileprivate var storedName: StaticString {
        switch self {
        case .pair: "pair"
        case .duration: "duration"
        case .unfinished: "unfinished"
        case .endWithoutStart: "end_without_start"
        }
    }
}
