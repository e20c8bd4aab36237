// Every query tracedoctor sends to ClickHouse (docs/clickhouse.md shows them with their settings).
// Values travel as `{name:Type}` parameters, never spliced in; table names are checked identifiers.
//
// Sharding: the exporter's tables are sharded by TraceId on a cluster (cityHash64(TraceId)), so each
// trace lives on one shard. The `TraceId IN (subquery)` below is evaluated with
// `distributed_product_mode = 'local'`: on a Distributed table each shard reads the subquery from its
// own local table: no GLOBAL broadcast of IDs, and correct because a trace never spans shards.

import TraceDoctorCore

enum ClickHouseQueries {
    /// `SpanKind` as the exporter wrote it (`Server` since v0.99, `SPAN_KIND_SERVER` before) → the
    /// OTLP number.
    static let kind = """
        multiIf(SpanKind IN ('Internal', 'SPAN_KIND_INTERNAL'), 1, SpanKind IN ('Server', 'SPAN_KIND_SERVER'), 2, \
        SpanKind IN ('Client', 'SPAN_KIND_CLIENT'), 3, SpanKind IN ('Producer', 'SPAN_KIND_PRODUCER'), 4, \
        SpanKind IN ('Consumer', 'SPAN_KIND_CONSUMER'), 5, 0)
        """

    /// `StatusCode` in either spelling → 0 unset, 1 ok, 2 error.
    static let status = """
        multiIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 2, StatusCode IN ('Ok', 'STATUS_CODE_OK'), 1, 0)
        """

    /// The columns of `system.columns` for the tables used.
    static let columns = """
        SELECT table, name, type FROM system.columns
        WHERE database = {database:String} AND table IN ({traces:String}, {logs:String}, {ids:String})
        FORMAT TabSeparated
        """

    /// The window's size: spans and traces (chooses how many ranges of trace IDs to read in).
    static func windowCount(traces: String, service: Bool) -> String {
        """
        SELECT count(), uniq(TraceId) FROM \(traces)
        WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})
          AND TraceId != ''\(service ? " AND ServiceName = {service:String}" : "")
        FORMAT TabSeparated
        """
    }

    /// The traces with a span in `[since, until)` (of `service`, when given) and a TraceId in
    /// `[lo, hi)` (hex order is ID order), all their spans within the widened window, sorted by trace.
    /// One row a span, only what the analysis reads: the peer attributes only for CLIENT and
    /// PRODUCER spans, the FOLLOWS_FROM test done here.
    static func spans(traces: String, service: Bool, upperBound: Bool) -> String {
        spans(traces: traces, service: service, idFilter: "TraceId >= {lo:String}" + (upperBound ? " AND TraceId < {hi:String}" : ""))
    }

    /// The same for one trace (`{trace:String}`).
    static func spans(traces: String, ofTrace: Void) -> String {
        spans(traces: traces, service: false, idFilter: "TraceId = {trace:String}")
    }

    /// Up to 11 trace IDs starting with `{prefix:String}` with a span in the window.
    static func traceIDs(traces: String) -> String {
        """
        SELECT DISTINCT TraceId FROM \(traces)
        WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})
          AND startsWith(TraceId, {prefix:String})
        ORDER BY TraceId LIMIT 11
        FORMAT TabSeparated
        """
    }

    /// The number of gaps of one parent (`covered`: its children's intervals clipped to it and
    /// sorted; `s`, `e`: its own), by the rule of `gaps`: a stretch no child covers of at least
    /// `min_gap` and `min_gap_share` of the parent. Shared by `stats --in-database` and the push-down.
    static let gapCount = """
        arrayFold((acc, x) -> (greatest(acc.1, x.2),
              acc.2 + if(x.1 - acc.1 > 0 AND x.1 - acc.1 >= {min_gap:Int64}
                         AND (x.1 - acc.1) >= {min_gap_share:Float64} * (e - s), 1, 0)),
            covered, (s, toUInt64(0))) AS folded,
          folded.2 + if(e - folded.1 > 0 AND e - folded.1 >= {min_gap:Int64}
                        AND (e - folded.1) >= {min_gap_share:Float64} * (e - s), 1, 0) AS gaps
        """

    /// The messaging attributes the queue diagnoses read (`SpanMessaging`: the first non-empty key
    /// of each field), for CONSUMER, PRODUCER, CLIENT spans and roots, as the SQLite store reads them.
    static let messaging: String = {
        func first(_ keys: [String]) -> String {
            guard keys.count > 1 else { return "SpanAttributes['\(keys[0])']" }
            let cases = keys.dropLast().map { "SpanAttributes['\($0)'] != '', SpanAttributes['\($0)']" }
            return "multiIf(" + cases.joined(separator: ", ") + ", SpanAttributes['\(keys.last!)'])"
        }
        let fields = [
            SpanMessaging.systemKeys, SpanMessaging.destinationKeys, SpanMessaging.messageIDKeys, SpanMessaging.taskNameKeys,
        ]
        return fields.map { "if(kind IN (3, 4, 5) OR ParentSpanId = '', \(first($0)), '')" }.joined(separator: ", ")
    }()

