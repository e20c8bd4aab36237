// `explain --format html` in a real browser (issue 5): headless Debian chromium loads the page of
// the demo's broken chat trace — without console messages or network requests — and its rendered
// DOM holds the ranked diagnosis, one openable row per span, hatched gaps and the attached fragment;
// a screenshot of it is not blank. Skipped, saying why, when chromium is not installed.

import Foundation
import Testing

@Suite(.serialized) struct ExplainHTMLRenderTests {
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test(
        .enabled(
            if: Chromium.path != nil,
            "chromium is not installed (scripts/setup.sh installs Debian's chromium): the HTML page is not rendered"))
    func theChatTraceRendersInChromium() throws {
        let (db, tmp) = try ExplainCLITests.database()
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        func page(_ trace: String) throws -> String {
            let run = try CLI.run(["explain", trace, "--db", db, "--format", "html"])
            #expect(run.status == 0, "\(run.stderr)")
            let file = tmp + "/\(trace).html"
            try run.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        let chat = try page(ExplainCLITests.chat)
        let loaded = try Chromium.load(chat, in: tmp)
        #expect(loaded.console.isEmpty, "console: \(loaded.console)")
        #expect(loaded.requests.isEmpty, "network requests: \(loaded.requests)")
        let dom = loaded.dom
        #expect(dom.contains("<code id=\"trace-id\">\(ExplainCLITests.chat)</code>"), "\(dom.prefix(500))")
        // The ranked diagnosis on top, the wait first, with the log line that explains it.
        #expect(Self.count("class=\"finding defect\"", in: dom) == 4)
        let first = try #require(dom.range(of: "id=\"finding-1\""))
        #expect(dom[first.upperBound...].prefix(200).contains("unaccounted_time"))
        #expect(dom.contains("the log says 'waiting for LLM rate-limit token'"))
        #expect(try #require(dom.range(of: "id=\"diagnosis\"")).lowerBound < (try #require(dom.range(of: "id=\"waterfall\""))).lowerBound)
        // One openable row per span (6 of the trace, 3 of the attached fragment), gaps hatched.
        #expect(Self.count("<details class=\"spanrow", in: dom) == 9)
        #expect(Self.count("spanrow attached", in: dom) == 3)
        #expect(Self.count("class=\"row gaprow\"", in: dom) == 1)
        #expect(dom.contains("<rect class=\"gap\""))
        #expect(dom.contains("fill=\"url(#gap-hatch)\""))
        #expect(dom.contains("fragment_trace \(ExplainCLITests.fragment)"))
        // Opening a span shows its attributes and log lines.
        #expect(dom.contains("<td>http.route</td><td>/v1/chat-messages</td>"))

        // The orphan pair sits under a placeholder for its parent.
        let orphans = try Chromium.load(try page(ExplainCLITests.orphans), in: tmp)
        #expect(orphans.console.isEmpty, "console: \(orphans.console)")
        #expect(Self.count("spanrow placeholder", in: orphans.dom) == 1)
        #expect(orphans.dom.contains("? parent 67406a9eb7a372a7 never arrived"))

        // The screenshot shows something: many non-white pixels in several colours.
        let png = try Chromium.screenshot(chat, width: 1280, height: 1000, in: tmp)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let stats = try Chromium.pixelStatistics(png, in: tmp)
        #expect(stats["width"] == 1280 && stats["height"] == 1000, "\(stats)")
        #expect((stats["non_white"] ?? 0) > 1280 * 1000 / 50, "\(stats)")
        #expect((stats["colours"] ?? 0) > 16, "\(stats)")
    }
}
