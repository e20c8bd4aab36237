import Foundation
import Testing

/// A directory of many small files (one export request each): `ingest` stores them in batches,
/// one transaction for many files with a savepoint per file, and every file is still stored
/// whole or not at all, reported on its own line, and found again by its content hash.
@Suite(.serialized) struct SmallFilesCLITests {
    /// One OTLP/JSON export request of `spans` spans in a trace of its own (IDs from `index`).
    static func request(_ index: Int, spans: Int = 3) -> String {
        let trace = String(format: "%032x", 0x5b8e_0000 + index)
        let list = (0..<spans).map { s in
            let id = String(format: "%08x%08x", index, s + 1)
            let parent = s == 0 ? "" : #","parentSpanId":"\#(String(format: "%08x%08x", index, 1))""#
            return #"{"traceId":"\#(trace)","spanId":"\#(id)"\#(parent),"name":"op\#(s)","kind":2,"startTimeUnixNano":"\#(1_700_000_000_000_000_000 + index * 1000 + s)","endTimeUnixNano":"\#(1_700_000_000_000_000_900 + index * 1000)"}"#
        }
        return #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc\#(index % 7)"}}]},"scopeSpans":[{"spans":[\#(list.joined(separator: ","))]}]}]}"#
    }

    /// Writes `count` one-request files under `dir` (`req-0000.json`, ...); returns their paths.
    @discardableResult
    static func writeFiles(_ count: Int, into dir: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return try (0..<count).map { i in
            let path = dir + String(format: "/req-%04d.json", i)
            try request(i).write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }
    }

    static func files(_ stdout: String) throws -> [(path: String, status: String)] {
        let files = try CLI.json(stdout)["files"] as? [[String: Any]] ?? []
        return files.map { ($0["path"] as? String ?? "", $0["status"] as? String ?? "") }
    }

    @Test func aBadFileAmongManyIsRejectedAloneAndTheOthersAreStored() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let dir = tmp + "/requests"
        let paths = try Self.writeFiles(120, into: dir)
        // The 61st file breaks off in the middle of a span.
        let bad = paths[60]
        let text = Self.request(60)
        try String(text.prefix(text.count - 40)).write(toFile: bad, atomically: false, encoding: .utf8)
        let db = tmp + "/t.db"

        let run = try CLI.run(["ingest", "--db", db, dir])
        #expect(run.status == 2)
        #expect(run.stderr.contains("tracedoctor: error: \(bad):1:"), "\(run.stderr)")
        // A line per file, in order, the bad one rejected.
        let rows = run.stdout.split(separator: "\n").filter { $0.hasPrefix("ingested") || $0.hasPrefix("rejected") }
        #expect(rows.count == 120)
        #expect(rows.filter { $0.hasPrefix("ingested") }.count == 119)
        #expect(rows[60].hasPrefix("rejected") && rows[60].contains(bad), "\(rows[60])")
        #expect(run.stdout.contains("total: 120 files (119 ingested, 1 rejected), 357 spans"), "\(run.stdout)")
        #expect(try sqlite(db, "SELECT count(*) FROM sources") == ["119"])
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["357"])
        #expect(try sqlite(db, "SELECT count(*) FROM sources WHERE path = '\(bad)'") == ["0"])
        #expect(try sqlite(db, "SELECT count(*) FROM spans WHERE trace_id = '\(String(format: "%032x", 0x5b8e_0000 + 60))'") == ["0"])
        try ReliabilityTests.checkWholeFiles(db)
        #expect(!FileManager.default.fileExists(atPath: db + "-wal"))

        // Again: every good file is found by its content hash, the bad one is rejected again.
        let again = try CLI.run(["ingest", "--db", db, "--format", "json", dir])
        #expect(again.status == 2)
        let statuses = try Self.files(again.stdout)
        #expect(statuses.count == 120)
        #expect(statuses.filter { $0.status == "already_ingested" }.count == 119)
        #expect(statuses[60] == (bad, "rejected"))
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["357"])

        // Mended, the bad file alone is added.
        try text.write(toFile: bad, atomically: false, encoding: .utf8)
        let mended = try CLI.run(["ingest", "--db", db, "--format", "json", dir])
        #expect(mended.status == 0, "\(mended.stderr)")
        #expect(try Self.files(mended.stdout).filter { $0.status == "ingested" }.map(\.path) == [bad])
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["360"])
        try ReliabilityTests.checkWholeFiles(db)
    }

    @Test func theSameContentTwiceInOneDirectoryIsStoredOnce() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let dir = tmp + "/requests"
        let paths = try Self.writeFiles(30, into: dir)
        try FileManager.default.copyItem(atPath: paths[3], toPath: dir + "/req-0003-copy.json")
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, "--format", "json", dir])
        #expect(run.status == 0, "\(run.stderr)")
        let statuses = try Self.files(run.stdout)
        #expect(statuses.count == 31)
        #expect(statuses.filter { $0.status == "ingested" }.count == 30)
        // In name order the copy comes first: it is stored, the original found by its hash.
        let twins = statuses.filter { $0.path.hasSuffix("req-0003-copy.json") || $0.path.hasSuffix("req-0003.json") }
        #expect(twins.map(\.status) == ["ingested", "already_ingested"])
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["90"])
        try ReliabilityTests.checkWholeFiles(db)
    }

    /// Ctrl-C in the middle of a directory: the files reported as ingested are exactly those
    /// stored, each whole; the rest are stored by the next run.
    @Test(arguments: [0.0, 0.15, 0.5, 1.0])
    func ctrlCAmongSmallFilesStoresExactlyWhatTheReportSays(delay: Double) throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let dir = tmp + "/requests"
        try Self.writeFiles(6000, into: dir)
        let db = tmp + "/t.db"
        let output = Pipe()
        let process = try ReliabilityTests.start(
            ["ingest", "--db", db, "--format", "json", dir], stdout: output.fileHandleForWriting)
        try output.fileHandleForWriting.close()
        // Ctrl-C once ingest is under way (the database exists), not while the process starts.
        let started = Date()
        while !FileManager.default.fileExists(atPath: db) && Date().timeIntervalSince(started) < 60 && process.isRunning {
            Thread.sleep(forTimeInterval: 0.005)
        }
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGINT)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect([0, 130].contains(process.terminationStatus), "\(text)")
        let reported = Set(try Self.files(text).filter { $0.status == "ingested" }.map(\.path))
        if FileManager.default.fileExists(atPath: db) {
            try ReliabilityTests.checkWholeFiles(db)
            #expect(Set(try sqlite(db, "SELECT path FROM sources")) == reported)
        } else {
            #expect(reported.isEmpty)
        }
        let rest = try CLI.run(["ingest", "--db", db, "--quiet", dir])
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["18000"])
        #expect(try sqlite(db, "SELECT count(*) FROM sources") == ["6000"])
    }

    /// Two ingests of the same directory at once into a database that does not exist yet: both
    /// succeed and every file is stored once.
    @Test func twoIngestsOfOneDirectoryAtOnceStoreEachFileOnce() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let dir = tmp + "/requests"
        try Self.writeFiles(300, into: dir)
        let db = tmp + "/t.db"
        let processes = try [
            ReliabilityTests.start(["ingest", "--db", db, dir]), ReliabilityTests.start(["ingest", "--db", db, dir]),
        ]
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        #expect(try sqlite(db, "SELECT count(*) FROM sources") == ["300"])
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["900"])
        try ReliabilityTests.checkWholeFiles(db)
    }
}