    static func spans(traces: String, service: Bool, idFilter idRange: String) -> String {
        return """
            SELECT TraceId, SpanId, ParentSpanId, SpanName, \(kind) AS kind, ServiceName,
              multiIf(mapContains(ResourceAttributes, 'host.name'), ResourceAttributes['host.name'],
                      mapContains(ResourceAttributes, 'ip'), ResourceAttributes['ip'], ResourceAttributes['hostname']),
              ResourceAttributes['service.instance.id'], ResourceAttributes['process.pid'],
              toUnixTimestamp64Nano(Timestamp), Duration, \(status),
              ParentSpanId != '' AND arrayExists((s, a) -> s = ParentSpanId AND a['opentracing.ref_type'] = 'follows_from',
                                                 Links.SpanId, Links.Attributes),
              if(kind IN (3, 4), SpanAttributes['peer.service'], ''), if(kind IN (3, 4), SpanAttributes['server.address'], ''),
              if(kind IN (3, 4), SpanAttributes['net.peer.name'], ''), if(kind IN (3, 4), SpanAttributes['url.full'], ''),
              if(kind IN (3, 4), SpanAttributes['http.url'], ''),
              \(messaging),
              arrayStringConcat(arrayFilter(x -> x != '',
                arrayMap((t, s) -> if(s = ParentSpanId OR t = '' OR s = '', '', concat(t, ':', s)), Links.TraceId, Links.SpanId)), ',')
            FROM \(traces)
            WHERE Timestamp >= fromUnixTimestamp64Nano({read_since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({read_until:Int64})
              AND \(idRange)
              AND TraceId IN (
                SELECT TraceId FROM \(traces)
                WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})
                  AND \(idRange) AND TraceId != ''\(service ? " AND ServiceName = {service:String}" : ""))
            ORDER BY TraceId, Timestamp, SpanId
            SETTINGS distributed_product_mode = 'local'
            FORMAT TabSeparated
            """
    }

    /// The log lines without trace context in the widened window that may name a message or task
    /// ID (`MessageLogPatterns`): service, time, body and the ID fields.
    static func messageLogs(logs: String) -> String {
        let likes = MessageLogPatterns.bodyPatterns.map { "Body LIKE '%\($0.prefix)%[%]%'" }
            + MessageLogPatterns.fields.map { "mapContains(LogAttributes, '\($0)')" }
        return """
            SELECT ServiceName, toUnixTimestamp64Nano(Timestamp), Body, \(MessageLogPatterns.fields.map { "LogAttributes['\($0)']" }.joined(separator: ", "))
            FROM \(logs)
            WHERE Timestamp >= fromUnixTimestamp64Nano({read_since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({read_until:Int64})
              AND TraceId = '' AND (\(likes.joined(separator: " OR ")))
            FORMAT TabSeparated
            """
    }

    /// The log lines in the window: IDs, service and time (what the quality metrics join).
    static func logs(logs: String, service: Bool) -> String {
        """
        SELECT TraceId, SpanId, ServiceName, toUnixTimestamp64Nano(Timestamp) FROM \(logs)
        WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})\
        \(service ? " AND ServiceName = {service:String}" : "")
        FORMAT TabSeparated
        """
    }
}

extension ClickHouseQueries {
    /// Whole spans of the traces `{ids:Array(String)}` in `[read_since, read_until)`, as the exporter
    /// stored them (attributes, events, links), for a copy into a local database.
    static func fullSpans(traces: String) -> String {
        """
        SELECT TraceId, SpanId, ParentSpanId, TraceState, SpanName, \(kind) AS kind, ServiceName,
          ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes,
          toString(toUnixTimestamp64Nano(Timestamp)) AS start, toString(toUnixTimestamp64Nano(Timestamp) + Duration) AS end,
          \(status) AS status, StatusMessage,
          arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS event_times, Events.Name AS event_names,
          Events.Attributes AS event_attributes,
          Links.TraceId AS link_traces, Links.SpanId AS link_spans, Links.TraceState AS link_states,
          Links.Attributes AS link_attributes
        FROM \(traces)
        WHERE Timestamp >= fromUnixTimestamp64Nano({read_since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({read_until:Int64})
          AND TraceId IN {ids:Array(String)}
        ORDER BY TraceId, Timestamp, SpanId
        FORMAT JSONEachRow
        """
    }

