import Foundation
import Testing

/// `tracedoctor sql`: read-only by construction, three output formats, errors with position.
@Suite(.serialized) struct SQLCLITests {
    /// A database with the OTLP example trace of otel-desktop-viewer (6 spans, 5 services).
    static func database() throws -> (tmp: String, db: String) {
        let tmp = CLI.temporaryDirectory()
        let db = tmp + "/t.db"
        let run = try CLI.run(["ingest", "--db", db, "--quiet", CLI.fixtures + "/corpus/otel-desktop-viewer/traces.json"])
        #expect(run.status == 0)
        return (tmp, db)
    }

    @Test func textTableGolden() throws {
        let (tmp, db) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run([
            "sql", "--db", db,
            "SELECT service, name, (end_ns - start_ns) / 1000000 AS ms, status_code FROM spans ORDER BY start_ns",
        ])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        Golden.check(run.stdout, "sql-table.txt")
    }

    @Test func csvQuotesWhatNeedsQuoting() throws {
        let (tmp, db) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run([
            "sql", "--db", db, "--format", "csv",
            "SELECT 'a,b' AS x, 'say \"hi\"' AS y, NULL AS z, 3 AS n",
        ])
        #expect(run.stdout == "x,y,z,n\r\n\"a,b\",\"say \"\"hi\"\"\",,3\r\n")
    }

    @Test func jsonIsAnArrayOfObjects() throws {
        let (tmp, db) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run([
            "sql", "--db", db, "--format", "json",
            "SELECT span_id, parent_span_id, kind, attributes->>'http.route' AS route FROM spans ORDER BY span_id LIMIT 2",
        ])
        let rows = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 2)
        #expect(rows?.first?["span_id"] as? String == "0000000000000001")
        #expect(rows?.first?["parent_span_id"] is NSNull)
        #expect(rows?.first?["kind"] as? Int == 2)
    }

    @Test(arguments: [
        ("DELETE FROM spans", "tracedoctor sql is read-only: DELETE is not allowed"),
        ("UPDATE spans SET name = 'x'", "tracedoctor sql is read-only: UPDATE is not allowed"),
        ("INSERT INTO sources (path) VALUES ('x')", "tracedoctor sql is read-only: INSERT is not allowed"),
        ("DROP TABLE spans", "tracedoctor sql is read-only: DROP TABLE is not allowed"),
        ("ATTACH 'other.db' AS other", "tracedoctor sql is read-only: ATTACH is not allowed"),
        ("PRAGMA journal_mode = DELETE", "tracedoctor sql is read-only: PRAGMA journal_mode is not allowed"),
        ("PRAGMA user_version = 7", "tracedoctor sql is read-only: PRAGMA user_version = 7 is not allowed"),
        ("SELECT load_extension('/tmp/x.so')", "tracedoctor sql is read-only: load_extension() is not allowed"),
        ("CREATE TEMP TABLE t (x)", "tracedoctor sql is read-only: CREATE TEMP TABLE is not allowed"),
        ("SELECT 1; DELETE FROM spans", "give one statement at a time"),
    ])
    func writesAreRefusedAndNothingChanges(sql: String, message: String) throws {
        let (tmp, db) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let run = try CLI.run(["sql", "--db", db, sql])
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        #expect(try sqlite(db, "SELECT count(*) FROM spans") == ["6"])
    }

    @Test func readingPragmasAreAllowed() throws {
        let (tmp, db) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT name FROM pragma_table_info('logs') LIMIT 2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "name\r\nid\r\ntime_ns\r\n")
        let info = try CLI.run(["sql", "--db", db, "PRAGMA table_info(spans)"])
        #expect(info.status == 0)
    }

    @Test func aSyntaxErrorPointsAtItsPosition() throws {
        let (tmp, db) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["sql", "--db", db, "SELECT *\nFORM spans"])
        #expect(run.status == 2)
        #expect(run.stderr == "tracedoctor: error: near \"FORM\": syntax error (at line 2, column 1)\n  FORM spans\n  ^\n")
    }

    @Test func anUnknownColumnIsNamed() throws {
        let (tmp, db) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["sql", "--db", db, "SELECT nme FROM spans"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no such column: nme"))
    }

    @Test func aMissingDatabaseIsAnErrorNotANewFile() throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let run = try CLI.run(["sql", "--db", tmp + "/none.db", "SELECT 1"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no database here"))
        #expect(!FileManager.default.fileExists(atPath: tmp + "/none.db"))
    }
}
