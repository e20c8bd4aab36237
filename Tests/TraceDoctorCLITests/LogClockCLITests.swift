// `ingest --log-timezone` and the notice about log lines a zone offset away from their spans, on
// the demo's real log lines rewritten as naive local time in +08:00 (fixtures/logs/README.md).

import Foundation
import Testing

@Suite(.serialized) struct LogClockCLITests {
    static let spans = CLI.fixtures + "/demo/traces.otlp.jsonl"
    static let utcLog = CLI.fixtures + "/demo/app.log.jsonl"
    static let localLog = CLI.fixtures + "/logs/app-local-time-shanghai.jsonl"

    func loggedTimes(_ db: String) throws -> [String] {
        try sqlite(db, "SELECT source_line, time_ns, body FROM logs ORDER BY source_line")
    }

    @Test func withoutTheFlagIngestNamesTheEightHourOffset() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, "--format", "json", Self.localLog, Self.spans])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("tracedoctor: notice: "), "\(run.stderr)")
        #expect(run.stderr.contains("log lines of \(Self.localLog) sit 8 h after the spans they name"), "\(run.stderr)")
        #expect(run.stderr.contains("--log-timezone +08:00"), "\(run.stderr)")
        let json = try CLI.json(run.stdout)
        let clock = try #require((json["log_clock"] as? [[String: Any]])?.first)
        #expect(clock["offset_seconds"] as? Int == 28_800)
        #expect(clock["zone"] as? String == "+08:00")
        #expect(clock["path"] as? String == Self.localLog)
        #expect((clock["lines"] as? Int ?? 0) >= 3)
        #expect(clock["lines"] as? Int == clock["examined_lines"] as? Int)
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.first?["local_time_logs"] as? Int == 63)
        #expect(files.last?["local_time_logs"] as? Int == 0)
    }

    @Test(arguments: ["Asia/Shanghai", "+08:00", "+0800"])
    func withTheFlagTheTimesAreThoseOfTheUTCCapture(zone: String) throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let local = tmp + "/local.db"
        let utc = tmp + "/utc.db"
        let run = try CLI.run(["ingest", "--db", local, "--log-timezone", zone, Self.spans, Self.localLog])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr == "", "\(run.stderr)")
        let reference = try CLI.run(["ingest", "--db", utc, "--quiet", Self.spans, Self.utcLog])
        #expect(reference.status == 0 && reference.stderr == "", "\(reference.stderr)")
        let times = try loggedTimes(local)
        #expect(times.count == 63)
        #expect(times == (try loggedTimes(utc)))
    }

    @Test func theUTCCaptureGetsNoNotice() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", "--format", "json", Self.spans, Self.utcLog])
        #expect(run.status == 0 && run.stderr == "", "\(run.stderr)")
        #expect((try CLI.json(run.stdout)["log_clock"] as? [Any])?.isEmpty == true)
    }

    @Test func timesWithAnOffsetKeepIt() throws {
        // The flag only applies to times without a zone: the UTC capture's `…Z` times stay.
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let zoned = try CLI.run(["ingest", "--db", tmp + "/a.db", "--quiet", "--log-timezone", "Asia/Shanghai", Self.utcLog])
        let plain = try CLI.run(["ingest", "--db", tmp + "/b.db", "--quiet", Self.utcLog])
        #expect(zoned.status == 0 && plain.status == 0)
        #expect(try loggedTimes(tmp + "/a.db") == (try loggedTimes(tmp + "/b.db")))
    }

    @Test func anUnknownZoneIsAUsageError() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["ingest", "--db", tmp + "/t.db", "--log-timezone", "Shanghai", Self.localLog])
        #expect(run.status == 64)
        #expect(run.stdout == "")
        #expect(
            run.stderr.contains(
                "The value 'Shanghai' is invalid for '--log-timezone <[path=]zone>': not a zone: give an IANA name such as Asia/Shanghai or Europe/Berlin, an offset such as +08:00 or -05:30, or UTC"
            ), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp + "/t.db"))
    }
}

extension LogClockCLITests {
    @Test func explainNamesTheOffsetUntilTheFlagIsGiven() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let naive = tmp + "/naive.db"
        let fixed = tmp + "/fixed.db"
        _ = try CLI.run(["ingest", "--db", naive, "--quiet", Self.spans, Self.localLog])
        _ = try CLI.run(["ingest", "--db", fixed, "--quiet", "--log-timezone", "Asia/Shanghai", Self.spans, Self.localLog])

        let text = try CLI.run(["explain", "--db", naive, "--most-broken", "--no-color"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("log clock 4 of 4 log lines sit 8 h after the spans they name"), "\(text.stdout)")
        #expect(text.stdout.contains("--log-timezone +08:00"))
        let json = try CLI.json(try CLI.run(["explain", "--db", naive, "--most-broken", "--format", "json"]).stdout)
        let clock = try #require(json["log_clock"] as? [String: Any])
        #expect(clock["offset_seconds"] as? Int == 28_800)
        #expect(clock["zone"] as? String == "+08:00")
        let html = try CLI.run(["explain", "--db", naive, "--most-broken", "--format", "html"]).stdout
        #expect(html.contains("log clock"), "no log clock fact in the HTML header")
        #expect(html.contains("--log-timezone +08:00"))

        // With the flag the lines fall inside their spans, and the gap's lines join it again.
        let good = try CLI.run(["explain", "--db", fixed, "--most-broken", "--no-color"])
        #expect(!good.stdout.contains("log clock"), "\(good.stdout)")
        // The line without trace ID written during the gap is found by time only on the right clock.
        #expect(good.stdout.contains("'rate-limit token granted'"), "\(good.stdout)")
        #expect(!text.stdout.contains("'rate-limit token granted'"), "\(text.stdout)")
        let fixedJSON = try CLI.json(try CLI.run(["explain", "--db", fixed, "--most-broken", "--format", "json"]).stdout)
        #expect(fixedJSON["log_clock"] is NSNull)
    }
}

