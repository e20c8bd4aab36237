// `--source clickhouse://…` against ClickHouse 26.9 (chDB behind tests/clickhouse/chdb_front.py):
// every command's output and exit code equal those from the same spans ingested into SQLite, and
// each way the server can fail is one clear message and exit 2.

import Foundation
import Testing

@Suite(.serialized) struct ClickHouseSourceTests {
    func source(_ database: String, port: Int? = nil) throws -> [String] {
        ["--source", try ClickHouseFront.url(database, port: port)] + ClickHouseFront.window
    }

    func clickhouse(_ args: [String], environment: [String: String] = ClickHouseFront.environment) throws -> Run {
        try CLI.run(args, environment: environment)
    }

    /// A JSON value as text with sorted keys (nil for none).
    func canonical(_ value: Any?) -> String? {
        guard let value, !(value is NSNull) else { return nil }
        guard JSONSerialization.isValidJSONObject([value]) else { return "\(value)" }
        let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) }
    }

    static let commands: [[String]] = [
        ["stats", "--format", "json"],
        ["orphans", "--format", "json"],
        ["gaps", "--format", "json"],
        ["traces", "--format", "json", "--limit", "0"],
        ["traces", "--sort", "coverage", "--service", "checkout"],
        ["orphans", "--limit", "0"],
        ["gaps", "--min-gap", "1ms", "--min-gap-share", "5%"],
        ["stats", "--fail-on", "any", "--format", "json"],
    ]

    @Test(arguments: ["demo"] + ClickHouseFront.scenarios)
    func everyCommandEqualsTheSQLiteSource(database: String) throws {
        let db = try ClickHouseFront.sqlite(database)
        for command in Self.commands {
            let expected = try CLI.run(command + ["--db", db])
            let actual = try clickhouse(command + (try source(database)))
            #expect(actual.stdout == expected.stdout, "\(database): \(command.joined(separator: " "))")
            #expect(actual.status == expected.status, "\(database): \(command.joined(separator: " ")): \(actual.stderr)")
            #expect(actual.stderr == expected.stderr, "\(database): \(command.joined(separator: " "))")
        }
    }

    @Test func statsTextDiffersOnlyInTheSourceLine() throws {
        let expected = try CLI.run(["stats", "--db", try ClickHouseFront.sqlite("broken")])
        let actual = try clickhouse(["stats"] + (try source("broken")))
        try #require(actual.status == 0, "\(actual.stderr)")
        let url = try ClickHouseFront.url("broken")
        #expect(actual.stdout.hasPrefix("database \(url):"))
        #expect(actual.stdout.split(separator: "\n").dropFirst() == expected.stdout.split(separator: "\n").dropFirst())
    }

    @Test func theFixturesHoldBothEnumSpellings() throws {
        let log = try ClickHouseFront.servers.get().loadLog
        // Each database has spans in the exporter's older spelling (and the rest in the newer).
        #expect(log.contains("into broken"))
        let line = log.split(separator: "\n").first { $0.hasSuffix("into broken") } ?? ""
        #expect(!line.contains("(0 with SPAN_KIND_*"), "\(log)")
        #expect(!line.contains(", 0 with STATUS_CODE_*"), "\(log)")
    }

    @Test func gapsOfOneTraceByPrefix() throws {
        let db = try ClickHouseFront.sqlite("broken")
        let traces = try CLI.json(try CLI.run(["traces", "--db", db, "--format", "json", "--limit", "1"]).stdout)
        let id = try #require(((traces["traces"] as? [[String: Any]])?.first?["trace_id"]) as? String)
        let prefix = String(id.prefix(10))
        let expected = try CLI.run(["gaps", prefix, "--db", db, "--format", "json"])
        let actual = try clickhouse(["gaps", prefix, "--format", "json"] + (try source("broken")))
        #expect(actual.status == 0, "\(actual.stderr)")
        #expect(actual.stdout == expected.stdout)
        let missing = try clickhouse(["gaps", "ffffffffffff"] + (try source("broken")))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no trace matches 'ffffffffffff'"))
    }

    @Test func serviceReadsOnlyTracesWithASpanOfIt() throws {
        let all = try CLI.json(try clickhouse(["stats", "--format", "json"] + (try source("demo"))).stdout)
        let run = try clickhouse(["stats", "--format", "json", "--service", "checkout"] + (try source("demo")))
        try #require(run.status == 0, "\(run.stderr)")
        let some = try CLI.json(run.stdout)
        let traces = { (json: [String: Any]) in (json["traces"] as? Int) ?? -1 }
        #expect(traces(some) > 0)
        #expect(traces(some) < traces(all))
    }

    @Test func verboseReportsBytesAndNeverThePassword() throws {
        let run = try clickhouse(["orphans", "--verbose"] + (try source("demo")))
        #expect(run.status == 0)
        #expect(run.stderr.contains("tracedoctor: clickhouse: traces to report: "), "\(run.stderr)")
        #expect(run.stderr.range(of: #"clickhouse: \d+ queries, [0-9.]+ KB received"#, options: .regularExpression) != nil, "\(run.stderr)")
        #expect(!run.stderr.contains(ClickHouseFront.password))
        #expect(!run.stdout.contains(ClickHouseFront.password))
    }

    /// Replies come gzip (the front compresses as ClickHouse does when asked): `--verbose` counts
    /// the bytes that crossed the network, fewer than the spans' rows they inflate to.
    @Test func repliesAreGzipAndCountedOnTheWire() throws {
        let run = try clickhouse(["traces", "--limit", "0", "--verbose"] + (try source("demo")))
        #expect(run.status == 0 || run.status == 1)
        let line = try #require(run.stderr.split(separator: "\n").last.map(String.init))
        let match = try #require(
            line.firstMatch(of: /queries, ([0-9.]+) KB received \(gzip; ([0-9.]+) KB uncompressed\)$/), "\(run.stderr)")
        let wire = try #require(Double(match.1))
        let inflated = try #require(Double(match.2))
        #expect(wire * 2 < inflated, "\(line)")
        #expect(run.stderr.contains("(gzip of "), "\(run.stderr)")
    }

    /// A user whose profile has readonly=1 may not set enable_http_compression: the query is sent
    /// again without it, plain replies follow, and the output is the same.
    @Test func readonlyUserGetsPlainReplies() throws {
        let port = try ClickHouseFront.readonlyServer.get()
        let run = try clickhouse(["orphans", "--format", "json", "--verbose"] + (try source("demo", port: port)))
        let compressed = try clickhouse(["orphans", "--format", "json"] + (try source("demo")))
        #expect(run.status == compressed.status)
        #expect(run.stdout == compressed.stdout)
        let line = try #require(run.stderr.split(separator: "\n").last.map(String.init))
        #expect(line.hasSuffix(" KB received"), "\(run.stderr)")
        #expect(!run.stderr.contains("gzip"), "\(run.stderr)")
    }

    // MARK: orphans and gaps pushed down

    /// Bytes received, from `--verbose`'s last line ("N queries, 12.3 KB received").
    func received(_ stderr: String) throws -> Double {
        let line = try #require(stderr.split(separator: "\n").last { $0.contains(" received") }.map(String.init), "\(stderr)")
        let words = line.split(separator: " ")
        let i = try #require(words.lastIndex(of: "received"))
        let value = try #require(Double(words[i - 2]), "\(line)")
        let unit: Double = ["B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9][String(words[i - 1])] ?? .nan
        return value * unit
    }

    /// On a capture where 5 traces of 405 are broken, `orphans` and `gaps` fetch only what they
    /// report (and the traces that explain it) and print what the SQLite database of the same spans
    /// prints; `traces --limit 0`, which reads every span, receives many times more.
    @Test func orphansAndGapsFetchOnlyTheBrokenTraces() throws {
        let database = MostlyHealthy.database
        let db = try ClickHouseFront.sqlite(database)
        let commands: [[String]] = [
            ["orphans"], ["orphans", "--format", "json"], ["gaps"], ["gaps", "--format", "json"],
            ["gaps", "--min-gap", "1ms", "--min-gap-share", "1%", "--format", "json"], ["orphans", "--fail-on", "any"],
        ]
        for command in commands {
            let expected = try CLI.run(command + ["--db", db])
            let actual = try clickhouse(command + (try source(database)))
            #expect(actual.stdout == expected.stdout, "\(command.joined(separator: " "))")
            #expect(actual.status == expected.status, "\(command.joined(separator: " ")): \(actual.stderr)")
            #expect(actual.stderr == expected.stderr, "\(command.joined(separator: " "))")
        }
        // What the capture holds: each finding once, so that the comparison above means something.
        let orphans = try CLI.json(try CLI.run(["orphans", "--format", "json", "--db", db]).stdout)
        #expect((orphans["traces"] as? Int) == MostlyHealthy.healthy + 5)
        #expect((orphans["fragment_trace"] as? [Any])?.count == 1)
        #expect((orphans["unpropagated_call"] as? [Any])?.count == 1)
        let counts = orphans["counts"] as? [String: Int] ?? [:]
        #expect(counts["missing_parent"] == 1)
        #expect(counts["unaccounted_time"] == 1)
        #expect(counts["log_unlinked"] == 1)
        #expect(counts["log_dangling"] == 1)

        let all = try received(try clickhouse(["traces", "--limit", "0", "--verbose"] + (try source(database))).stderr)
        for command in [["orphans"], ["gaps"]] {
            let run = try clickhouse(command + ["--verbose"] + (try source(database)))
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("traces to report"), "\(run.stderr)")
            #expect(!run.stderr.contains("spans of traces 0"), "\(run.stderr)")
            let bytes = try received(run.stderr)
            #expect(bytes * 8 < all, "\(command[0]) received \(bytes) bytes, traces --limit 0 \(all)")
        }
    }

    /// `traces` with a limit reads the traces with a finding (and those explaining one) and the
    /// first traces without one in the listing's order, ranked inside ClickHouse: the listing equals
    /// the SQLite database's, in every order, with a service filter, in text and JSON, and it
    /// receives a fraction of what reading every span does.
    @Test func tracesFetchOnlyWhatTheListingShows() throws {
        let database = MostlyHealthy.database
        let db = try ClickHouseFront.sqlite(database)
        let commands: [[String]] = [
            ["traces"], ["traces", "--sort", "coverage", "--limit", "5"], ["traces", "--sort", "start", "--limit", "3", "--format", "json"],
            ["traces", "--sort", "orphans", "--limit", "7"], ["traces", "--service", "backend", "--limit", "4"],
            ["traces", "--service", "inventory", "--sort", "coverage", "--format", "json", "--limit", "2"],
            ["traces", "--service", "nosuch"], ["traces", "--limit", "1", "--fail-on", "fragment_trace"],
        ]
        for command in commands {
            let expected = try CLI.run(command + ["--db", db])
            let actual = try clickhouse(command + (try source(database)))
            #expect(actual.stdout == expected.stdout, "\(command.joined(separator: " "))")
            #expect(actual.status == expected.status, "\(command.joined(separator: " ")): \(actual.stderr)")
            #expect(actual.stderr == expected.stderr, "\(command.joined(separator: " "))")
        }
        let all = try received(try clickhouse(["traces", "--limit", "0", "--verbose"] + (try source(database))).stderr)
        let run = try clickhouse(["traces", "--verbose"] + (try source(database)))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("the first 20 traces without a finding by duration"), "\(run.stderr)")
        #expect(!run.stderr.contains("spans of traces 0"), "\(run.stderr)")
        let bytes = try received(run.stderr)
        #expect(bytes * 4 < all, "traces received \(bytes) bytes, traces --limit 0 \(all)")
    }

    /// `stats` reads the traces with a finding, those the questions across traces need and those
    /// with links, hand-offs or huge; the others are counted in ClickHouse, and the coverage median
    /// and p10 over all roots come from the few coverages around each rank. Text and JSON equal the
    /// SQLite database's, with other thresholds and `--service` too.
    @Test func statsFetchesOnlyWhatItCannotCountInClickHouse() throws {
        let database = MostlyHealthy.database
        let db = try ClickHouseFront.sqlite(database)
        let commands: [[String]] = [
            ["stats"], ["stats", "--format", "json"], ["stats", "--min-gap", "1ms", "--min-gap-share", "1%", "--format", "json"],
            ["stats", "--min-coverage", "95%", "--format", "json"], ["stats", "--fail-on", "any"],
        ]
        for command in commands {
            let expected = try CLI.run(command + ["--db", db])
            let actual = try clickhouse(command + (try source(database)))
            var lines = actual.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            var expectedLines = expected.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            if command.count == 1 || command[1] == "--fail-on" {
                // The text's first line names the source.
                lines = Array(lines.dropFirst())
                expectedLines = Array(expectedLines.dropFirst())
            }
            #expect(lines == expectedLines, "\(command.joined(separator: " "))")
            #expect(actual.status == expected.status, "\(command.joined(separator: " ")): \(actual.stderr)")
            #expect(actual.stderr == expected.stderr, "\(command.joined(separator: " "))")
        }
        let all = try received(try clickhouse(["traces", "--limit", "0", "--verbose"] + (try source(database))).stderr)
        let run = try clickhouse(["stats", "--verbose"] + (try source(database)))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("root coverages from rank "), "\(run.stderr)")
        #expect(!run.stderr.contains("spans of traces 0"), "\(run.stderr)")
        let bytes = try received(run.stderr)
        #expect(bytes * 8 < all, "stats received \(bytes) bytes, traces --limit 0 \(all)")
    }

    // MARK: clickhouses://

    /// `clickhouses://` against an HTTPS front with a self-signed certificate made at test time:
    /// trusted with `--ca-cert`, the output is that of the SQLite database; without it, or with a
    /// certificate that did not sign the server's, one clear error and exit 2.
    @Test func tlsWithAPrivateCA() throws {
        let server = try ClickHouseFront.tlsServer.get()
        let url = "clickhouses://\(ClickHouseFront.user)@127.0.0.1:\(server.port)/demo"
        let db = try ClickHouseFront.sqlite("demo")
        for command in [["stats", "--format", "json"], ["orphans"], ["traces", "--limit", "3"]] {
            let expected = try CLI.run(command + ["--db", db])
            let actual = try clickhouse(command + ["--source", url, "--ca-cert", server.certificate] + ClickHouseFront.window)
            #expect(actual.status == expected.status, "\(command): \(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(command)")
        }
        let place = "tracedoctor: error: ClickHouse \(url): https://127.0.0.1:\(server.port)'s TLS certificate is not trusted "
            + "(CERTIFICATE_VERIFY_FAILED): pass the CA certificate that signed it (or the server's own, if self-signed) with --ca-cert PATH\n"
        for extra in [[], ["--ca-cert", server.otherCertificate]] {
            let run = try clickhouse(["stats", "--source", url] + extra + ClickHouseFront.window)
            #expect(run.status == 2, "\(run.stderr)")
            #expect(run.stderr == place, "\(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        // TLS to the plain HTTP port, a file that is not there, --ca-cert with plain HTTP.
        let plain = try ClickHouseFront.servers.get().port
        let wrongPort = try clickhouse(
            ["stats", "--source", "clickhouses://\(ClickHouseFront.user)@127.0.0.1:\(plain)/demo"] + ClickHouseFront.window)
        #expect(wrongPort.status == 2)
        #expect(
            wrongPort.stderr.hasSuffix(": TLS failed with https://127.0.0.1:\(plain) (WRONG_VERSION_NUMBER): is this ClickHouse's HTTPS port?\n"),
            "\(wrongPort.stderr)")
        let missing = try clickhouse(["stats", "--source", url, "--ca-cert", "/nonexistent/ca.pem"] + ClickHouseFront.window)
        #expect(missing.status == 64, "\(missing.stderr)")
        #expect(missing.stderr.contains("--ca-cert '/nonexistent/ca.pem': no such file"), "\(missing.stderr)")
        let notTLS = try clickhouse(["stats", "--ca-cert", server.certificate] + (try source("demo")))
        #expect(notTLS.status == 64, "\(notTLS.stderr)")
        #expect(notTLS.stderr.contains("--ca-cert is for clickhouses:// (TLS) URLs"), "\(notTLS.stderr)")
        let noSource = try CLI.run(["stats", "--ca-cert", server.certificate, "--db", db])
        #expect(noSource.status == 64, "\(noSource.stderr)")
    }

    // MARK: Distributed tables

    /// The exporter's tables behind Distributed tables (a cluster of one shard: chDB runs no server):
    /// every command, pushed down or not, runs on them with `distributed_product_mode = 'local'` and
    /// prints what the SQLite database of the same spans prints; the cluster and the tables are
    /// what the server says they are.
    @Test func distributedTablesGiveTheSameOutput() throws {
        let port = try ClickHouseFront.distributedServer.get()
        let url = "clickhouse://\(ClickHouseFront.user)@127.0.0.1:\(port)/demo"
        let tables = ["--traces-table", "otel_traces_dist", "--logs-table", "otel_logs_dist"]
        let db = try ClickHouseFront.sqlite("demo")
        for command in Self.commands + [["traces", "--limit", "4"]] {
            let expected = try CLI.run(command + ["--db", db])
            let actual = try clickhouse(command + ["--source", url] + tables + ClickHouseFront.window)
            #expect(actual.stdout == expected.stdout, "\(command.joined(separator: " "))")
            #expect(actual.status == expected.status, "\(command.joined(separator: " ")): \(actual.stderr)")
        }
        let inDatabase = try clickhouse(["stats", "--in-database", "--format", "json", "--source", url] + tables + ClickHouseFront.window)
        #expect(inDatabase.status == 0, "\(inDatabase.stderr)")
        // The tables really are Distributed over a cluster of the server's.
        let engines = try ClickHouseFront.query(
            port: port, "SELECT name, engine FROM system.tables WHERE database = 'demo' AND name IN ('otel_traces_dist', 'otel_logs_dist') ORDER BY name")
        #expect(engines == "otel_logs_dist\tDistributed\notel_traces_dist\tDistributed\n", "\(engines)")
        let shards = try ClickHouseFront.query(port: port, "SELECT count(), max(is_local) FROM system.clusters WHERE cluster = 'tracedoctor_local'")
        #expect(shards == "1\t1\n", "\(shards)")
    }

    // MARK: stats --in-database

    /// The per-trace counts computed inside ClickHouse equal the analysis' on raw timestamps.
    @Test(arguments: ["demo"] + ClickHouseFront.scenarios)
    func inDatabaseCountsEqualTheAnalysis(database: String) throws {
        let db = try ClickHouseFront.sqlite(database)
        let keys = [
            "missing_parent", "remote_parent_missing", "multiple_roots", "unaccounted_time", "child_before_parent",
            "child_after_parent",
        ]
        for thresholds in [[String](), ["--min-gap", "1ms", "--min-gap-share", "5%"], ["--min-gap", "0", "--min-gap-share", "0"]] {
            let run = try clickhouse(["stats", "--in-database", "--format", "json", "--no-skew-adjust"] + thresholds + (try source(database)))
            try #require(run.status == 0, "\(run.stderr)")
            let actual = try CLI.json(run.stdout)
            let expected = try CLI.json(try CLI.run(["stats", "--db", db, "--format", "json", "--no-skew-adjust"] + thresholds).stdout)
            #expect(actual["traces"] as? Int == expected["traces"] as? Int)
            #expect(actual["spans"] as? Int == expected["spans"] as? Int)
            let a = actual["diagnoses"] as? [String: Any] ?? [:]
            let e = expected["diagnoses"] as? [String: Any] ?? [:]
            for key in keys {
                #expect(a[key] as? Int == e[key] as? Int, "\(database) \(thresholds): \(key)")
            }
        }
        // Nothing but one row of sums crosses the network.
        let verbose = try clickhouse(["stats", "--in-database", "--verbose"] + (try source(database)))
        #expect(verbose.stderr.contains("in-database stats: "), "\(verbose.stderr)")
        #expect(!verbose.stderr.contains("spans of traces"))
        #expect(verbose.stdout.contains("computed in ClickHouse"))
    }

    @Test func inDatabaseNeedsASource() throws {
        let run = try CLI.run(["stats", "--in-database"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--in-database needs --source"))
    }

    // MARK: explain, check, logs, ingest

    @Test(arguments: ["demo", "broken", "unpropagated", "uninjected"])
    func explainEqualsTheSQLiteSource(database: String) throws {
        let db = try ClickHouseFront.sqlite(database)
        for args in [["explain", "--most-broken"], ["explain", "--most-broken", "--logs", "errors", "--depth", "2"]] {
            let expected = try CLI.run(args + ["--db", db])
            let actual = try clickhouse(args + (try source(database)))
            #expect(actual.status == expected.status, "\(actual.stderr)")
            #expect(actual.stdout == expected.stdout, "\(database): \(args.joined(separator: " "))")
        }
        // JSON: the same findings and spans; attribute values are strings (the exporter's Map(String, String)).
        let expected = try CLI.json(try CLI.run(["explain", "--most-broken", "--format", "json", "--db", db]).stdout)
        let actual = try CLI.json(try clickhouse(["explain", "--most-broken", "--format", "json"] + (try source(database))).stdout)
        for key in ["findings", "trace_id", "coverage", "critical_path", "span_count", "attached_traces", "fragment_of"] {
            #expect(canonical(expected[key]) == canonical(actual[key]), "\(database): \(key) differs")
        }
    }

    @Test func explainByPrefixAndUnknownTrace() throws {
        let db = try ClickHouseFront.sqlite("broken")
        let id = try #require(
            (try CLI.json(try CLI.run(["traces", "--db", db, "--format", "json", "--limit", "1"]).stdout)["traces"]
                as? [[String: Any]])?.first?["trace_id"] as? String)
        let expected = try CLI.run(["explain", String(id.prefix(8)), "--db", db])
        let actual = try clickhouse(["explain", String(id.prefix(8))] + (try source("broken")))
        #expect(actual.status == 0, "\(actual.stderr)")
        #expect(actual.stdout == expected.stdout)
        let unknown = try clickhouse(["explain", "0000000abc"] + (try source("broken")))
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasSuffix("no trace matches '0000000abc'\n"), "\(unknown.stderr)")
    }

    @Test(arguments: ["demo", "broken", "healthy", "uninjected"])
    func checkEqualsTheSQLiteSource(database: String) throws {
        let db = try ClickHouseFront.sqlite(database)
        let expected = try CLI.run(["check", "--db", db, "--format", "json"])
        let actual = try clickhouse(["check", "--format", "json"] + (try source(database)))
        #expect(actual.status == expected.status, "\(actual.stderr)")
        var a = try CLI.json(actual.stdout)
        var e = try CLI.json(expected.stdout)
        #expect((a["database"] as? String) == (try ClickHouseFront.url(database)))
        for key in ["database", "seconds"] {
            a[key] = nil
            e[key] = nil
        }
        // The explain commands name the source and the window instead of --db.
        let normalise = { (json: [String: Any]) -> String in
            let data = try! JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
                .replacingOccurrences(
                    of: #" --source clickhouse:[^"]* --since 2020-01-01T00:00:00Z --until 2100-01-01T00:00:00Z"#, with: " DB",
                    options: .regularExpression)
                .replacingOccurrences(of: #" --db [^"]*"#, with: " DB", options: .regularExpression)
        }
        #expect(normalise(a) == normalise(e))
    }

    /// `check` reads what `stats` reads, plus the traces its coverage rule shows as examples, and
    /// measures the other traces' roots in ClickHouse. Under policies whose coverage limits catch
    /// the healthy traces (per operation, per service, and at min_gap's floating-point edge: their
    /// root is 10 ms uncovered of 100 ms, which the rule exempts at min_gap 10ms), with required
    /// services and root operations, its text, JSON, JUnit, baseline and comparison with a baseline
    /// equal SQLite's, and it receives a small part of what reading every span does.
    @Test func checkFetchesOnlyWhatItCannotMeasureInClickHouse() throws {
        let database = MostlyHealthy.database
        let db = try ClickHouseFront.sqlite(database)
        let dir = NSTemporaryDirectory() + "tracedoctor-check-pushdown-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let policies = [
            "",
            """
            version: 1
            analysis:
              min_gap: 5ms
            rules:
              coverage:
                min: 50%
                per_operation: {"GET /": 95%}
                severity: error
            """,
            """
            version: 1
            examples: 5
            rules:
              coverage:
                min: 50%
                per_service: {frontend: 92%, inventory: 10%}
              required_services:
                services: [frontend, backend, checkout, nosuch]
              required_root_operations:
                operations: ["GET /", "GET /stock", "lookup", "POST /missing"]
            """,
            """
            version: 1
            analysis:
              min_gap: 1ms
            rules:
              unaccounted_share:
                max: 5%
                per_operation: {"GET /slow": 50%}
              coverage:
                min: 80%
                per_service: {backend: 99%, frontend: 20%}
                per_operation: {"GET /": 91%}
            """,
            """
            version: 1
            analysis:
              min_gap: 5ms
            rules:
              coverage:
                min: 0%
                per_operation: {"GET /": 95%}
                severity: error
            """,
        ]
        // The explain commands name the source and the window instead of --db, the header the source.
        func normalise(_ text: String) -> String {
            text.replacingOccurrences(
                of: #" --source clickhouse:\S* --since 2020-01-01T00:00:00Z --until 2100-01-01T00:00:00Z"#, with: " DB",
                options: .regularExpression)
                .replacingOccurrences(of: #" --db [^\s"<]*"#, with: " DB", options: .regularExpression)
                .replacingOccurrences(of: db, with: "DB").replacingOccurrences(of: try! ClickHouseFront.url(database), with: "DB")
                .replacingOccurrences(of: #"time="[0-9.]+""#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #""seconds" *: *[0-9.e-]+"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #"in [0-9.]+ (ms|s)\b"#, with: "", options: .regularExpression)
        }
        for (n, text) in policies.enumerated() {
            var policy: [String] = []
            if !text.isEmpty {
                let path = dir + "/policy\(n).yml"
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                policy = ["--policy", path]
            }
            let sqliteBaseline = dir + "/sqlite\(n).json"
            for format in ["text", "json"] {
                var files: [String: [String]] = [:]
                for side in ["sqlite", "clickhouse"] {
                    let out = ["--junit", dir + "/\(side)\(n).xml", "--write-baseline", dir + "/\(side)\(n).json"]
                    files[side] = out
                }
                let args = ["check", "--format", format] + policy
                let expected = try CLI.run(args + files["sqlite"]! + ["--db", db])
                let actual = try clickhouse(args + files["clickhouse"]! + (try source(database)))
                let label = "policy \(n), \(format)"
                #expect(actual.status == expected.status, "\(label): \(actual.stderr)")
                #expect(normalise(actual.stdout) == normalise(expected.stdout), "\(label)")
                #expect(actual.stderr == expected.stderr, "\(label)")
                for ext in ["xml", "json"] {
                    let a = try String(contentsOfFile: dir + "/clickhouse\(n).\(ext)", encoding: .utf8)
                    let e = try String(contentsOfFile: dir + "/sqlite\(n).\(ext)", encoding: .utf8)
                    #expect(normalise(a) == normalise(e), "\(label): the .\(ext) file")
                }
            }
            let args = ["check", "--format", "json", "--baseline", sqliteBaseline] + policy
            let expected = try CLI.run(args + ["--db", db])
            let actual = try clickhouse(args + (try source(database)))
            #expect(actual.status == expected.status, "policy \(n) against a baseline: \(actual.stderr)")
            #expect(normalise(actual.stdout) == normalise(expected.stdout), "policy \(n) against a baseline")
        }
        // What the policies catch, so that the comparison above means something.
        for n in [1, 4] {
            let caught = try CLI.json(try CLI.run(["check", "--format", "json", "--policy", dir + "/policy\(n).yml", "--db", db]).stdout)
            let coverage = (caught["rules"] as? [[String: Any]] ?? []).first { ($0["rule"] as? String) == "coverage" }
            let details = coverage?["details"] as? [String] ?? []
            #expect(details.first == "frontend `GET /`: 400 of 400 roots below 95%", "policy \(n): \(details)")
            if n == 4 {
                // Only healthy roots are below a limit: the examples are traces ClickHouse picked to read.
                let examples = (coverage?["examples"] as? [[String: Any]] ?? []).compactMap { $0["trace_id"] as? String }
                #expect(examples == (0..<3).map { MostlyHealthy.traceID($0) }, "\(examples)")
            }
        }

        let all = try received(try clickhouse(["traces", "--limit", "0", "--verbose"] + (try source(database))).stderr)
        let run = try clickhouse(["check", "--verbose", "--policy", dir + "/policy1.yml"] + (try source(database)))
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("root operations of the traces not read"), "\(run.stderr)")
        #expect(run.stderr.contains("roots below the coverage limit to show"), "\(run.stderr)")
        let bytes = try received(run.stderr)
        #expect(bytes * 8 < all, "check received \(bytes) bytes, traces --limit 0 \(all)")
    }

    @Test func checkWithSourceTakesNoPaths() throws {
        let run = try CLI.run(["check", "x.json", "--source", "clickhouse://127.0.0.1/otel"] + ClickHouseFront.window)
        #expect(run.status == 64)
        #expect(run.stderr.contains("give no PATH and no --db"))
    }

    @Test func logsOfATraceEqualTheSQLiteSource() throws {
        let db = try ClickHouseFront.sqlite("broken")
        let id = try #require(
            (try CLI.json(try CLI.run(["traces", "--db", db, "--format", "json", "--limit", "1"]).stdout)["traces"]
                as? [[String: Any]])?.first?["trace_id"] as? String)
        for extra in [[String](), ["--errors"]] {
            let expected = try CLI.run(["logs", id] + extra + ["--db", db])
            let actual = try clickhouse(["logs", id] + extra + (try source("broken")))
            #expect(actual.status == 0, "\(actual.stderr)")
            #expect(actual.stdout == expected.stdout)
        }
        let unlinked = try clickhouse(["logs", "--unlinked"] + (try source("broken")))
        #expect(unlinked.status == 64)
    }

    @Test func ingestCopiesChosenTraces() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let sqlite = try ClickHouseFront.sqlite("broken")
        let orphans = try CLI.json(try CLI.run(["orphans", "--db", sqlite, "--format", "json"]).stdout)
        let fragment = try #require((orphans["fragment_trace"] as? [[String: Any]])?.first)
        let child = try #require(fragment["trace_id"] as? String)
        let parent = try #require((fragment["suspected_parent"] as? [String: Any])?["trace_id"] as? String)
        let run = try clickhouse([
            "ingest", try ClickHouseFront.url("broken"), "--trace-id", String(child.prefix(12)), "--trace-id", parent,
            "--db", tmp + "/copy.db",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("copied 2 traces, "), "\(run.stdout)")
        // The fragment is found again in the copy, with the same suspected parent.
        let copy = try CLI.json(try CLI.run(["orphans", "--db", tmp + "/copy.db", "--format", "json"]).stdout)
        let found = try #require((copy["fragment_trace"] as? [[String: Any]])?.first)
        #expect(((found["suspected_parent"] as? [String: Any])?["trace_id"] as? String) == parent)
        // Full IDs without a window: the exporter's lookup table (otel_traces_trace_id_ts) says when.
        let full = try clickhouse([
            "ingest", try ClickHouseFront.url("broken"), "--trace-id", child, "--trace-id", parent, "--db", tmp + "/full.db",
            "--verbose",
        ])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stderr.contains("times of 2 traces from otel_traces_trace_id_ts"), "\(full.stderr)")
        #expect(full.stdout.hasPrefix("copied 2 traces, "), "\(full.stdout)")
        let window = try clickhouse(
            ["ingest", try ClickHouseFront.url("broken"), "--limit", "3", "--db", tmp + "/window.db", "--format", "json"]
                + ClickHouseFront.window)
        #expect(window.status == 0, "\(window.stderr)")
        #expect((try CLI.json(window.stdout)["traces"] as? Int) == 3)
        let neither = try CLI.run(["ingest", "clickhouse://127.0.0.1/otel", "--db", tmp + "/x.db"])
        #expect(neither.status == 64)
        #expect(neither.stderr.contains("needs --trace-id ID, or --since and --until"))
    }

    /// Without $CLICKHOUSE_PASSWORD on a terminal (script(1) gives one), the refused user is asked
    /// for the password, which is not echoed; a wrong one is refused like any other.
    @Test func passwordPromptOnATerminal() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) (util-linux)")
        func onTerminal(typing: String) throws -> String {
            let command = ([CLI.binary, "stats", "--format", "json"] + (try source("demo")))
                .map { "'" + $0 + "'" }.joined(separator: " ")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", command, "/dev/null"]
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "CLICKHOUSE_PASSWORD")
            process.environment = env
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            let seen = PromptBuffer()
            output.fileHandleForReading.readabilityHandler = { handle in seen.append(handle.availableData) }
            try process.run()
            // Typed once the prompt is up (getpass flushes what was typed before it).
            let deadline = Date().addingTimeInterval(30)
            while !seen.text.contains("ClickHouse password for"), Date() < deadline, process.isRunning {
                Thread.sleep(forTimeInterval: 0.05)
            }
            Thread.sleep(forTimeInterval: 0.2)
            input.fileHandleForWriting.write(Data((typing + "\n").utf8))
            let end = Date().addingTimeInterval(30)
            while process.isRunning, Date() < end { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
            seen.append(output.fileHandleForReading.readDataToEndOfFile())
            return seen.text
        }
        let right = try onTerminal(typing: ClickHouseFront.password)
        #expect(right.contains("ClickHouse password for tracedoctor@127.0.0.1: "), "\(right)")
        #expect(right.contains("\"command\" : \"stats\""), "\(right)")
        #expect(!right.contains(ClickHouseFront.password))
        let wrong = try onTerminal(typing: "not-the-password")
        #expect(wrong.contains("user 'tracedoctor' was refused"), "\(wrong)")
        #expect(!wrong.contains("not-the-password"))
    }

    // MARK: Errors

    @Test func serverDown() throws {
        // A port nothing listens on: bind one, note it, close it.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(fd)
        let run = try clickhouse(["stats", "--source", "clickhouse://127.0.0.1:\(port)/otel"] + ClickHouseFront.window)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("ClickHouse clickhouse://default@127.0.0.1:\(port)/otel: cannot connect to http://127.0.0.1:\(port)"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("is the server running"))
    }

    @Test func wrongPassword() throws {
        let run = try clickhouse(["orphans"] + (try source("demo")), environment: ["CLICKHOUSE_PASSWORD": "not-it"])
        #expect(run.status == 2)
        #expect(run.stderr.hasSuffix("ClickHouse clickhouse://tracedoctor@127.0.0.1:\(try ClickHouseFront.servers.get().port)/demo: user 'tracedoctor' was refused: wrong password or unknown user (the password comes from $CLICKHOUSE_PASSWORD, else a prompt on a terminal)\n"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!run.stderr.contains("not-it"))
    }

    @Test func missingTable() throws {
        let run = try clickhouse(["stats", "--traces-table", "spans"] + (try source("demo")))
        #expect(run.status == 2)
        #expect(run.stderr.contains("no table demo.spans (the OpenTelemetry Collector's clickhouseexporter writes otel_traces"), "\(run.stderr)")
        let database = try clickhouse(["stats"] + (try source("nowhere")))
        #expect(database.status == 2)
        #expect(database.stderr.contains("database 'nowhere' does not exist"), "\(database.stderr)")
    }

    @Test func tableOfAnotherSchema() throws {
        let run = try clickhouse(["stats", "--traces-table", "other_schema"] + (try source("demo")))
        #expect(run.status == 2)
        #expect(run.stderr.contains("demo.other_schema is not a table the clickhouseexporter wrote: it has no column SpanId, ParentSpanId"), "\(run.stderr)")
    }

    @Test func queryOverTheMemoryLimit() throws {
        let port = try ClickHouseFront.servers.get().tightPort
        let run = try clickhouse(["orphans"] + (try source("demo", port: port)))
        #expect(run.status == 2)
        #expect(run.stderr.contains("the query went over the server's memory limit"), "\(run.stderr)")
        #expect(run.stderr.contains("MEMORY_LIMIT_EXCEEDED"))
        #expect(!run.stderr.contains("Stack trace"))
    }

    @Test func usageErrors() throws {
        let noWindow = try CLI.run(["stats", "--source", "clickhouse://127.0.0.1/otel"])
        #expect(noWindow.status == 64)
        #expect(noWindow.stderr.contains("needs --since and --until"))
        let passwordInURL = try CLI.run(["stats", "--source", "clickhouse://u:pw@127.0.0.1/otel"] + ClickHouseFront.window)
        #expect(passwordInURL.status == 64)
        #expect(passwordInURL.stderr.contains("$CLICKHOUSE_PASSWORD"))
        #expect(!passwordInURL.stderr.contains("pw@"))
        let badTime = try CLI.run(["stats", "--source", "clickhouse://127.0.0.1/otel", "--since", "yesterday", "--until", "now"])
        #expect(badTime.status == 64)
        #expect(badTime.stderr.contains("--since 'yesterday' is not a time"))
        let sinceAlone = try CLI.run(["orphans", "--since", "1h"])
        #expect(sinceAlone.status == 64)
        #expect(sinceAlone.stderr.contains("--since needs --source"))
    }
}

/// Output of a process read as it comes (the prompt test waits for the prompt).
private final class PromptBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) {
        lock.lock()
        data += more
        lock.unlock()
    }
    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
