// The one sanitiser for untrusted text in text reports (TextFormat.printable), the width it is
// measured at, the empty-query test of `sql`, and report files written whole or not at all.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct UntrustedTextTests {
    @Test func controlCharactersBecomeVisibleEscapes() {
        #expect(TextFormat.printable("evil \u{1B}]0;PWNED\u{07}\u{1B}[31mred") == #"evil \x1b]0;PWNED\x07\x1b[31mred"#)
        #expect(TextFormat.printable("a\tb\nc\rd\u{7F}e\u{9B}f\u{85}g\u{00}") == #"a\tb\nc\rd\x7fe\x9bf\x85g\x00"#)
        #expect(TextFormat.printable("a\tb\nc", keepTab: true, keepNewline: true) == "a\tb\nc")
        // Printable text, Unicode included, is returned as is.
        #expect(TextFormat.printable("chat-api: rag.retrieve µs … ✓ \u{A0}") == "chat-api: rag.retrieve µs … ✓ \u{A0}")
    }

    @Test func widthsAreMeasuredAfterEscaping() {
        // Cut inside the OSC string, a raw cut would leave the terminal waiting for its BEL.
        let cut = TextFormat.fit("x\u{1B}]0;PWNED\u{07}tail", 10)
        #expect(cut == #"x\x1b]0;P…"#)
        #expect(cut.count == 10)
        let table = TextTable.render([["a\u{1B}b", "end"], ["abcdefgh", "end"]])
        #expect(table == [#"a\x1bb    end"#, "abcdefgh  end"])
        #expect(TextFormat.wrapWords("one\u{07} two", width: 80) == [#"one\x07 two"#])
    }

    @Test func jsonEscapesC0DelAndC1() {
        #expect(JSONValue.quoted("a\u{1B}b\u{7F}c\u{9B}d") == #""a\u001bb\u007fc\u009bd""#)
    }

    @Test func anSQLQueryOfOnlySpacesCommentsAndSemicolonsIsBlank() {
        for blank in ["", "  \n\t", ";", " -- only a comment", "/* a */ ; -- b\n /* c", "--x\n;\n"] {
            #expect(SQLQuery.isBlank(blank), "\(blank)")
        }
        for query in ["SELECT 1", " -- c\nSELECT 1", "/* c */ SELECT 1", "x"] {
            #expect(!SQLQuery.isBlank(query), "\(query)")
        }
    }

    @Test func aReportFileIsReplacedOnlyWhenComplete() throws {
        let dir = NSTemporaryDirectory() + "tracedoctor-output-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a/b/report.txt"
        try OutputFile.write("first\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n")
        let pending = try PendingOutput.open(path)
        pending.write("second, half")
        pending.discard()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/a/b") == ["report.txt"])
        // Folders created for a file that is then discarded are removed again.
        let other = try PendingOutput.open(dir + "/c/d/x.txt")
        other.discard()
        #expect(!FileManager.default.fileExists(atPath: dir + "/c"))
        #expect(throws: TraceDoctorError.cannotWrite(path: path + "/x", reason: "\(path) is a file, not a folder")) {
            try OutputFile.write("x", to: path + "/x")
        }
    }
}
