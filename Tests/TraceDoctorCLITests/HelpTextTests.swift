// Help text is written as paragraphs that the argument parser wraps (issue 19, item 15): rendered at
// 80 columns, no paragraph is left ragged by a hard line break inside it, and no indented example
// line is wrapped into column 0.

import Foundation
import Testing

@Suite struct HelpTextTests {
    static let width = 80

    /// The subcommands the top-level help lists, so that a new command is covered by itself.
    static func subcommands() throws -> [String] {
        let help = try CLI.run(["--help"], environment: ["COLUMNS": "200"]).stdout
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:").last)
        return section.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }.filter { $0 != "help" }
    }

    /// The part of the help above `USAGE:` (overview and discussion), as lines.
    static func prose(_ args: [String], columns: Int) throws -> [String] {
        let run = try CLI.run(args + ["--help"], environment: ["COLUMNS": String(columns)])
        #expect(run.status == 0, "\(args): \(run.stderr)")
        let text = run.stdout.components(separatedBy: "\nUSAGE:").first ?? run.stdout
        return text.components(separatedBy: "\n")
    }

    static func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    /// What is wrong with the help of `args` at 80 columns.
    static func problems(_ args: [String]) throws -> [String] {
        problems(source: try prose(args, columns: 10000), narrow: try prose(args, columns: width))
    }

    /// Each source line (as the help is written, seen unwrapped at 10000 columns) is matched with
    /// the lines it became at 80 columns: an indented one (an example) must not wrap, and one that
    /// a hard break continues must not leave a line under a third of the width.
    static func problems(source: [String], narrow: [String]) -> [String] {
        var problems: [String] = []
        var n = 0
        for (k, line) in source.enumerated() {
            let target = line.filter { !$0.isWhitespace }
            var pieces: [String] = []
            var seen = ""
            while n < narrow.count && (seen.count < target.count || (target.isEmpty && pieces.isEmpty)) {
                pieces.append(narrow[n])
                seen += narrow[n].filter { !$0.isWhitespace }
                n += 1
            }
            guard seen == target else {
                problems.append("cannot match '\(line)' with the 80-column help")
                break
            }
            guard pieces.count > 1 else { continue }
            let next = k + 1 < source.count ? source[k + 1] : ""
            if indent(line) > 0 {
                problems.append("an indented line wider than \(width) columns is wrapped into column 0: '\(line)'")
            } else if !next.trimmingCharacters(in: .whitespaces).isEmpty && indent(next) == indent(line),
                let last = pieces.last, last.count < width / 3
            {
                problems.append("a hard line break inside a paragraph leaves the line '\(last)'")
            }
        }
        return problems
    }

    @Test func everyCommandsHelpWrapsAsParagraphsAt80Columns() throws {
        let commands = try Self.subcommands()
        #expect(commands.count >= 9, "\(commands)")
        for args in [[]] + commands.map({ [$0] }) {
            let problems = try Self.problems(args)
            let list = problems.joined(separator: "\n")
            #expect(problems.isEmpty, "tracedoctor \(args.joined()) --help at 80 columns:\n\(list)")
        }
    }

    /// The check finds what issue 19 reported (a paragraph broken by hand near 100 columns, an
    /// example wider than 80) and passes the same text written as one paragraph.
    @Test func theCheckFindsParagraphsBrokenByHandAndWideExamples() {
        let first = String(repeating: "word ", count: 17) + "tail end"  // 93 characters
        let source = [first, "and the paragraph goes on.", "", "  tracedoctor " + String(repeating: "x", count: 70), ""]
        let narrow = source.flatMap { TextWrap.greedy($0, width: Self.width) }
        let found = Self.problems(source: source, narrow: narrow)
        #expect(found.count == 2, "\(found)")
        #expect(found.first?.contains("leaves the line 'word tail end'") == true, "\(found)")
        #expect(found.last?.contains("wrapped into column 0") == true, "\(found)")
        let paragraph = [first + " and the paragraph goes on.", ""]
        #expect(Self.problems(source: paragraph, narrow: paragraph.flatMap { TextWrap.greedy($0, width: Self.width) }).isEmpty)
    }
}

/// Greedy word wrap, as the argument parser does it (for the self-test above).
enum TextWrap {
    static func greedy(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(word)
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        lines.append(line)
        return lines
    }
}
