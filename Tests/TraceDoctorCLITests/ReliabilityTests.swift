import Foundation
import Testing

/// Killed, interrupted, or sharing the database with another ingest: every file is stored
/// whole or not at all, and nothing is lost or doubled.
@Suite(.serialized) struct ReliabilityTests {
    /// Generated OTLP JSON Lines files (bench/gen_otlp.py, deterministic), made once per run.
    static let inputs: [String: (path: String, spans: Int)] = {
        let dir = NSTemporaryDirectory() + "tracedoctor-reliability-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var result: [String: (String, Int)] = [:]
        for (name, size, seed) in [("big", "12M", 7), ("a", "3M", 1), ("b", "3M", 2)] {
            let path = dir + "/\(name).jsonl"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", CLI.root + "/bench/gen_otlp.py", "--size", size, "--seed", "\(seed)", "--out", path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try? process.run()
            process.waitUntilExit()
            let truth = (try? Data(contentsOf: URL(fileURLWithPath: path + ".truth.json"))) ?? Data()
            let spans = ((try? JSONSerialization.jsonObject(with: truth)) as? [String: Any])?["spans"] as? Int ?? -1
            result[name] = (path, spans)
        }
        return result
    }()

    /// Starts `tracedoctor args...` without waiting.
    static func start(_ args: [String], stdout: FileHandle? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = args
        process.standardOutput = stdout ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Every source's rows are all there, and no row belongs to no source.
    static func checkWholeFiles(_ db: String) throws {
        #expect(try sqlite(db, "PRAGMA integrity_check") == ["ok"])
        let mismatched = try sqlite(
            db,
            """
            SELECT s.path, s.span_count - s.duplicate_count, (SELECT count(*) FROM spans WHERE source_id = s.id)
            FROM sources s WHERE s.span_count - s.duplicate_count <> (SELECT count(*) FROM spans WHERE source_id = s.id)
            """)
        #expect(mismatched.isEmpty, "partly stored sources: \(mismatched)")
        let strays = try sqlite(db, "SELECT count(*) FROM spans WHERE source_id NOT IN (SELECT id FROM sources)")
        #expect(strays == ["0"])
    }

    @Test(arguments: [0.05, 0.4, 1.0, 2.0])
    func aKilledIngestLeavesEachFileWholeOrAbsent(delay: Double) throws {
        let big = try #require(Self.inputs["big"])
        let small = try #require(Self.inputs["a"])
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let seed = try CLI.run(["ingest", "--db", db, "--quiet", small.path])
        #expect(seed.status == 0)
        let process = try Self.start(["ingest", "--db", db, big.path])
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try Self.checkWholeFiles(db)
        let spans = try sqlite(db, "SELECT count(*) FROM spans").first.flatMap(Int.init) ?? -1
        #expect(spans == small.spans || spans == small.spans + big.spans, "\(spans) spans after SIGKILL at \(delay) s")
        // The database stays usable: the killed file can be ingested again.
        let again = try CLI.run(["ingest", "--db", db, "--quiet", big.path])
        #expect(again.status == 0)
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["\(small.spans + big.spans)"])
    }

    @Test func ctrlCStopsCleanlyAndSaysWhatWasStored() throws {
        let big = try #require(Self.inputs["big"])
        let small = try #require(Self.inputs["a"])
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let output = Pipe()
        let process = try Self.start(["ingest", "--db", db, small.path, big.path], stdout: output.fileHandleForWriting)
        try output.fileHandleForWriting.close()
        // Wait until the small file is committed, then interrupt during the big one.
        for _ in 0..<200 {
            if (try? sqlite(db, "SELECT count(*) FROM sources")) == ["1"] { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Thread.sleep(forTimeInterval: 0.1)
        kill(process.processIdentifier, SIGINT)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(text)")
        #expect(text.contains("stopped"), "\(text)")
        #expect(text.contains("interrupted: the files marked ingested above are stored; the rest is not"))
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["\(small.spans)"])
        try Self.checkWholeFiles(db)
    }

    @Test func twoIngestsAtOnceLoseAndDoubleNothing() throws {
        let a = try #require(Self.inputs["a"])
        let b = try #require(Self.inputs["b"])
        let big = try #require(Self.inputs["big"])
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        _ = try CLI.run(["ingest", "--db", db, "--quiet", a.path])
        // Two writers on other files, and the same file twice at once.
        let processes = try [
            Self.start(["ingest", "--db", db, big.path]),
            Self.start(["ingest", "--db", db, b.path]),
            Self.start(["ingest", "--db", db, b.path]),
        ]
        // Readers keep working while the writers run.
        var reads = 0
        while processes.contains(where: \.isRunning) {
            let run = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT count(*) FROM spans"])
            #expect(run.status == 0, "a reader failed during the ingest: \(run.stderr)")
            reads += 1
        }
        for process in processes {
            #expect(process.terminationStatus == 0)
        }
        #expect(reads > 0)
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["\(a.spans + b.spans + big.spans)"])
        #expect(try sqlite(db, "SELECT count(*) FROM sources") == ["3"])
        try Self.checkWholeFiles(db)
    }
}
