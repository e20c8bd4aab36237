// The queries behind `orphans` and `gaps` with `--source`: ClickHouse finds the traces with
// something to report (and the traces the questions across traces need), and only their spans are
// fetched for the same Swift analysis. docs/clickhouse.md shows each one.
//
// Sharding: everything that compares spans of ONE trace (the self-join, `NOT IN` of a trace's own
// children, the window's `TraceId IN (subquery)`) runs with `distributed_product_mode = 'local'`, so
// each shard answers for its own traces. Questions across traces (a parent found in another trace,
// what was running when a fragment started, calls and the roots they may have started) never join
// two traces in ClickHouse: tracedoctor sends the few values it looks for as query parameters.

import TraceDoctorCore

extension ClickHouseQueries {
    /// The window's traces (a span in `[since, until)`, of `{service}` when given) and their spans in
    /// the widened window, as `columns`.
    static func windowRows(traces: String, service: Bool, columns: String) -> String {
        """
        SELECT \(columns)
        FROM \(traces)
        WHERE Timestamp >= fromUnixTimestamp64Nano({read_since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({read_until:Int64})
          AND TraceId IN (
            SELECT TraceId FROM \(traces)
            WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})
              AND TraceId != ''\(service ? " AND ServiceName = {service:String}" : ""))
        """
    }

    static let startEnd = """
        toInt64(toUnixTimestamp64Nano(Timestamp)) AS s, toInt64(toUnixTimestamp64Nano(Timestamp)) + toInt64(Duration) AS e
        """

    static let host = """
        multiIf(mapContains(ResourceAttributes, 'host.name'), ResourceAttributes['host.name'],
                mapContains(ResourceAttributes, 'ip'), ResourceAttributes['ip'], ResourceAttributes['hostname'])
        """