    /// Log lines of the traces `{ids:Array(String)}`, and the lines without a trace ID of
    /// `{services:Array(String)}`, in `[read_since, read_until)`.
    static func fullLogs(logs: String) -> String {
        """
        SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS time, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber,
          ServiceName, Body, ResourceAttributes, ScopeName, ScopeVersion, LogAttributes
        FROM \(logs)
        WHERE Timestamp >= fromUnixTimestamp64Nano({read_since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({read_until:Int64})
          AND (TraceId IN {ids:Array(String)} OR (TraceId = '' AND ServiceName IN {services:Array(String)}))
        ORDER BY Timestamp
        FORMAT JSONEachRow
        """
    }

    /// Up to 500 other traces with a span running at some time in `[{start}, {end}]` (a span
    /// running then started at most an hour before, as the local database's lookup assumes).
    static func neighbours(traces: String) -> String {
        """
        SELECT DISTINCT TraceId FROM \(traces)
        WHERE Timestamp >= fromUnixTimestamp64Nano({start:Int64} - 3600000000000) AND Timestamp <= fromUnixTimestamp64Nano({end:Int64})
          AND toUnixTimestamp64Nano(Timestamp) + Duration >= {start:Int64} AND TraceId != {trace:String} AND TraceId != ''
        LIMIT 500
        FORMAT TabSeparated
        """
    }
}

extension ClickHouseQueries {
    /// Up to `{limit}` traces with a span in the window (of `{service}` when given), in ID order.
    static func someTraceIDs(traces: String, service: Bool) -> String {
        """
        SELECT DISTINCT TraceId FROM \(traces)
        WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})
          AND TraceId != ''\(service ? " AND ServiceName = {service:String}" : "")
        ORDER BY TraceId LIMIT {limit:UInt64}
        FORMAT TabSeparated
        """
    }
}

extension ClickHouseQueries {
    /// The first and last span start (whole seconds) of the traces `{ids:Array(String)}`, from the
    /// exporter's lookup table (`otel_traces_trace_id_ts`, ordered by TraceId: a point read).
    static func traceTimes(ids: String) -> String {
        """
        SELECT toUnixTimestamp(min(Start)), toUnixTimestamp(max(End)), count() FROM \(ids)
        WHERE TraceId IN {ids:Array(String)}
        FORMAT TabSeparated
        """
    }
}

extension ClickHouseQueries {
    /// The window's traces with their spans' IDs, kinds and times (the base of the in-database
    /// aggregation).
    static func windowSpans(traces: String, service: Bool) -> String {
        windowRows(traces: traces, service: service, columns: "TraceId, SpanId, ParentSpanId, \(kind) AS kind, \(startEnd)")
    }

    /// `stats --in-database`: per trace, `groupArray` of (SpanId, ParentSpanId) and `arrayCount` of
    /// the parents not in the trace (`has`); per span with children, its children's intervals clamped
    /// to it, sorted (`arraySort`) and folded (`arrayFold`) into the uncovered holes that pass the
    /// thresholds; children outside their parent. One row of sums comes back.
    static func inDatabaseStats(traces: String, service: Bool) -> String {
        let spans = windowSpans(traces: traces, service: service)
        return """
            WITH
              per_trace AS (
                SELECT TraceId, count() AS spans, countIf(ParentSpanId = '') AS roots,
                  groupArray(SpanId) AS ids, groupArray(ParentSpanId) AS parents, groupArray(kind) AS kinds,
                  arrayCount(p -> p != '' AND NOT has(ids, p), parents) AS orphans,
                  arrayCount((p, k) -> p != '' AND NOT has(ids, p) AND k IN (2, 5), parents, kinds) AS entry_orphans
                FROM (\(spans)) GROUP BY TraceId
              ),
              per_parent AS (
                SELECT p.TraceId AS trace, p.SpanId AS span, any(p.s) AS s, any(p.e) AS e,
                  arraySort(arrayFilter(x -> x.2 > x.1,
                    groupArray((greatest(c.s, p.s), least(c.e, p.e))))) AS covered,
                  countIf(c.s < p.s) AS before, countIf(c.e > p.e) AS after
                FROM (\(spans)) AS p INNER JOIN (\(spans)) AS c ON c.TraceId = p.TraceId AND c.ParentSpanId = p.SpanId
                GROUP BY p.TraceId, p.SpanId
              ),
              holes AS (
                SELECT trace, before, after,
                  \(gapCount)
                FROM per_parent
              )
            SELECT
              (SELECT count() FROM per_trace), (SELECT sum(spans) FROM per_trace),
              (SELECT countIf(roots > 1) FROM per_trace),
              (SELECT sum(if(roots = 0, orphans - entry_orphans, orphans)) FROM per_trace),
              (SELECT sum(if(roots = 0, entry_orphans, 0)) FROM per_trace),
              (SELECT countIf(roots = 1 AND orphans = 0) FROM per_trace),
              (SELECT sum(gaps) FROM holes), (SELECT sum(before) FROM holes), (SELECT sum(after) FROM holes)
            SETTINGS distributed_product_mode = 'local'
            FORMAT TabSeparated
            """
    }
}