/// `--log-timezone PATH=ZONE`: log files of one ingest written in different zones.
extension LogClockCLITests {
    /// The Shanghai capture cut in two: the frontend's lines stay in +08:00 (`frontend.jsonl`),
    /// the other services' lines are rewritten as naive local time in -05:00 (`others/rest.jsonl`).
    func splitByZone(_ tmp: String) throws -> (frontend: String, folder: String, rest: String) {
        let lines = try String(contentsOfFile: Self.localLog, encoding: .utf8).split(separator: "\n").map(String.init)
        let shanghai = DateFormatter()
        shanghai.locale = Locale(identifier: "en_US_POSIX")
        shanghai.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        shanghai.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        let newYork = DateFormatter()
        newYork.locale = shanghai.locale
        newYork.dateFormat = shanghai.dateFormat
        newYork.timeZone = TimeZone(secondsFromGMT: -5 * 3600)
        var frontend: [String] = []
        var rest: [String] = []
        for line in lines {
            if line.contains(#""otelServiceName":"frontend""#) {
                frontend.append(line)
                continue
            }
            let start = try #require(line.range(of: #""time":""#)).upperBound
            let end = line.index(start, offsetBy: 23)
            let date = try #require(shanghai.date(from: String(line[start..<end])))
            rest.append(line.replacingCharacters(in: start..<end, with: newYork.string(from: date)))
        }
        #expect(!frontend.isEmpty && !rest.isEmpty)
        let folder = tmp + "/others"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try (frontend.joined(separator: "\n") + "\n").write(toFile: tmp + "/frontend.jsonl", atomically: true, encoding: .utf8)
        try (rest.joined(separator: "\n") + "\n").write(toFile: folder + "/rest.jsonl", atomically: true, encoding: .utf8)
        return (tmp + "/frontend.jsonl", folder, folder + "/rest.jsonl")
    }

    func timesByBody(_ db: String) throws -> [String] {
        try sqlite(db, "SELECT time_ns, body FROM logs ORDER BY time_ns, body, id")
    }

    @Test func eachLogFileInItsOwnZoneGivesTheTimesOfTheUTCCapture() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let files = try splitByZone(tmp)
        let reference = try CLI.run(["ingest", "--db", tmp + "/utc.db", "--quiet", Self.spans, Self.utcLog])
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try timesByBody(tmp + "/utc.db")
        #expect(expected.count == 63)

        // A file and a folder, each with its zone.
        let both = try CLI.run([
            "ingest", "--db", tmp + "/both.db", "--log-timezone", files.frontend + "=Asia/Shanghai",
            "--log-timezone", files.folder + "=-05:00", Self.spans, files.frontend, files.folder,
        ])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stderr == "", "\(both.stderr)")
        #expect(try timesByBody(tmp + "/both.db") == expected)

        // A bare zone is the default of the files no PATH= names; a file below a folder may be named.
        let defaulted = try CLI.run([
            "ingest", "--db", tmp + "/default.db", "--quiet", "--log-timezone", "+08:00",
            "--log-timezone", files.rest + "=America/Bogota", Self.spans, files.frontend, files.folder,
        ])
        #expect(defaulted.status == 0 && defaulted.stderr == "", "\(defaulted.stderr)")
        #expect(try timesByBody(tmp + "/default.db") == expected)

        // Without the second file's zone its lines land 5 h off, and ingest names that offset.
        let half = try CLI.run([
            "ingest", "--db", tmp + "/half.db", "--log-timezone", files.frontend + "=Asia/Shanghai",
            Self.spans, files.frontend, files.folder,
        ])
        #expect(half.status == 0)
        #expect(half.stderr.contains("log lines of \(files.rest) sit 5 h before the spans they name"), "\(half.stderr)")
        #expect(half.stderr.contains("--log-timezone -05:00"), "\(half.stderr)")
        #expect(!half.stderr.contains(files.frontend), "\(half.stderr)")
    }

    @Test func aPathThatIsNoInputIsAUsageError() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run([
            "ingest", "--db", tmp + "/t.db", "--log-timezone", "worker.log=Asia/Shanghai", Self.localLog,
        ])
        #expect(run.status == 64)
        #expect(run.stdout == "")
        #expect(
            run.stderr
                == "tracedoctor: error: --log-timezone worker.log=Asia/Shanghai: worker.log is not among the inputs; PATH must be a file or folder given to ingest (or a file below such a folder), or - for stdin\n",
            "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp + "/t.db"))

        let twice = try CLI.run([
            "ingest", "--db", tmp + "/t.db", "--log-timezone", Self.localLog + "=+08:00", "--log-timezone",
            Self.localLog + "=UTC", Self.localLog,
        ])
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("--log-timezone names \(Self.localLog) twice (+08:00 and UTC)"), "\(twice.stderr)")

        let badZone = try CLI.run(["ingest", "--db", tmp + "/t.db", "--log-timezone", Self.localLog + "=Shanghai", Self.localLog])
        #expect(badZone.status == 64)
        #expect(badZone.stderr.contains("not a zone ('Shanghai'): give an IANA name"), "\(badZone.stderr)")

        let twoDefaults = try CLI.run(["ingest", "--db", tmp + "/t.db", "--log-timezone", "UTC", "--log-timezone", "+01:00", Self.localLog])
        #expect(twoDefaults.status == 64)
        #expect(twoDefaults.stderr.contains("--log-timezone without a path is given more than once"), "\(twoDefaults.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp + "/t.db"))
    }
}
