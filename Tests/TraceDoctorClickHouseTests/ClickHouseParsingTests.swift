// The parts of the ClickHouse source that need no server: the URL, the window's times, the
// TabSeparated reply, ClickHouse's error text, the ranges of trace IDs read.

import Foundation
import Testing
@testable import TraceDoctorClickHouse
import TraceDoctorCore

@Suite struct ClickHouseLocationTests {
    @Test func defaults() throws {
        let l = try ClickHouseLocation(parsing: "clickhouse://ch.internal/otel")
        #expect(l.user == "default" && l.host == "ch.internal" && l.port == 8123 && l.database == "otel" && !l.secure)
        #expect(l.display == "clickhouse://default@ch.internal:8123/otel")
        #expect(l.endpoint.absoluteString == "http://ch.internal:8123/")
    }

    @Test func tlsUserPortAndIPv6() throws {
        let l = try ClickHouseLocation(parsing: "clickhouses://reader@ch.example.com/logs")
        #expect(l.secure && l.port == 8443 && l.user == "reader")
        #expect(l.endpoint.absoluteString == "https://ch.example.com:8443/")
        let v6 = try ClickHouseLocation(parsing: "clickhouse://[::1]:9000/db")
        #expect(v6.host == "::1" && v6.port == 9000)
        #expect(v6.display == "clickhouse://default@[::1]:9000/db")
        #expect(try ClickHouseLocation(parsing: "CLICKHOUSE://h").database == "default")
    }

    @Test func refusesAPasswordAndBadPorts() {
        #expect(throws: TraceDoctorError.self) { try ClickHouseLocation(parsing: "clickhouse://u:secret@h/db") }
        do {
            _ = try ClickHouseLocation(parsing: "clickhouse://u:secret@h/db")
        } catch {
            #expect(!error.description.contains("secret"))
            #expect(error.exitCode == 64)
        }
        #expect(throws: TraceDoctorError.self) { try ClickHouseLocation(parsing: "clickhouse://h:99999/db") }
        #expect(throws: TraceDoctorError.self) { try ClickHouseLocation(parsing: "clickhouse:///db") }
        #expect(throws: TraceDoctorError.self) { try ClickHouseLocation(parsing: "http://h/db") }
        #expect(ClickHouseLocation.isClickHouse("clickhouses://h") && !ClickHouseLocation.isClickHouse("traces.json"))
    }
}

@Suite struct TimeArgumentTests {
    let now: Int64 = 1_796_290_000_000_000_000

    @Test func relative() {
        #expect(TimeArgument.parse("now", nowNs: now) == now)
        #expect(TimeArgument.parse("1h", nowNs: now) == now - 3_600_000_000_000)
        #expect(TimeArgument.parse("30m ago", nowNs: now) == now - 1_800_000_000_000)
        #expect(TimeArgument.parse("-90s", nowNs: now) == now - 90_000_000_000)
        #expect(TimeArgument.parse("2d", nowNs: now) == now - 2 * 86_400_000_000_000)
        #expect(TimeArgument.parse("1w", nowNs: now) == now - 7 * 86_400_000_000_000)
    }

    @Test func absolute() {
        #expect(TimeArgument.parse("1970-01-01", nowNs: now) == 0)
        #expect(TimeArgument.parse("2026-12-03T10:00:00Z", nowNs: now) == 1_796_292_000_000_000_000)
        #expect(TimeArgument.parse("2026-12-03 10:00:00", nowNs: now) == 1_796_292_000_000_000_000)
        #expect(TimeArgument.parse("2026-12-03T11:00:00+01:00", nowNs: now) == 1_796_292_000_000_000_000)
        #expect(TimeArgument.parse("2026-12-03T10:00:00.5Z", nowNs: now) == 1_796_292_000_500_000_000)
        #expect(TimeArgument.parse("2026-12-03T10:00", nowNs: now) == 1_796_292_000_000_000_000)
    }

    @Test func refused() {
        for text in ["yesterday", "2026-13-01", "2026-12-03T25:00:00Z", "1x", "", "2026-12-03T10:00:00Zjunk"] {
            #expect(TimeArgument.parse(text, nowNs: now) == nil, "\(text)")
        }
    }

    @Test func formatReadsBack() {
        for ns: Int64 in [0, 1_796_292_000_000_000_000, 1_796_292_000_500_000_000, 951_782_400_123_456_789] {
            #expect(TimeArgument.parse(TimeArgument.format(ns), nowNs: now) == ns, "\(TimeArgument.format(ns))")
        }
        #expect(TimeArgument.format(1_796_292_000_000_000_000) == "2026-12-03T10:00:00Z")
    }
}

@Suite struct ClickHouseReplyTests {
    @Test func tabSeparatedUnescapes() {
        var rows: [[String]] = []
        TabSeparated.forEachRow(Data("a\tb\\tc\td\\\\e\n\tx\\ny\n".utf8)) { rows.append($0) }
        #expect(rows == [["a", "b\tc", "d\\e"], ["", "x\ny"]])
    }

    @Test func serverErrorText() {
        let e = ClickHouseClient.serverError(
            "Code: 60. DB::Exception: Unknown table expression identifier 'otel.nope'. (UNKNOWN_TABLE) (version 26.9.2.1)\n",
            code: nil)
        #expect(e.code == 60)
        #expect(e.message == "Unknown table expression identifier 'otel.nope'. (UNKNOWN_TABLE)")
        #expect(ClickHouseClient.serverError("Code: 241. DB::Exception: x", code: 516).code == 516)
    }

    @Test func exceptionAfterTheReplyStarted() {
        let body = Data("a\tb\nc\td\nCode: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)\n".utf8)
        #expect(ClickHouseClient.trailingException(body)?.code == 241)
        #expect(ClickHouseClient.trailingException(Data("Code: 1\tnot an error\n".utf8)) == nil)
    }

