// The links and messaging attributes of a span, read from the JSON the store keeps
// (`[{"trace_id":…,"span_id":…,…},…]` and a flat attributes object), for the queue diagnoses.

import Foundation

enum SpanLinkParser {
    /// The (trace, span) pairs of a links array, in order; links without both IDs are skipped.
    static func links(_ json: UnsafeRawBufferPointer) -> [SpanLink] {
        let bytes = Array(json)
        let traceKey = Array("\"trace_id\":\"".utf8)
        let spanKey = Array("\"span_id\":\"".utf8)
        var found: [SpanLink] = []
        var i = 0
        func find(_ key: [UInt8], from start: Int) -> Int? {
            guard bytes.count >= key.count else { return nil }
            var j = start
            while j + key.count <= bytes.count {
                if bytes[j] == key[0] && Array(bytes[j..<(j + key.count)]) == key { return j + key.count }
                j += 1
            }
            return nil
        }
        while let t = find(traceKey, from: i) {
            guard t + 32 <= bytes.count, let traceID = TraceID(hex: String(decoding: bytes[t..<(t + 32)], as: UTF8.self))
            else {
                i = t
                continue
            }
            // The span ID of the same link object: before the object closes.
            let close = bytes[t...].firstIndex(of: UInt8(ascii: "}")) ?? bytes.count
            if let s = find(spanKey, from: t), s + 16 <= close,
                let spanID = SpanID(hex: String(decoding: bytes[s..<(s + 16)], as: UTF8.self)), !spanID.isZero,
                !traceID.isZero
            {
                found.append(SpanLink(traceID: traceID, spanID: spanID))
            }
            i = t + 32
        }
        return found
    }

    /// A cheap test before parsing: does the attributes text name any key `SpanMessaging` reads?
    /// One pass from quote to quote (`memchr`), comparing what follows each with the key prefixes.
    static func mayHoldMessaging(_ json: UnsafeRawBufferPointer) -> Bool {
        guard json.count > 2, let base = json.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        let n = json.count
        var i = 0
        while i < n, let hit = memchr(base + i, Int32(UInt8(ascii: "\"")), n - i) {
            let q = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            for prefix in keyPrefixes where q + 1 + prefix.count <= n {
                if memcmp(base + q + 1, prefix, prefix.count) == 0 { return true }
            }
            i = q + 1
        }
        return false
    }

    /// The beginnings of the keys `SpanMessaging` reads.
    private static let keyPrefixes: [[UInt8]] = ["messaging.", "kafka.topic\"", "celery.task_"].map { Array($0.utf8) }

    /// The messaging attributes of a flat attributes object.
    static func messaging(_ json: UnsafeRawBufferPointer) -> SpanMessaging {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            return SpanMessaging()
        }
        return SpanMessaging(attributes: object)
    }
}