    /// How many traces the window holds and how many spans they have (what the reports' totals say).
    static func windowTotals(traces: String, service: Bool) -> String {
        """
        SELECT uniqExact(TraceId), count() FROM (
        \(windowRows(traces: traces, service: service, columns: "TraceId")))
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// The traces with something to say on their own, or that may be a fragment or send a message:
    /// more or fewer than one root, a parent not in the trace, a shared span ID, a root that is not
    /// SERVER or CONSUMER, a PRODUCER span without a SERVER or CONSUMER child, a root whose direct
    /// children (folded with `arrayFold` over `arraySort`ed intervals) cover less than
    /// `{min_coverage}`, a span whose children leave a hole above the gap thresholds, a child that
    /// starts before or ends after its parent (clock skew, asynchronous work, timing violations) or
    /// has its parent's very interval (the only shape a cycle with well-nested times can have).
    /// Every other trace has every child inside its parent, so skew adjustment leaves it alone, its
    /// root's descendants cover what its direct children cover, and the analysis finds nothing in it.
    static func flaggedTraces(traces: String, service: Bool) -> String {
        """
        \(traceShapes(traces: traces, service: service, listService: false))
        SELECT DISTINCT TraceId FROM (\(flagged))
        ORDER BY TraceId
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// `orphans` without reading the traces whose only findings are about time: the traces
    /// `flaggedTraces` names for something else than a hole above the gap thresholds or a root below
    /// `{min_coverage}` (more or fewer than one root, a missing parent, a shared span ID, a root that
    /// is not SERVER or CONSUMER, an unanswered PRODUCER, an odd child), one row each (`TraceId`),
    /// and one row with an empty ID summing, over all the others, their `unaccounted_time` holes and
    /// `low_coverage` roots, which is what the analysis counts for such a trace (every child inside its
    /// parent: no skew adjustment moves anything). Each `WITH` table is read once (a join, not a
    /// `UNION` of two reads).
    static func orphanTraces(traces: String, service: Bool) -> String {
        """
        \(traceShapes(traces: traces, service: service, listService: false)),
          per_trace_holes AS (SELECT trace, sum(gaps) AS g, sum(odd) AS o FROM holes GROUP BY trace),
          marked AS (
            SELECT r.TraceId AS TraceId,
              roots != 1 OR orphaned OR n != distinct_ids OR root_kind NOT IN (2, 5) OR sends OR h.o > 0 AS named,
              h.g AS g,
              re > rs AND uncovered >= {min_gap:Int64} AND (re - rs - uncovered) / (re - rs) < {min_coverage:Float64} AS low
            FROM per_root AS r LEFT JOIN per_trace_holes AS h ON h.trace = r.TraceId)
        SELECT if(named, TraceId, '') AS id, sum(g), countIf(low) FROM marked
        GROUP BY id ORDER BY id
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// The `WITH` clause behind `flaggedTraces` and `cleanListing`: per trace its roots, orphans,
    /// shared IDs, root kind, unanswered sends and the root's uncovered time (`per_root`), and per
    /// parent its children's holes and odd children (`holes`). With `listService`, `per_root.listed`
    /// says whether the trace has a span of `{list_service:String}`.
    /// With `roots`, `per_root.root_service` and `root_name` name the root (of a trace with one).
    static func traceShapes(traces: String, service: Bool, listService: Bool, special: Bool = false, roots: Bool = false) -> String {
        let messagingKeys = (SpanMessaging.systemKeys + SpanMessaging.destinationKeys + SpanMessaging.messageIDKeys
            + SpanMessaging.taskNameKeys).map { "'\($0)'" }.joined(separator: ", ")
        let extra =
            (listService ? ", ServiceName" : "")
            + (special
                ? ", length(Links.TraceId) AS links, kind IN (4, 5) OR (kind = 3 AND arrayExists(k -> SpanAttributes[k] != '', [\(messagingKeys)])) AS handoff"
                : "")
            + (roots ? ", ServiceName AS service_name, SpanName AS span_name" : "")
        let spans = windowRows(
            traces: traces, service: service, columns: "TraceId, SpanId, ParentSpanId, \(kind) AS kind, \(startEnd)\(extra)")
        let listed =
            (listService ? "countIf(ServiceName = {list_service:String}) > 0" : "1") + " AS listed"
            + (special ? ", sum(links) > 0 OR countIf(handoff) > 0 OR count() >= \(ExplainWaterfall.hugeTraceSpans) AS special" : "")
            + (roots
                ? ", anyIf(service_name, ParentSpanId = '') AS root_service, anyIf(span_name, ParentSpanId = '') AS root_name" : "")
        return """
            WITH
              per_trace AS (
                SELECT TraceId, count() AS n, countIf(ParentSpanId = '') AS roots, uniqExact(SpanId) AS distinct_ids,
                  groupArray(SpanId) AS ids, groupArray(ParentSpanId) AS parents, groupArray(kind) AS kinds,
                  arrayExists(p -> p != '' AND NOT has(ids, p), parents) AS orphaned,
                  NOT hasAll(arrayFilter((p, k) -> k IN (2, 5), parents, kinds), arrayFilter((i, k) -> k = 4, ids, kinds)) AS sends,
                  anyIf(kind, ParentSpanId = '') AS root_kind, anyIf(SpanId, ParentSpanId = '') AS root,
                  anyIf(s, ParentSpanId = '') AS rs, anyIf(e, ParentSpanId = '') AS re,
                  groupArray((ParentSpanId, s, e)) AS intervals, \(listed)
                FROM (\(spans)) GROUP BY TraceId
              ),
              per_root AS (
                SELECT TraceId, roots, n, distinct_ids, orphaned, sends, root_kind, rs, re, listed,\(special ? " special," : "")\(
                  roots ? " root_service, root_name," : "")
                  arrayFold((acc, x) -> (greatest(acc.1, x.2), acc.2 + greatest(x.1 - acc.1, toInt64(0))),
                    arraySort(arrayFilter(x -> x.2 > x.1,
                      arrayMap(x -> (greatest(x.2, rs), least(x.3, re)), arrayFilter(x -> x.1 = root, intervals)))),
                    (rs, toInt64(0))) AS folded,
                  folded.2 + greatest(re - folded.1, toInt64(0)) AS uncovered
                FROM per_trace
              ),
              per_parent AS (
                SELECT p.TraceId AS trace, any(p.s) AS s, any(p.e) AS e,
                  arraySort(arrayFilter(x -> x.2 > x.1,
                    groupArray((greatest(c.s, p.s), least(c.e, p.e))))) AS covered,
                  countIf(c.s < p.s OR c.e > p.e OR (c.s = p.s AND c.e = p.e)) AS odd
                FROM (\(spans)) AS p INNER JOIN (\(spans)) AS c ON c.TraceId = p.TraceId AND c.ParentSpanId = p.SpanId
                GROUP BY p.TraceId, p.SpanId
              ),
              holes AS (
                SELECT trace, odd,
                  \(gapCount)
                FROM per_parent
              )
            """
    }

    /// The traces `flaggedTraces` names (with repeats), over the `traceShapes` clause.
    static let flagged = """
        SELECT TraceId FROM per_root
        WHERE roots != 1 OR orphaned OR n != distinct_ids OR root_kind NOT IN (2, 5) OR sends
           OR (re > rs AND uncovered >= {min_gap:Int64} AND (re - rs - uncovered) / (re - rs) < {min_coverage:Float64})
        UNION ALL
        SELECT trace AS TraceId FROM holes WHERE gaps > 0 OR odd > 0
        """

    /// `traces` without reading the traces it does not show. The traces `flaggedTraces` does not name
    /// have one root at their earliest start and latest end and nothing else to say: their summary's
    /// start, duration and coverage are the root's `rs`, `re − rs` and its direct children's cover,
    /// exactly as the analysis computes them. Of those (with a span of `{list_service}` when
    /// `listService`): how many, the earliest and the latest (start, then ID), and the first `limit`
    /// in the listing's order (`sort`, then start, then ID), one row each:
    /// `count, earliest, latest, trace` (one row with an empty trace when there are none).
    static func cleanListing(traces: String, sort: String, listService: Bool, limit: Int) -> String {
        let key: String
        switch sort {
        case "duration": key = "-(re - rs)"
        case "coverage": key = "if(re > rs, (re - rs - uncovered) / (re - rs), toFloat64(2))"
        default: key = "toInt64(0)"
        }
        return """
            \(traceShapes(traces: traces, service: false, listService: listService)),
              clean AS (
                SELECT TraceId, rs, leftPad(lower(TraceId), 32, '0') AS pid, \(key) AS k
                FROM per_root WHERE listed AND TraceId NOT IN (\(flagged))
              )
            SELECT n, earliest, latest, t.4 FROM (
              SELECT count() AS n, argMin(TraceId, (rs, pid)) AS earliest, argMax(TraceId, (rs, pid)) AS latest,
                groupArraySorted(\(max(1, limit)))((k, rs, pid, TraceId)) AS top
              FROM clean)
            LEFT ARRAY JOIN top AS t
            SETTINGS distributed_product_mode = 'local'
            FORMAT TabSeparated
            """
    }

    /// `stats` without reading every trace. The traces `flaggedTraces` does not name count as the
    /// analysis counts them — complete, every span but the root with its parent there, one root
    /// with a coverage — unless they are `special`: with a span link, a PRODUCER, CONSUMER or
    /// messaging CLIENT span (asynchronous hand-offs and what they are matched against), or huge
    /// (named by the report); those are read. `part`: `specials` (their IDs), `totals` (how many of
    /// the others not in `{fetched:Array(String)}`, their spans, those with a duration) or `coverage`
    /// (the others' root coverages in ascending order, `{count}` from `{offset}`).
    static func cleanStats(traces: String, service: Bool, part: String) -> String {
        let select: String
        switch part {
        case "specials": select = "SELECT TraceId FROM clean WHERE special ORDER BY TraceId"
        case "totals":
            select = "SELECT count(), sum(n), countIf(re > rs) FROM clean WHERE NOT special AND TraceId NOT IN {fetched:Array(String)}"
        default:
            select = """
                SELECT (re - rs - uncovered) / (re - rs) AS coverage FROM clean
                WHERE NOT special AND re > rs AND TraceId NOT IN {fetched:Array(String)}
                ORDER BY coverage LIMIT {count:UInt64} OFFSET {offset:UInt64}
                """
        }
        return """
            \(traceShapes(traces: traces, service: service, listService: false, special: true)),
              clean AS (SELECT TraceId, n, rs, re, uncovered, special FROM per_root WHERE TraceId NOT IN (\(flagged)))
            \(select)
            SETTINGS distributed_product_mode = 'local'
            FORMAT TabSeparated
            """
    }

    /// `check` without reading every trace: what the traces `stats` counts without reading them
    /// (`cleanStats`' others, not in `{fetched:Array(String)}`) add to the rules on roots. Each has
    /// one root, no `unaccounted_time` (its share is 0) and a coverage `c` when it has a duration; the
    /// `coverage` rule weighs it when `(1 − c) · duration` is not below `{min_gap}` (the same Float64
    /// arithmetic as the rule) against its operation's limit (`{limit_operations}`/`{limit_services}`
    /// overrides, else `{limit:Float64}`). `part`: `examples` (the `{examples}` lowest below their
    /// limit, by coverage then trace ID: they are read, so the rule's examples are the analysis's)
    /// or `roots` (per root operation: roots, with a duration, weighed, below the limit, the lowest
    /// weighed coverage, and for the nearest-rank median and p10 of the coverages merged with the `m`
    /// read roots of the operation (`{read_services}`/`{read_names}`/`{read_counts}`) the offset of
    /// the window of `m + 1` sorted values holding the rank, and that window).
    static func cleanCheck(traces: String, service: Bool, part: String) -> String {
        let limit = """
            multiIf(has({limit_operations:Array(String)}, root_name),
                      arrayElement({operation_limits:Array(Float64)}, indexOf({limit_operations:Array(String)}, root_name)),
                    has({limit_services:Array(String)}, root_service),
                      arrayElement({service_limits:Array(Float64)}, indexOf({limit_services:Array(String)}, root_service)),
                    {limit:Float64})
            """
        let select: String
        if part == "examples" {
            select = """
                SELECT TraceId FROM unread WHERE weighed AND c < lim
                ORDER BY c, leftPad(lower(TraceId), 32, '0') LIMIT {examples:UInt64}
                """
        } else {
            func window(_ p: String, _ name: String) -> String {
                """
                greatest(toInt64(0), greatest(toInt64(1), least(m + d, toInt64(ceil(\(p) * toFloat64(m + d))))) - m - 1) AS \(name),
                    arraySlice(v, \(name) + 1, m + 1)
                """
            }
            select = """
                SELECT root_service, root_name, roots, d, w, below, lowest, \(window("0.5", "o50")), \(window("0.1", "o10"))
                FROM (
                  SELECT root_service, root_name, count() AS roots, toInt64(countIf(re > rs)) AS d, countIf(weighed) AS w,
                    countIf(weighed AND c < lim) AS below, minIf(c, weighed) AS lowest,
                    arraySort(groupArrayIf(c, re > rs)) AS v,
                    arrayFirstIndex((x, y) -> x = root_service AND y = root_name,
                      {read_services:Array(String)}, {read_names:Array(String)}) AS mi,
                    if(mi = 0, toInt64(0), arrayElement({read_counts:Array(Int64)}, mi)) AS m
                  FROM unread GROUP BY root_service, root_name)
                ORDER BY root_service, root_name
                """
        }
        return """
            \(traceShapes(traces: traces, service: service, listService: false, special: true, roots: true)),
              unread AS (
                SELECT TraceId, root_service, root_name, rs, re, (re - rs - uncovered) / (re - rs) AS c,
                  re > rs AND NOT ((1 - c) * toFloat64(re - rs) < toFloat64({min_gap:Int64})) AS weighed, \(limit) AS lim
                FROM per_root
                WHERE NOT special AND TraceId NOT IN {fetched:Array(String)} AND TraceId NOT IN (\(flagged)))
            \(select)
            SETTINGS distributed_product_mode = 'local'
            FORMAT TabSeparated
            """
    }

    /// Which of `{names:Array(String)}` (the services a policy requires) have a span in the window.
    static func servicesPresent(traces: String, service: Bool) -> String {
        """
        SELECT DISTINCT ServiceName FROM (
        \(windowRows(traces: traces, service: service, columns: "ServiceName")))
        WHERE ServiceName IN {names:Array(String)}
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// The spans the analysis reads of the traces `{ids:Array(String)}` (of the window), sorted by
    /// trace as query 3 returns them.
    static func spans(traces: String, ofTraces: Void) -> String {
        spans(traces: traces, service: false, idFilter: "TraceId IN {ids:Array(String)}")
    }

    /// The window's traces with a span linking into one of the traces `{ids:Array(String)}`.
    static func tracesLinkingInto(traces: String, service: Bool) -> String {
        """
        SELECT DISTINCT TraceId FROM (
        \(windowRows(traces: traces, service: service, columns: "TraceId, Links.TraceId AS linked")))
        WHERE hasAny(linked, {ids:Array(String)})
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// The window's traces holding a span whose ID is in `{ids:Array(String)}` (where a missing
    /// parent went).
    static func tracesHoldingSpans(traces: String, service: Bool) -> String {
        """
        SELECT DISTINCT TraceId FROM (
        \(windowRows(traces: traces, service: service, columns: "TraceId, SpanId")))
        WHERE SpanId IN {ids:Array(String)}
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// The window's traces with a span of service `{services}[k]` running at `{times}[k]` (start
    /// ≤ t ≤ end) for some k: the suspected parents of fragments.
    static func tracesRunningAt(traces: String, service: Bool) -> String {
        """
        SELECT DISTINCT TraceId FROM (
        \(windowRows(traces: traces, service: service, columns: "TraceId, ServiceName, \(startEnd)")))
        WHERE ServiceName IN {services:Array(String)} AND s <= {latest:Int64}
          AND arrayExists((v, t) -> v = ServiceName AND s <= t AND t <= e, {services:Array(String)}, {times:Array(Int64)})
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// The window's traces whose root may continue a message sent in `[{from}, {to}]` (a root that is
    /// not SERVER or PRODUCER, starting then).
    static func messageRootTraces(traces: String, service: Bool) -> String {
        """
        SELECT DISTINCT TraceId FROM (
        \(windowRows(traces: traces, service: service, columns: "TraceId, ParentSpanId, \(kind) AS kind, \(startEnd)")))
        WHERE ParentSpanId = '' AND kind NOT IN (2, 4) AND s >= {from:Int64} AND s <= {to:Int64}
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// The names SERVER and CONSUMER roots answer to (service and host, lower case).
    static func entryKeys(traces: String, service: Bool) -> String {
        """
        SELECT DISTINCT lower(ServiceName), lower(host) FROM (
        \(windowRows(traces: traces, service: service, columns: "ParentSpanId, ServiceName, \(kind) AS kind, \(host) AS host")))
        WHERE ParentSpanId = '' AND kind IN (2, 5)
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// A peer attribute as the analysis takes it: empty when it holds a backslash.
    static func peer(_ key: String) -> String { "if(position(SpanAttributes['\(key)'], '\\\\') > 0, '', SpanAttributes['\(key)'])" }

    /// CLIENT and PRODUCER spans without a SERVER or CONSUMER child in their trace that may name
    /// one of `{keys:Array(String)}` (a word of a peer attribute, or its first DNS label), or name no
    /// peer at all.
    static func unansweredCalls(traces: String, service: Bool) -> String {
        let columns = """
            TraceId, SpanId, ParentSpanId, SpanName, \(kind) AS kind, ServiceName, \(host) AS host,
            ResourceAttributes['service.instance.id'] AS instance, ResourceAttributes['process.pid'] AS pid, \(startEnd),
            \(peer("peer.service")) AS a, \(peer("server.address")) AS b, \(peer("net.peer.name")) AS c,
            \(peer("url.full")) AS d, \(peer("http.url")) AS f
            """
        return """
            SELECT TraceId, SpanId, SpanName, kind, ServiceName, host, instance, pid, s, e, a, b, c, d, f FROM (
            \(windowRows(traces: traces, service: service, columns: columns)))
            WHERE kind IN (3, 4)
              AND (TraceId, SpanId) NOT IN (
                SELECT TraceId, ParentSpanId FROM (
                \(windowRows(traces: traces, service: service, columns: "TraceId, ParentSpanId, \(kind) AS kind")))
                WHERE kind IN (2, 5))
              AND ((a = '' AND b = '' AND c = '')
                OR arrayExists(w -> w != '' AND (has({keys:Array(String)}, w) OR has({keys:Array(String)}, splitByChar('.', w)[1])),
                     arrayConcat([lower(a), lower(b), lower(c)], splitByRegexp('[^a-z0-9._-]+', lower(concat(a, ' ', b, ' ', c, ' ', d, ' ', f))))))
            SETTINGS distributed_product_mode = 'local'
            FORMAT TabSeparated
            """
    }

    /// SERVER and CONSUMER roots whose service or host is in `{keys:Array(String)}` or that started
    /// inside one of `{during:Array(Tuple(Int64, Int64))}` (calls naming no peer).
    static func entryRoots(traces: String, service: Bool) -> String {
        let columns = """
            TraceId, SpanId, ParentSpanId, SpanName, \(kind) AS kind, ServiceName, \(host) AS host,
            ResourceAttributes['service.instance.id'] AS instance, ResourceAttributes['process.pid'] AS pid, \(startEnd)
            """
        return """
            SELECT TraceId, SpanId, SpanName, kind, ServiceName, host, instance, pid, s, e FROM (
            \(windowRows(traces: traces, service: service, columns: columns)))
            WHERE ParentSpanId = '' AND kind IN (2, 5)
              AND (lower(ServiceName) IN {keys:Array(String)} OR lower(host) IN {keys:Array(String)}
                OR arrayExists(x -> x.1 <= s AND s <= x.2, {during:Array(Tuple(Int64, Int64))}))
            SETTINGS distributed_product_mode = 'local'
            FORMAT TabSeparated
            """
    }

    /// The services whose log lines carry no trace ID in the window (the only ones `log_unlinked`
    /// needs the spans' times of).
    static func untracedLogServices(logs: String, service: Bool) -> String {
        """
        SELECT DISTINCT ServiceName FROM \(logs)
        WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})
          AND TraceId = ''\(service ? " AND ServiceName = {service:String}" : "")
        FORMAT TabSeparated
        """
    }

    /// When each of `{services:Array(String)}` had a span of the window running: the spans' intervals
    /// merged (a running maximum of the ends over the starts; a new interval where a start passes it).
    static func busyIntervals(traces: String, service: Bool) -> String {
        """
        SELECT ServiceName, min(s), max(e) FROM (
          SELECT ServiceName, s, e, sum(fresh) OVER (PARTITION BY ServiceName ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS run
          FROM (
            SELECT ServiceName, s, e,
              if(s > max(e) OVER (PARTITION BY ServiceName ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 1, 0) AS fresh
            FROM (
            \(windowRows(traces: traces, service: service, columns: "ServiceName, \(startEnd)")))
            WHERE ServiceName IN {services:Array(String)}))
        GROUP BY ServiceName, run
        ORDER BY ServiceName, min(s)
        SETTINGS distributed_product_mode = 'local'
        FORMAT TabSeparated
        """
    }

    /// The log lines of the window as the log linkage counts them: all, with a trace ID, with a trace
    /// ID of no trace of the window (64-bit IDs match 128-bit ones on their low half), with the ID of
    /// a span of the window, and without a trace ID while a span of their service was running
    /// (`{busy}[k]` are the intervals of `{services}[k]`).
    static func logCounts(traces: String, logs: String, service: Bool) -> String {
        let ids = """
            SELECT leftPad(TraceId, 32, '0') AS id FROM \(traces)
                  WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})
                    AND TraceId != ''\(service ? " AND ServiceName = {service:String}" : "")
            """
        return """
            SELECT count(), countIf(TraceId != ''),
              countIf(TraceId != '' AND NOT (
                id IN (\(ids))
                OR (startsWith(id, '0000000000000000') AND right(id, 16) IN (SELECT right(id, 16) FROM (\(ids))))
                OR right(id, 16) IN (SELECT right(id, 16) FROM (\(ids)) WHERE startsWith(id, '0000000000000000')))),
              countIf(TraceId != '' AND (TraceId, SpanId) IN (
                \(windowRows(traces: traces, service: service, columns: "TraceId, SpanId")))),
              countIf(TraceId = '' AND arrayExists(x -> x.1 <= t AND t <= x.2,
                arrayElement({busy:Array(Array(Tuple(Int64, Int64)))}, indexOf({services:Array(String)}, ServiceName))))
            FROM (
              SELECT TraceId, leftPad(lower(TraceId), 32, '0') AS id, SpanId, ServiceName, toInt64(toUnixTimestamp64Nano(Timestamp)) AS t
              FROM \(logs)
              WHERE Timestamp >= fromUnixTimestamp64Nano({since:Int64}) AND Timestamp < fromUnixTimestamp64Nano({until:Int64})\
            \(service ? " AND ServiceName = {service:String}" : ""))
            SETTINGS distributed_product_mode = 'local'
            FORMAT TabSeparated
            """
    }
}
