import Foundation
import GRDB
import Testing

@testable import TraceDoctorCore

@Suite struct TraceStoreTests {
    let doc = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}},{"key":"host.name","value":{"stringValue":"h1"}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"root","startTimeUnixNano":"1","endTimeUnixNano":"9","flags":768},{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174","name":"child","startTimeUnixNano":"2","endTimeUnixNano":"3"}]}]}]}"#

    @discardableResult
    func ingest(_ store: TraceStore, _ text: String, hash: String, path: String = "test.json") throws -> SourceOutcome {
        try store.ingest(
            SourceDescription(path: path, format: .otlpJSON, sizeBytes: Int64(text.utf8.count)),
            finished: { (hash, Int64(text.utf8.count), 0) },
            body: { sink in try OTLPJSONReader().read(MemorySource(text), into: sink, context: ReadContext(keepGoing: false)) })
    }

    func count(_ store: TraceStore, _ sql: String) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    @Test func storesSpansWithNormalisedColumns() throws {
        let store = try TraceStore()
        let outcome = try ingest(store, doc, hash: "h1")
        guard case let .ingested(counts) = outcome else {
            Issue.record("expected ingested")
            return
        }
        #expect(counts.spans == 2 && counts.traces == 1)
        let row = try store.read { db in
            try Row.fetchOne(
                db, sql: "SELECT trace_id, span_id, parent_span_id, service, start_ns, parent_is_remote FROM spans WHERE name = 'root'")
        }
        #expect(row?["trace_id"] == "5b8efff798038103d269b633813fc60c")
        #expect(row?["parent_span_id"] as String? == nil)
        #expect(row?["service"] == "svc")
        #expect(row?["start_ns"] == 1)
        #expect(row?["parent_is_remote"] == 1)
        #expect(try count(store, "SELECT count(*) FROM resources WHERE json_extract(attributes, '$.\"host.name\"') = 'h1'") == 1)
        #expect(try count(store, "SELECT span_count FROM sources") == 2)
    }

    @Test func sameContentTwiceAddsNothing() throws {
        let store = try TraceStore()
        try ingest(store, doc, hash: "h1")
        let again = try ingest(store, doc, hash: "h1")
        guard case .alreadyIngested = again else {
            Issue.record("expected alreadyIngested")
            return
        }
        #expect(try count(store, "SELECT count(*) FROM spans") == 2)
        #expect(try count(store, "SELECT count(*) FROM sources") == 1)
    }

    @Test func aSpanSeenAgainInAnotherFileIsNotDuplicated() throws {
        let store = try TraceStore()
        try ingest(store, doc, hash: "h1")
        let outcome = try ingest(store, doc + "\n", hash: "h2", path: "other.json")
        guard case let .ingested(counts) = outcome else {
            Issue.record("expected ingested")
            return
        }
        #expect(counts.spans == 2 && counts.duplicateSpans == 2)
        #expect(try count(store, "SELECT count(*) FROM spans") == 2)
    }

    @Test func aDumpThatRepeatsASpanKeepsEveryCopy() throws {
        // As jaeger/otlp2jaeger-in.json does: the same span twice in one file.
        let store = try TraceStore()
        let text = try String(contentsOfFile: fixturesDirectory + "/corpus/jaeger/otlp2jaeger-in.json", encoding: .utf8)
        try ingest(store, text, hash: "h1")
        #expect(try count(store, "SELECT count(*) FROM spans") == 2)
        #expect(try count(store, "SELECT count(DISTINCT span_id) FROM spans") == 1)
    }

    @Test func aBadFileLeavesNothingBehind() throws {
        let store = try TraceStore()
        try ingest(store, doc, hash: "h1")
        let bad = doc.replacingOccurrences(of: "eee19b7ec3c1b175", with: "not-hex-at-all!!")
        #expect(throws: InputError.self) { try ingest(store, bad, hash: "h2") }
        #expect(try count(store, "SELECT count(*) FROM spans") == 2)
        #expect(try count(store, "SELECT count(*) FROM sources") == 1)
        #expect(try count(store, "SELECT count(*) FROM resources") == 1)
    }

    /// The longest-span bound is raised from the file's own rows, found by row ID: with the
    /// `spans_by_time` index SQLite read every span of the database once per file.
    @Test func spanBoundsReadOnlyTheNewRows() throws {
        let store = try TraceStore()
        try ingest(store, doc, hash: "h1")
        let plan = try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Schema.updateSpanBounds, arguments: [1]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("spans USING INTEGER PRIMARY KEY (rowid>?)") })
        #expect(!plan.contains { $0.contains("spans_by_time") })
        #expect(try count(store, "SELECT max_duration_ns FROM span_bounds") == 8)
    }

    @Test func ingestTimeIsRFC3339InUTC() {
        #expect(TraceStore.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(TraceStore.timestamp(Date(timeIntervalSince1970: 1_796_304_973.9)) == "2026-12-03T13:36:13Z")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        for seconds in stride(from: -86_400.0 * 365 * 50, to: 86_400.0 * 365 * 200, by: 86_400.0 * 97.3 + 3_671.5) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(TraceStore.timestamp(date) == formatter.string(from: date))
        }
    }

    /// A size seen by `hasSource(sizeBytes:)` once is remembered, and a size stored since is known.
    @Test func knownSourceSizesFollowWhatIsStored() throws {
        let store = try TraceStore()
        let size = Int64(doc.utf8.count)
        #expect(try !store.hasSource(sizeBytes: size))
        try ingest(store, doc, hash: "h1")
        #expect(try store.hasSource(sizeBytes: size))
        #expect(try !store.hasSource(sizeBytes: size + 1))
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        let path = NSTemporaryDirectory() + "tracedoctor-newer-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let store = try TraceStore(path: path)
            try store.queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99_from_the_future')")
            }
        }
        #expect(throws: TraceDoctorError.databaseFromNewerVersion(path: path, unknownMigrations: ["v99_from_the_future"])) {
            try TraceStore(path: path)
        }
    }

    @Test func refusesSomeoneElsesDatabase() throws {
        let path = NSTemporaryDirectory() + "tracedoctor-foreign-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        }
        #expect(throws: TraceDoctorError.self) { try TraceStore(path: path) }
    }

    @Test func refusesAFileThatIsNotSQLite() throws {
        let path = NSTemporaryDirectory() + "tracedoctor-text-\(UUID().uuidString).db"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "this is not a database, it is a text file that is long enough".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: TraceDoctorError.self) { try TraceStore(path: path) }
    }

    /// Migration v4 creates `log_intervals` and builds the intervals of the lines a v3 database holds.
    @Test func migrationV4BuildsTheIntervalsOfStoredLogs() throws {
        let path = NSTemporaryDirectory() + "tracedoctor-v3-\(UUID().uuidString).db"
        defer { TraceStore.remove(path) }
        let lines = """
            {"time":"2026-12-03T10:00:00.100Z","service":"worker","message":"node_start","execution_id":"e1","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.340Z","service":"worker","message":"node_complete","execution_id":"e1","node_id":"llm-1"}

            """
        do {
            let store = try TraceStore(path: path)
            _ = try store.ingest(
                SourceDescription(path: "worker.jsonl", format: .jsonLogs, sizeBytes: Int64(lines.utf8.count)),
                finished: { ("h1", Int64(lines.utf8.count), 0) },
                body: { sink in try JSONLogReader().read(MemorySource(lines), into: sink, context: ReadContext(keepGoing: false)) })
            // As a v3 database had it: no v4, no table.
            try store.queue.write { db in
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4_log_intervals'")
                try db.execute(sql: "DROP TABLE log_intervals")
            }
            store.close()
        }
        #expect(throws: TraceDoctorError.self) { try TraceStore(path: path, readOnly: true) }
        let store = try TraceStore(path: path)
        let intervals = try store.allLogIntervals()
        #expect(intervals.count == 1)
        #expect(intervals.first?.kind == .pair && intervals.first?.label == "node llm-1 completed")
        #expect(intervals.first?.durationNs == 240_000_000)
    }

    /// Intervals are built a slice of log rows at a time (bounded memory); a start and its end in
    /// different slices still pair, and the counts are those of one build over all rows.
    @Test(arguments: [1, 2, 3, 50_000] as [Int64])
    func intervalsBuiltInSlicesAreTheSame(sliceRows: Int64) throws {
        let path = NSTemporaryDirectory() + "tracedoctor-slices-\(UUID().uuidString).db"
        defer { TraceStore.remove(path) }
        let lines = """
            {"time":"2026-12-03T10:00:00.100Z","service":"worker","message":"workflow_start","execution_id":"e1"}
            {"time":"2026-12-03T10:00:00.110Z","service":"worker","message":"node_start","execution_id":"e1","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.200Z","service":"worker","message":"cache lookup","duration_ms":12}
            {"time":"2026-12-03T10:00:00.340Z","service":"worker","message":"node_complete","execution_id":"e1","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.350Z","service":"worker","message":"node_start","execution_id":"e1","node_id":"answer-1"}
            {"time":"2026-12-03T10:00:00.400Z","service":"worker","message":"workflow_end","execution_id":"e1"}

            """
        let store = try TraceStore(path: path)
        defer { store.close() }
        _ = try store.ingest(
            SourceDescription(path: "worker.jsonl", format: .jsonLogs, sizeBytes: Int64(lines.utf8.count)),
            finished: { ("h1", Int64(lines.utf8.count), 0) },
            body: { sink in try JSONLogReader().read(MemorySource(lines), into: sink, context: ReadContext(keepGoing: false)) })
        func build(_ slice: Int64) throws -> [LogInterval.Kind: Int] {
            var counts: [LogInterval.Kind: Int] = [:]
            try store.queue.write { db in
                try db.execute(sql: "DELETE FROM log_intervals")
                counts = try TraceStore.buildLogIntervals(db, rows: nil, rules: .defaults, sliceRows: slice)
            }
            return counts
        }
        _ = try build(1_000_000)  // one slice: every row at once
        let whole = try store.allLogIntervals().map { "\($0.kind.rawValue) \($0.label) \($0.durationNs ?? -1)" }
        let counts = try build(sliceRows)
        let sliced = try store.allLogIntervals().map { "\($0.kind.rawValue) \($0.label) \($0.durationNs ?? -1)" }
        #expect(sliced == whole)
        #expect(whole.count == 4)
        #expect(counts == [.pair: 2, .duration: 1, .unfinished: 1])
    }

    /// The rows picked out as they are written (`IntervalCandidateTest`) are exactly those the SQL
    /// filter finds after the load, and the intervals built from them are the same.
    @Test func intervalCandidatesFoundWhileWritingAreThoseOfTheSQLFilter() throws {
        let path = NSTemporaryDirectory() + "tracedoctor-candidates-\(UUID().uuidString).db"
        defer { TraceStore.remove(path) }
        let lines = """
            {"time":"2026-12-03T10:00:00.100Z","service":"worker","message":"workflow_start","execution_id":"e1"}
            {"time":"2026-12-03T10:00:00.105Z","service":"worker","message":"nothing to see","user":"bob"}
            {"time":"2026-12-03T10:00:00.110Z","service":"worker","message":"node started","event":"node_start","node_id":"llm-1","execution_id":"e1"}
            {"time":"2026-12-03T10:00:00.150Z","service":"worker","message":"the word request_end in prose"}
            {"service":"worker","message":"no time: node_complete","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.200Z","service":"worker","message":"cache lookup","wait_ms":12}
            {"time":"2026-12-03T10:00:00.210Z","service":"worker","message":"search","took":"35"}
            {"time":"2026-12-03T10:00:00.220Z","service":"worker","message":"a field that only starts like one","durations":3}
            {"time":"2026-12-03T10:00:00.340Z","service":"worker","message":"node_complete","execution_id":"e1","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.400Z","service":"worker","message":"WORKFLOW_END","execution_id":"e1"}
            {"time":"2026-12-03T10:00:00.410Z","service":"worker","message":"x","elapsed":0.5}

            """
        let store = try TraceStore(path: path)
        defer { store.close() }
        store.intervalCandidateTest = IntervalCandidateTest(.defaults)
        _ = try store.ingest(
            SourceDescription(path: "worker.jsonl", format: .jsonLogs, sizeBytes: Int64(lines.utf8.count)),
            finished: { ("h1", Int64(lines.utf8.count), 0) },
            body: { sink in try JSONLogReader().read(MemorySource(lines), into: sink, context: ReadContext(keepGoing: false)) })
        let written = store.intervalCandidates
        let filter = TraceStore.intervalCandidateFilter(.defaults)
        let byFilter = try store.queue.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM logs WHERE time_ns IS NOT NULL AND \(filter.sql) ORDER BY id",
                arguments: StatementArguments(filter.arguments))
        }
        #expect(written == byFilter)
        #expect(written == [1, 3, 4, 6, 7, 9, 11])

        func labels() throws -> [String] {
            try store.allLogIntervals().map { "\($0.kind.rawValue) \($0.label) \($0.durationNs ?? -1)" }
        }
        _ = try store.buildLogIntervals(rows: 1...11, rules: .defaults)
        #expect(store.intervalCandidates.isEmpty)
        let fromCandidates = try labels()
        try store.queue.write { db in
            try db.execute(sql: "DELETE FROM log_intervals")
            _ = try TraceStore.buildLogIntervals(db, rows: nil, rules: .defaults)
        }
        #expect(try labels() == fromCandidates)
        #expect(fromCandidates.count >= 4, "\(fromCandidates)")
    }

    /// The candidate lines kept as written (`IntervalCandidateSpill`, here spilled to its
    /// temporary file after a few records) build the intervals the SQL filter's rows build, to
    /// every column: across files, with a file seen before (nothing kept), a bad file (rolled
    /// back), repeated lines deleted as duplicates (read from the table instead) and keys,
    /// bodies and numbers that need care.
    @Test func spilledCandidatesBuildTheIntervalsOfTheStoredRows() throws {
        let path = NSTemporaryDirectory() + "tracedoctor-spill-\(UUID().uuidString).db"
        defer { TraceStore.remove(path) }
        let first = #"""
            {"time":"2026-12-03T10:00:00.100Z","service":"worker","message":"workflow_start","execution_id":"e/1"}
            {"time":"2026-12-03T10:00:00.110Z","service":"worker","message":"node_start","execution_id":"e/1","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.120Z","service":"worker","message":"  job_start ","job":7,"execution_id":"e\u00e9"}
            {"time":"2026-12-03T10:00:00.200Z","service":"worker","message":"cache lookup","wait_ms":12,"flag":true}
            {"time":"2026-12-03T10:00:00.210Z","service":"worker","message":"search","took":"35 ms","nested":{"x_ms":1}}
            {"time":"2026-12-03T10:00:00.215Z","service":"worker","message":"étape_start","request_id":"r\"1"}

            """#
        let second = #"""
            {"time":"2026-12-03T10:00:00.200Z","service":"worker","message":"cache lookup","wait_ms":12,"flag":true}
            {"time":"2026-12-03T10:00:00.340Z","service":"worker","message":"node_complete","execution_id":"e/1","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.350Z","service":"worker","message":"étape_end","request_id":"r\"1","elapsed":1.5e-2}
            {"time":"2026-12-03T10:00:00.360Z","service":"worker","message":"job_failed","execution_id":"eé","total_duration":0.3}
            {"time":"2026-12-03T10:00:00.400Z","service":"worker","message":"workflow_end","execution_id":"e/1"}

            """#
        let bad = """
            {"time":"2026-12-03T10:00:00.500Z","service":"worker","message":"node_start","execution_id":"e2"}
            {"time":

            """
        let store = try TraceStore(path: path)
        defer { store.close() }
        store.intervalCandidateTest = IntervalCandidateTest(.defaults)
        store.intervalSpill = IntervalCandidateSpill(memoryBytes: 64)
        func ingest(_ text: String, _ hash: String) throws {
            _ = try store.ingest(
                SourceDescription(path: hash + ".jsonl", format: .jsonLogs, sizeBytes: Int64(text.utf8.count)),
                finished: { (hash, Int64(text.utf8.count), 0) },
                body: { sink in try JSONLogReader().read(MemorySource(text), into: sink, context: ReadContext(keepGoing: false)) })
        }
        try ingest(first, "h1")
        let afterFirst = try #require(store.intervalSpill?.end)
        try ingest(first, "h1")  // already stored: its lines are not kept twice
        #expect(store.intervalSpill?.end == afterFirst)
        #expect(throws: (any Error).self) { try ingest(bad, "h3") }
        #expect(store.intervalSpill?.end == afterFirst)
        try ingest(second, "h2")
        #expect(store.intervalSpillStaleRows.count == 1, "the repeated line was deleted: those rows are read back")
        let last = try store.lastLogRow()
        _ = try store.buildLogIntervals(rows: 1...last, rules: .defaults)
        #expect(store.intervalSpill?.isEmpty == true)
        let columns = "kind, name, label, start_ns, end_ns, service, failed, start_log_id, end_log_id, keys, trace_id, span_id, note"
        func dump() throws -> [String] {
            try store.queue.read { db in
                try Row.fetchAll(db, sql: "SELECT \(columns) FROM log_intervals ORDER BY id").map { $0.description }
            }
        }
        let spilled = try dump()
        try store.queue.write { db in
            try db.execute(sql: "DELETE FROM log_intervals")
            _ = try TraceStore.buildLogIntervals(db, rows: nil, rules: .defaults)
        }
        #expect(try dump() == spilled)
        #expect(spilled.count >= 6, "\(spilled)")
        #expect(spilled.contains { $0.contains(#"{\"execution_id\":\"e\\/1\""#) }, "\(spilled)")
    }

    /// Built on two threads from the spilled lines (decode and build on one, insert on the
    /// other), in slices of any size, the intervals are those of the one-thread pass over the
    /// stored rows, including those that pair with a loose end stored by an earlier run.
    @Test(arguments: [1, 2, 3, 50_000] as [Int64])
    func spilledIntervalsOnTwoThreadsAreThoseOfOneThread(sliceRows: Int64) throws {
        let path = NSTemporaryDirectory() + "tracedoctor-pipeline-\(UUID().uuidString).db"
        defer { TraceStore.remove(path) }
        let earlier = """
            {"time":"2026-12-03T10:00:00.050Z","service":"worker","message":"job_start","execution_id":"e0"}

            """
        let lines = """
            {"time":"2026-12-03T10:00:00.100Z","service":"worker","message":"workflow_start","execution_id":"e1"}
            {"time":"2026-12-03T10:00:00.110Z","service":"worker","message":"node_start","execution_id":"e1","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.200Z","service":"worker","message":"cache lookup","duration_ms":12}
            {"time":"2026-12-03T10:00:00.210Z","service":"worker","message":"plain line"}
            {"time":"2026-12-03T10:00:00.340Z","service":"worker","message":"node_complete","execution_id":"e1","node_id":"llm-1"}
            {"time":"2026-12-03T10:00:00.345Z","service":"worker","message":"job_end","execution_id":"e0"}
            {"time":"2026-12-03T10:00:00.350Z","service":"worker","message":"node_start","execution_id":"e1","node_id":"answer-1"}
            {"time":"2026-12-03T10:00:00.360Z","service":"worker","message":"step_end","execution_id":"e9"}
            {"time":"2026-12-03T10:00:00.400Z","service":"worker","message":"workflow_end","execution_id":"e1"}

            """
        let store = try TraceStore(path: path)
        defer { store.close() }
        func ingest(_ text: String, _ hash: String) throws {
            _ = try store.ingest(
                SourceDescription(path: hash + ".jsonl", format: .jsonLogs, sizeBytes: Int64(text.utf8.count)),
                finished: { (hash, Int64(text.utf8.count), 0) },
                body: { sink in try JSONLogReader().read(MemorySource(text), into: sink, context: ReadContext(keepGoing: false)) })
        }
        try ingest(earlier, "h0")
        try store.queue.write { db in _ = try TraceStore.buildLogIntervals(db, rows: nil, rules: .defaults) }
        #expect(try store.allLogIntervals().map(\.kind) == [.unfinished])
        let spill = IntervalCandidateSpill(memoryBytes: 100)
        store.intervalCandidateTest = IntervalCandidateTest(.defaults)
        store.intervalSpill = spill
        try ingest(lines, "h1")
        let last = try store.lastLogRow()
        let columns = "kind, name, label, start_ns, end_ns, service, failed, start_log_id, end_log_id, keys, trace_id, span_id, note"
        func dump() throws -> [String] {
            try store.queue.read { db in
                try Row.fetchAll(db, sql: "SELECT \(columns) FROM log_intervals ORDER BY coalesce(start_ns, end_ns), kind, label")
                    .map { $0.description }
            }
        }
        let before = try store.queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM log_intervals") }
        let counts = try store.queue.write { db in
            try TraceStore.buildLogIntervals(
                db, rows: 2...last, rules: .defaults,
                spilled: TraceStore.SpilledCandidates(
                    reader: try IntervalCandidateSpill.Reader(spill), staleRows: [], filter: IntervalAttributeFilter(.defaults)),
                sliceRows: sliceRows)
        }
        let twoThreads = try dump()
        try store.queue.write { db in
            try db.execute(sql: "DELETE FROM log_intervals")
            for row in before {
                try db.execute(
                    sql: "INSERT INTO log_intervals (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: StatementArguments(columns.components(separatedBy: ", ").map { row[$0] as DatabaseValue }))
            }
            _ = try TraceStore.buildLogIntervals(db, rows: 2...last, rules: .defaults, sliceRows: sliceRows)
        }
        #expect(try dump() == twoThreads)
        #expect(counts == [.pair: 3, .duration: 1, .unfinished: 1, .endWithoutStart: 1], "\(twoThreads)")
    }

    /// The members the interval rules read are taken from a line's attributes as
    /// `JSONSerialization` reads them, whatever their type.
    @Test func attributeFilterReadsWhatFoundationReads() throws {
        let filter = IntervalAttributeFilter(.defaults)
        let texts = [
            #"{}"#, #"{"duration":1,"execution_id":"a\u00e9\n","x_ms":1.5e3,"y_s":true,"z":{"a_ms":1}}"#,
            #"{"request_id":12345678901234567890,"took":-0,"elapsed":"2 s","event":"a_start","wait_ms":null}"#,
            #"{"node_id":[1,2],"total_duration":0.25, "job" : 7 ,"_ms":3,"ms":4}"#,
        ]
        for text in texts {
            let mine = try #require(filter.members(of: Array(text.utf8)), "\(text)")
            let all = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            for (key, value) in mine {
                #expect("\(value)" == "\(all[key]!)", "\(key) in \(text)")
                #expect(String(describing: type(of: value as AnyObject)) == String(describing: type(of: all[key]! as AnyObject))
                    || (value as? NSNumber)?.objCType.pointee == (all[key] as? NSNumber)?.objCType.pointee, "\(key)")
            }
            let line = { (attributes: [String: Any]) in
                LogIntervalBuilder.Line(rowID: 1, timeNs: 1_000_000_000, service: "s", body: "x", attributes: attributes)
            }
            #expect(
                LogIntervalBuilder.build([line(mine)], rules: .defaults) == LogIntervalBuilder.build([line(all)], rules: .defaults),
                "\(text)")
        }
        #expect(filter.members(of: Array("[1]".utf8)) == nil)
    }

    /// Migration v3 re-hashes the logs a v2 database holds, so that the same record arriving
    /// later in another format (here the log file's line, in milliseconds) is found as a duplicate.
    @Test func migrationV3RehashesStoredLogsForTheDuplicateCheck() throws {
        let path = NSTemporaryDirectory() + "tracedoctor-v2-\(UUID().uuidString).db"
        defer { TraceStore.remove(path) }
        let otlp = #"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"frontend"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1795315507732123136","observedTimeUnixNano":"1795315507732156018","severityNumber":9,"severityText":"INFO","body":{"stringValue":"checkout page requested (cart 0)"},"traceId":"fe88d3c2df9642e63670e4e28819f52e","spanId":"de3e267aa55ede1b"}]}]}]}"#
        let line = #"{"time":"2026-11-22T02:45:07.732Z","level":"INFO","msg":"checkout page requested (cart 0)","otelTraceID":"fe88d3c2df9642e63670e4e28819f52e","otelSpanID":"de3e267aa55ede1b","otelServiceName":"frontend"}"# + "\n"
        do {
            let store = try TraceStore(path: path)
            try ingest(store, otlp, hash: "h1")
            // As a v2 database had it: without v3, and another hash in identity_hash.
            try store.queue.write { db in
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3_log_identity_across_formats'")
                try db.execute(sql: "UPDATE logs SET identity_hash = 12345")
            }
            store.close()
        }
        #expect(throws: TraceDoctorError.self) { try TraceStore(path: path, readOnly: true) }
        let store = try TraceStore(path: path)
        let expected = Array("checkout page requested (cart 0)".utf8).withUnsafeBytes {
            LogIdentity.hash(traceHigh: 0xfe88_d3c2_df96_42e6, traceLow: 0x3670_e4e2_8819_f52e, spanID: 0xde3e_267a_a55e_de1b, severity: 9, body: $0)
        }
        #expect(try count(store, "SELECT identity_hash FROM logs") == Int(expected))
        let outcome = try store.ingest(
            SourceDescription(path: "app.log.jsonl", format: .jsonLogs, sizeBytes: Int64(line.utf8.count)),
            finished: { ("h2", Int64(line.utf8.count), 0) },
            body: { sink in try JSONLogReader().read(MemorySource(line), into: sink, context: ReadContext(keepGoing: false)) })
        guard case let .ingested(counts) = outcome else {
            Issue.record("expected ingested")
            return
        }
        #expect(counts.logs == 1 && counts.duplicateLogs == 1)
        #expect(try count(store, "SELECT count(*) FROM logs") == 1)
    }
}
