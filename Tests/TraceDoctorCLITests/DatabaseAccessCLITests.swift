// Databases someone else wrote (issue 19) and databases many processes create at once (issue 16):
// read commands work in a folder they cannot write and leave it as they found it; any number of
// `ingest`s started together on a new path all succeed and lose nothing.

import Foundation
import Testing

@Suite(.serialized) struct DatabaseAccessCLITests {
    /// Every read command, with arguments, on a database of the demo dump.
    static let readCommands: [[String]] = [
        ["traces"], ["orphans"], ["gaps"], ["stats"], ["explain", "--most-broken"], ["logs", "bf576df7"],
        ["sql", "SELECT count(*) FROM spans"], ["check"],
    ]

    /// A folder holding `d.db`, the demo dump ingested.
    static func demoDatabase() throws -> (folder: String, db: String) {
        let folder = CLI.temporaryDirectory()
        let db = folder + "/d.db"
        let run = try CLI.run(["ingest", "--quiet", "--db", db, CLI.fixtures + "/demo"])
        #expect(run.status == 0, "\(run.stderr)")
        return (folder, db)
    }

    /// Makes `folder` unwritable even for root (tests run as root, where permission bits do not
    /// stop writes): `chattr +i`, undone by the returned closure.
    static func freeze(_ folder: String) throws -> () -> Void {
        func chattr(_ flag: String) -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
            process.arguments = [flag, folder]
            try? process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        try #require(chattr("+i") == 0, "chattr +i is needed to make a folder read-only for root")
        #expect(!FileManager.default.createFile(atPath: folder + "/probe", contents: nil), "the folder is still writable")
        return { _ = chattr("-i") }
    }

    static func files(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// Each read command prints the same report in a folder it cannot write as in one it can,
    /// with nothing on stderr, and neither run leaves a file beside the database.
    @Test func readCommandsWorkInAFolderTheyCannotWriteAndLeaveItAsFound() throws {
        let (folder, db) = try Self.demoDatabase()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(Self.files(folder) == ["d.db"], "ingest left \(Self.files(folder))")
        var expected: [String: Run] = [:]
        for command in Self.readCommands {
            let run = try CLI.run(command + ["--db", db])
            #expect(run.stderr == "", "\(command): \(run.stderr)")
            #expect(run.status == (command == ["check"] ? 1 : 0), "\(command): \(run.status)")
            #expect(!run.stdout.isEmpty)
            #expect(Self.files(folder) == ["d.db"], "\(command) left \(Self.files(folder))")
            expected[command.joined(separator: " ")] = run
        }
        let thaw = try Self.freeze(folder)
        defer { thaw() }
        for command in Self.readCommands {
            let run = try CLI.run(command + ["--db", db])
            let writable = try #require(expected[command.joined(separator: " ")])
            #expect(run.stderr == "", "\(command) in a read-only folder: \(run.stderr)")
            #expect(run.status == writable.status, "\(command) in a read-only folder")
            #expect(run.stdout == writable.stdout, "\(command) prints something else in a read-only folder")
        }
        #expect(Self.files(folder) == ["d.db"])
    }

    /// A database whose -wal and -shm a killed or concurrent process left behind: in a writable
    /// folder the reader (the last connection) checkpoints and removes them; the data in the
    /// -wal is read, not lost.
    @Test func readersTidyUpAWALLeftBehind() throws {
        let (folder, db) = try Self.demoDatabase()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let before = try CLI.run(["traces", "--db", db])
        // A read-only reader (the sqlite3 CLI) leaves both files, with the WAL kept.
        #expect(try sqlite(db, "PRAGMA journal_mode") == ["wal"])
        _ = try sqlite("file:" + db + "?mode=ro", "SELECT count(*) FROM spans")
        let left = Self.files(folder)
        let run = try CLI.run(["traces", "--db", db])
        #expect(run.status == 0 && run.stderr == "")
        #expect(run.stdout == before.stdout)
        #expect(Self.files(folder) == ["d.db"], "the reader left \(Self.files(folder)) (before it: \(left))")
    }

    /// Issue 16: several `ingest`s started together on a path where no database exists yet all
    /// succeed, each storing its own file, and nothing is lost. Repeated: the race is timing.
    @Test func ingestsStartedTogetherOnANewPathAllSucceed() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        // One collector batch per file: six files with different spans.
        let lines = try String(contentsOfFile: CLI.fixtures + "/demo/traces.otlp.jsonl", encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == 6)
        var inputs: [String] = []
        for (i, line) in lines.enumerated() {
            let path = tmp + "/batch\(i).jsonl"
            try (line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            inputs.append(path)
        }
        for round in 0..<5 {
            let db = tmp + "/new\(round).db"
            var processes: [(Process, Pipe)] = []
            for input in inputs {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: CLI.binary)
                process.arguments = ["ingest", "--quiet", "--db", db, input]
                let err = Pipe()
                process.standardOutput = FileHandle.nullDevice
                process.standardError = err
                processes.append((process, err))
            }
            for (process, _) in processes { try process.run() }
            for (process, err) in processes {
                let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0, "round \(round): \(text)")
                #expect(!text.contains("error"), "round \(round): \(text)")
            }
            #expect(try sqlite(db, "SELECT count(*) FROM sources") == ["6"], "round \(round)")
            #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["121"], "round \(round)")
            #expect(try sqlite(db, "SELECT count(*) FROM grdb_migrations") == ["5"], "round \(round)")
            let traces = try CLI.run(["traces", "--db", db, "--limit", "0"])
            #expect(traces.status == 0 && traces.stdout.hasPrefix("15 traces"), "\(traces.stderr)")
        }
    }

    /// Issue 16: `traces` runs while `ingest` writes; each run sees a whole file or none of it.
    @Test func tracesWorksWhileIngestWrites() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let input = tmp + "/big.jsonl"
        let generator = Process()
        generator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generator.arguments = ["python3", CLI.root + "/bench/gen_otlp.py", "--size", "12M", "--seed", "3", "--out", input]
        generator.standardOutput = FileHandle.nullDevice
        try generator.run()
        generator.waitUntilExit()
        let db = tmp + "/t.db"
        let seed = try CLI.run(["ingest", "--quiet", "--db", db, CLI.fixtures + "/demo/traces.otlp.jsonl"])
        #expect(seed.status == 0)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: CLI.binary)
        writer.arguments = ["ingest", "--quiet", "--db", db, input]
        writer.standardOutput = FileHandle.nullDevice
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: input + ".truth.json")))
        let added = try #require((truth as? [String: Any])?["traces"] as? Int)
        var reads = 0
        while writer.isRunning || reads == 0 {
            let run = try CLI.run(["traces", "--db", db, "--limit", "1", "--format", "json"])
            #expect(run.status == 0, "traces failed during the ingest: \(run.stderr)")
            #expect(run.stderr == "")
            let total = try CLI.json(run.stdout)["total"] as? Int
            #expect(total == 15 || total == 15 + added, "traces saw part of a file: \(String(describing: total))")
            reads += 1
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(reads > 1)
        let after = try CLI.run(["traces", "--db", db, "--limit", "1", "--format", "json"])
        #expect(after.status == 0)
        #expect(try CLI.json(after.stdout)["total"] as? Int == 15 + added)
        #expect(Self.files(tmp).filter { $0.hasPrefix("t.db") } == ["t.db"])
    }
}