    /// Replies come gzip-compressed: one member or several, a reply cut short gives what arrived
    /// (an error written mid-stream is then found at its end), and what is not gzip is refused.
    @Test func gzipReplies() {
        // gzip.compress(b"a\tb\n", mtime=0) and gzip.compress(b"c\td\n", mtime=0) in Python.
        let first: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 75, 228, 76, 226, 2, 0, 206, 148, 17, 26, 4, 0, 0, 0]
        let second: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 75, 230, 76, 225, 2, 0, 195, 251, 66, 230, 4, 0, 0, 0]
        #expect(ClickHouseClient.gunzip(Data(first)) == Data("a\tb\n".utf8))
        #expect(ClickHouseClient.gunzip(Data(first + second)) == Data("a\tb\nc\td\n".utf8))
        #expect(ClickHouseClient.gunzip(Data(first.prefix(first.count - 8))) == Data("a\tb\n".utf8))
        #expect(ClickHouseClient.gunzip(Data()) == Data())
        #expect(ClickHouseClient.gunzip(Data("a\tb\n".utf8)) == nil)
    }

    @Test func rangesCoverEveryIDInOrder() {
        #expect(ClickHouseSpanSource.ranges(count: 1).map(\.lo) == ["0"])
        let r = ClickHouseSpanSource.ranges(count: 4)
        #expect(r.map(\.lo) == ["0", "4000", "8000", "c000"])
        #expect(r.map(\.hi) == ["4000", "8000", "c000", nil])
    }

    @Test func peerNamesLikeTheDatabase() {
        #expect(
            AnalysisSpan.peerNames(fromValues: ["", "Checkout", nil, "http://checkout:8080/api", "https://PAY.example/x"])
                == ["checkout", "pay.example"])
    }
}

/// On a cluster the tables are Distributed, sharded by TraceId: no query may broadcast with GLOBAL,
/// and every query with a subquery or a join over the traces table keeps each shard on its own
/// traces (`distributed_product_mode = 'local'`), else ClickHouse refuses it ('deny', the default).
@Suite struct ClickHouseShardingTests {
    static let t = "`db`.`otel_traces`"
    static let l = "`db`.`otel_logs`"

    static var queries: [(String, String)] {
        var q: [(String, String)] = []
        for service in [false, true] {
            q += [
                ("windowCount", ClickHouseQueries.windowCount(traces: t, service: service)),
                ("spans", ClickHouseQueries.spans(traces: t, service: service, upperBound: true)),
                ("logs", ClickHouseQueries.logs(logs: l, service: service)),
                ("someTraceIDs", ClickHouseQueries.someTraceIDs(traces: t, service: service)),
                ("inDatabaseStats", ClickHouseQueries.inDatabaseStats(traces: t, service: service)),
                ("windowTotals", ClickHouseQueries.windowTotals(traces: t, service: service)),
                ("flaggedTraces", ClickHouseQueries.flaggedTraces(traces: t, service: service)),
                ("tracesLinkingInto", ClickHouseQueries.tracesLinkingInto(traces: t, service: service)),
                ("tracesHoldingSpans", ClickHouseQueries.tracesHoldingSpans(traces: t, service: service)),
                ("tracesRunningAt", ClickHouseQueries.tracesRunningAt(traces: t, service: service)),
                ("messageRootTraces", ClickHouseQueries.messageRootTraces(traces: t, service: service)),
                ("entryKeys", ClickHouseQueries.entryKeys(traces: t, service: service)),
                ("unansweredCalls", ClickHouseQueries.unansweredCalls(traces: t, service: service)),
                ("entryRoots", ClickHouseQueries.entryRoots(traces: t, service: service)),
                ("busyIntervals", ClickHouseQueries.busyIntervals(traces: t, service: service)),
                ("logCounts", ClickHouseQueries.logCounts(traces: t, logs: l, service: service)),
                ("cleanListing", ClickHouseQueries.cleanListing(traces: t, sort: "coverage", listService: service, limit: 20)),
                ("cleanStats", ClickHouseQueries.cleanStats(traces: t, service: service, part: "totals")),
                ("orphanTraces", ClickHouseQueries.orphanTraces(traces: t, service: service)),
                ("cleanCheckExamples", ClickHouseQueries.cleanCheck(traces: t, service: service, part: "examples")),
                ("cleanCheckRoots", ClickHouseQueries.cleanCheck(traces: t, service: service, part: "roots")),
                ("servicesPresent", ClickHouseQueries.servicesPresent(traces: t, service: service)),
            ]
        }
        q += [
            ("spansOfTrace", ClickHouseQueries.spans(traces: t, ofTrace: ())),
            ("spansOfTraces", ClickHouseQueries.spans(traces: t, ofTraces: ())),
            ("traceIDs", ClickHouseQueries.traceIDs(traces: t)),
            ("messageLogs", ClickHouseQueries.messageLogs(logs: l)),
            ("fullSpans", ClickHouseQueries.fullSpans(traces: t)),
            ("fullLogs", ClickHouseQueries.fullLogs(logs: l)),
            ("neighbours", ClickHouseQueries.neighbours(traces: t)),
        ]
        return q
    }

    @Test func noGlobalAndLocalProductMode() {
        for (name, sql) in Self.queries {
            #expect(!sql.uppercased().contains("GLOBAL"), "\(name)")
            let upper = sql.uppercased()
            let subqueries = upper.components(separatedBy: "SELECT").count - 1
            if subqueries > 1 || upper.contains(" JOIN ") {
                #expect(sql.contains("distributed_product_mode = 'local'"), "\(name)")
            }
        }
    }
}
