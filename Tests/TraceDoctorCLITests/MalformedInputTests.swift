import Foundation
import Testing

/// fixtures/malformed: every kind of broken input, each with its exact error (golden files),
/// exit 2, and the database byte for byte as before; under --keep-going, a counted skip.
@Suite(.serialized) struct MalformedInputTests {
    static let directory = CLI.fixtures + "/malformed"

    /// The format folders of fixtures/malformed (one golden file each).
    static var formats: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { !$0.contains(".") }.sorted()
    }

    static func files(_ format: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + format)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }

    /// Inputs in the corpus that tracedoctor accepts on purpose (documented in the README).
    static let accepted: Set<String> = ["otlp-json/bom-then-a-valid-document.json"]

    @Test(arguments: MalformedInputTests.formats)
    func eachBadFileIsRejectedWithItsErrorAndChangesNothing(format: String) throws {
        let tmp = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let db = tmp + "/t.db"
        let seed = try CLI.run(["ingest", "--db", db, "--quiet", CLI.fixtures + "/otlp/two-spans.json"])
        #expect(seed.status == 0)
        var transcript = ""
        for name in Self.files(format) {
            let path = "fixtures/malformed/\(format)/\(name)"
            let before = try Data(contentsOf: URL(fileURLWithPath: db))
            let run = try CLI.run(["ingest", "--db", db, "--quiet", path], cwd: CLI.root)
            transcript += "$ tracedoctor ingest \(path)\nexit \(run.status)\n\(run.stderr)\n"
            if Self.accepted.contains("\(format)/\(name)") {
                #expect(run.status == 0, "\(name) should be accepted: \(run.stderr)")
                continue
            }
            #expect(run.status == 2, "\(name): exit \(run.status)")
            #expect(run.stderr.hasPrefix("tracedoctor: error: \(path)"), "\(name): \(run.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "\(name) changed the database")
        }
        Golden.check(transcript, "malformed-\(format).txt")
    }
}
