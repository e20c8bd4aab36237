// The three views of an explanation: text that fits 80 columns with gaps drawn distinctly and
// colour only when asked, JSON whose cross references hold, HTML that is self-contained and escapes
// what the dump says.

import Foundation
import Testing

@testable import TraceDoctorCore

@Suite struct ExplainReportTests {
    static let logs = [
        ExplanationBuilderTests.log(1, at: 1, "waiting for LLM rate-limit token", span: 1),
        ExplanationBuilderTests.log(2, at: 231, "no such span", span: 12345),
        ExplanationBuilderTests.log(3, at: 206, "embed failed\n  at line 3", trace: 2, span: 7, severity: 17),
    ]
    static let unlinked = [ExplanationBuilderTests.log(6, at: 150, "token granted", trace: nil)]
    static let e = ExplanationBuilderTests.explanation(logs: logs, unlinked: unlinked)

    @Test(arguments: [60, 80, 100, 140])
    func textFitsTheWidth(_ width: Int) {
        let text = ExplainTextReport.render(Self.e, layout: ExplainTextReport.Layout(width: width))
        for line in text.split(separator: "\n") {
            #expect(line.count <= width, "\(line.count) > \(width): \(line)")
        }
        #expect(!text.contains("\u{1B}["))
    }

    @Test func textShowsHeaderDiagnosisWaterfallAndLogs() throws {
        let text = ExplainTextReport.render(Self.e, layout: ExplainTextReport.Layout(width: 100))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "trace     0000000000000abc0000000000000001")
        #expect(text.contains("coverage  spans account for"))
        #expect(text.contains(" 1. unaccounted_time  202 ms"))
        #expect(text.contains("says 'token granted' at +150 ms"))
        // The root's bar: span fill with the gap fill inside it.
        let root = try #require(lines.first { $0.contains("chat-api: POST /v1/chat-messages") && $0.contains("240 ms") })
        #expect(root.hasPrefix("*"))
        #expect(root.contains("░") && root.contains("█"))
        // The placeholder and its orphans; the fragment announced under rag.retrieve.
        #expect(text.contains("? parent 0000000000000063 never arrived"))
        #expect(text.contains("┆ fragment_trace"))
        // The skewed span is marked ~, the error line is red only with colour.
        #expect(lines.contains { $0.hasPrefix("*~") && $0.contains("inventory: POST /reserve") })
        #expect(text.contains("embed failed (+1 line)"))
        // Unmatched lines at the end.
        let tail = try #require(lines.firstIndex { $0.hasPrefix("logs of the trace that match no span") })
        #expect(lines[tail + 1].contains("no such span"))
    }

    @Test func colourOnlyWhenEnabled() {
        let coloured = ExplainTextReport.render(Self.e, layout: ExplainTextReport.Layout(width: 100), style: TextStyle(enabled: true))
        #expect(coloured.contains("\u{1B}[1m"))
        #expect(coloured.contains("\u{1B}[31m"))
        // Without the escapes it is the plain text.
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == ExplainTextReport.render(Self.e, layout: ExplainTextReport.Layout(width: 100)))
    }

    @Test func theStreamedJSONIsTheDocument() {
        var pieces: [String] = []
        ExplainJSON.write(Self.e) { pieces.append(String(decoding: $0, as: UTF8.self)) }
        #expect(pieces.joined() == ExplainJSON.document(Self.e).rendered())
        #expect(ExplainJSON.render(Self.e) == pieces.joined())
    }

    @Test func jsonCrossReferencesHold() throws {
        let text = ExplainJSON.render(Self.e)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["command"] as? String == "explain")
        #expect(object["schema_version"] as? Int == 1)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        let logs = try #require(object["logs"] as? [[String: Any]])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(nodes.count == Self.e.nodes.count)
        for (k, node) in nodes.enumerated() {
            #expect(node["node"] as? Int == k)
            for c in node["children"] as? [Int] ?? [] { #expect(nodes[c]["parent_node"] as? Int == k) }
            for l in node["logs"] as? [Int] ?? [] { #expect(logs[l]["node"] as? Int == k) }
            for f in node["findings"] as? [Int] ?? [] { #expect(findings[f]["node"] as? Int == k) }
        }
        #expect(nodes.contains { $0["role"] as? String == "missing_parent" && $0["span_id"] as? String == "0000000000000063" })
        #expect(nodes.contains { $0["role"] as? String == "attached" })
        #expect(findings.first?["diagnosis"] as? String == "unaccounted_time")
        #expect(findings.first?["rank"] as? Int == 1)
        let unmatched = try #require(object["unmatched_logs"] as? [Int])
        #expect(unmatched.map { logs[$0]["body"] as? String } == ["no such span"])
        #expect(logs.contains { $0["link"] as? String == "unlinked" && $0["placement"] as? String == "gap" })
    }

    @Test func htmlIsSelfContainedAndEscapesTheDump() throws {
        var b = SpanBuilder()
        b.add(9, 1, "<script>alert(1)</script>", .server, ExplanationBuilderTests.api, 0, 10)
        b.add(9, 2, parent: 1, "a & b", .internal, ExplanationBuilderTests.api, 1, 3)
        let diagnosis = TraceDiagnosis(spans: b.spans, neighbours: [], options: AnalysisOptions())
        var builder = ExplanationBuilder(diagnosis: diagnosis)
        let html = ExplainHTMLReport.render(builder.build())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("a &amp; b"))
        let full = ExplainHTMLReport.render(Self.e)
        for banned in ["http://", "https://", "<link", "@import", "<script", "<img", "src="] {
            #expect(!full.contains(banned), "\(banned)")
        }
        // One openable row per node; gaps hatched; the placeholder and attached rows marked.
        #expect(full.components(separatedBy: "<details ").count - 1 == Self.e.nodes.count)
        #expect(full.contains("class=\"gap\""))
        #expect(full.contains("spanrow placeholder"))
        #expect(full.contains("spanrow attached"))
        #expect(full.contains("id=\"finding-1\""))
    }
}
