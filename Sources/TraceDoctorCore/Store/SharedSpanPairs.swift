// Zipkin's B3 lets a server join the span its client started, so a CLIENT and a SERVER span
// arrive with one span ID (the server's marked `"shared": true`, though not every tracer says
// so). tracedoctor keeps both spans and, as Jaeger's span-ID uniquifier does, gives the server
// half its own ID with the client as its parent, moving the shared ID's children under the
// server half: they ran in the server. The dump's ID stays in `original_span_id`.
//
// Why here and not in the reader: which IDs are shared is only known once the whole file is
// read (py-zipkin reports a server's children before the server span itself), and a streaming
// reader cannot revisit a span it has passed on. Inside the file's transaction, with the file's
// rows in place, it is one query and a few indexed updates per shared ID; nothing outside this
// file's rows is touched.

import GRDB

enum SharedSpanPairs {
    /// Separates the shared client/server pairs among the spans stored after row `firstRow`
    /// (one file's spans). Returns how many server halves got their own ID.
    ///
    /// - A SERVER span whose trace and span ID a CLIENT span of the file also has gets the ID
    ///   `serverSpanID(...)`, `original_span_id` = the shared ID and the shared ID (the client)
    ///   as parent. Jaeger does the same; without a CLIENT half nothing changes (a root SERVER
    ///   span marked shared by mistake, as Envoy does, stays a root).
    /// - A span of the file whose parent is the shared ID moves to the server half on its own
    ///   resource (the same host, port and service: Zipkin's rule when several servers answered
    ///   one client ID), else to the first server half (Jaeger's rule).
    static func separate(_ db: Database, after firstRow: Int64) throws -> Int {
        let servers = try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.trace_id, s.span_id, s.resource_id, r.fingerprint
                FROM spans AS s JOIN resources AS r ON r.id = s.resource_id
                WHERE s.id > ?1 AND s.kind = \(SpanKind.server.rawValue)
                  AND (s.trace_id, s.span_id) IN
                      (SELECT trace_id, span_id FROM spans WHERE id > ?1 AND kind = \(SpanKind.client.rawValue))
                ORDER BY s.id
                """, arguments: [firstRow])
        if servers.isEmpty { return 0 }

        let rename = try db.makeStatement(
            sql: "UPDATE spans SET original_span_id = span_id, parent_span_id = span_id, span_id = ? WHERE id = ?")
        var halves: [Pair: [(resource: Int64, id: String)]] = [:]
        var pairs: [Pair] = []
        for row in servers {
            let rowID: Int64 = row[0]
            let pair = Pair(trace: row[1], shared: row[2])
            let resource: Int64 = row[3]
            let fingerprint: Int64 = row[4]
            guard let traceID = TraceID(hex: pair.trace), let shared = SpanID(hex: pair.shared) else { continue }
            let id = serverSpanID(trace: traceID, shared: shared, resourceFingerprint: fingerprint).hex
            try rename.execute(arguments: [id, rowID])
            if halves[pair] == nil { pairs.append(pair) }
            halves[pair, default: []].append((resource, id))
        }

        let onSameResource = try db.makeStatement(
            sql: """
                UPDATE spans SET parent_span_id = ?1
                WHERE trace_id = ?2 AND parent_span_id = ?3 AND id > ?4 AND original_span_id IS NULL AND resource_id = ?5
                """)
        let onAnyResource = try db.makeStatement(
            sql: """
                UPDATE spans SET parent_span_id = ?1
                WHERE trace_id = ?2 AND parent_span_id = ?3 AND id > ?4 AND original_span_id IS NULL
                """)
        for pair in pairs {
            let servers = halves[pair]!
            if Set(servers.map(\.id)).count > 1 {
                for server in servers {
                    try onSameResource.execute(arguments: [server.id, pair.trace, pair.shared, firstRow, server.resource])
                }
            }
            try onAnyResource.execute(arguments: [servers[0].id, pair.trace, pair.shared, firstRow])
        }
        return servers.count
    }

    /// A shared span ID within its trace.
    private struct Pair: Hashable {
        var trace: String
        var shared: String
    }

    /// The server half's own ID: a hash of the trace, the shared ID and the server's resource,
    /// so that it is the same in every database and for every report of the same server span,
    /// and different for two servers that answered one client ID. (Jaeger counts up from the
    /// trace's largest ID instead, which needs the whole trace in memory.) A clash with another
    /// span ID of the trace has a probability of about n / 2^64.
    static func serverSpanID(trace: TraceID, shared: SpanID, resourceFingerprint: Int64) -> SpanID {
        var fields = (trace.high, trace.low, shared.value, UInt64(bitPattern: resourceFingerprint))
        var hasher = XXH64(seed: 0x7368_6172_6564)  // "shared"
        withUnsafeBytes(of: &fields) { hasher.update($0) }
        let value = hasher.finalize()
        return SpanID(value == 0 ? 1 : value)
    }
}
