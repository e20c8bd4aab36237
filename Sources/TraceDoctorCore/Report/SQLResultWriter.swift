// `tracedoctor sql` output: an aligned table, CSV (RFC 4180) or JSON, written as rows arrive.

import Foundation

/// Receives a query's result as it streams.
public protocol SQLResultWriter: AnyObject {
    func columns(_ names: [String]) throws
    func row(_ values: [SQLValue]) throws
    /// The query had more rows than the `rows` written (`--max-rows`); called before `finish`.
    func stopped(after rows: Int)
    func finish() throws
}

extension SQLResultWriter {
    public func stopped(after rows: Int) {}
}

/// Where report text goes (stdout in the command; a string in tests).
public typealias TextSink = (String) -> Void

public enum SQLOutputFormat: String, Sendable, CaseIterable {
    case text, csv, json
}

extension SQLOutputFormat {
    public func writer(_ out: @escaping TextSink) -> SQLResultWriter {
        switch self {
        case .text: SQLTableWriter(out)
        case .csv: SQLCSVWriter(out)
        case .json: SQLJSONWriter(out)
        }
    }
}

extension SQLValue {
    /// The value as text: NULL as `nullText`, blobs as `x'…'` hex.
    func text(null nullText: String) -> String {
        switch self {
        case .null: nullText
        case let .integer(v): String(v)
        case let .real(v): String(v)
        case let .text(v): v
        case let .blob(bytes): "x'" + bytes.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }
}

/// Aligned columns; widths come from the first rows, long values are cut with "…".
final class SQLTableWriter: SQLResultWriter {
    static let sampleRows = 1000
    static let maxWidth = 80
    private let out: TextSink
    private var names: [String] = []
    private var pending: [[String]] = []
    private var widths: [Int]?
    private var count = 0
    private var cut = false

    init(_ out: @escaping TextSink) { self.out = out }

    func columns(_ names: [String]) throws { self.names = names.map { TextFormat.printable($0) } }

    func row(_ values: [SQLValue]) throws {
        count += 1
        // Control characters made visible before widths are measured (a newline as ⏎).
        let cells = values.map { TextFormat.printable($0.text(null: "NULL").replacingOccurrences(of: "\n", with: "⏎")) }
        if let widths {
            out(render(cells, widths) + "\n")
        } else {
            pending.append(cells)
            if pending.count >= Self.sampleRows { flushPending() }
        }
    }

    private func flushPending() {
        var widths = names.map(\.count)
        for row in pending {
            for (i, cell) in row.enumerated() { widths[i] = min(Self.maxWidth, max(widths[i], cell.count)) }
        }
        self.widths = widths
        out(render(names, widths) + "\n")
        out(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n")
        for row in pending { out(render(row, widths) + "\n") }
        pending = []
    }

    private func render(_ cells: [String], _ widths: [Int]) -> String {
        var parts: [String] = []
        for (i, cell) in cells.enumerated() {
            var text = cell
            if text.count > widths[i] {
                text = String(text.prefix(max(1, widths[i] - 1))) + "…"
                cut = true
            }
            parts.append(i == cells.count - 1 ? text : text.padding(toLength: widths[i], withPad: " ", startingAt: 0))
        }
        var line = parts.joined(separator: "  ")
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }

    /// Set when `--max-rows` stopped the output.
    private var stoppedAfter: Int?

    func stopped(after rows: Int) { stoppedAfter = rows }

    func finish() throws {
        if widths == nil { flushPending() }
        var footer = "(\(Units.plural(count, "row")))"
        if let stoppedAfter {
            footer = "(the first \(Units.plural(stoppedAfter, "row")); the query returns more: --max-rows 0 prints all, --format csv or json prints every row)"
        }
        if cut { footer += " long values are cut; --format csv or json prints them whole" }
        out(footer + "\n")
    }
}

final class SQLCSVWriter: SQLResultWriter {
    private let out: TextSink

    init(_ out: @escaping TextSink) { self.out = out }

    static func field(_ text: String) -> String {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    func columns(_ names: [String]) throws { out(names.map(Self.field).joined(separator: ",") + "\r\n") }
    func row(_ values: [SQLValue]) throws { out(values.map { Self.field($0.text(null: "")) }.joined(separator: ",") + "\r\n") }
    func finish() throws {}
}

/// A JSON array of objects, one per row, keyed by column name.
final class SQLJSONWriter: SQLResultWriter {
    private let out: TextSink
    private var names: [String] = []
    private var first = true

    init(_ out: @escaping TextSink) { self.out = out }

    func columns(_ names: [String]) throws {
        self.names = names
        out("[")
    }

    func row(_ values: [SQLValue]) throws {
        let buffer = JSONBuffer()
        buffer.append(first ? "\n  {" : ",\n  {")
        first = false
        for (i, value) in values.enumerated() {
            if i > 0 { buffer.append(", ") }
            buffer.appendString(names[i])
            buffer.append(": ")
            switch value {
            case .null: buffer.append("null")
            case let .integer(v): buffer.appendInt(v)
            case let .real(v):
                // JSON has no NaN or infinities: those are written as strings.
                if v.isFinite { buffer.appendRaw(Array(String(v).utf8)) } else { buffer.appendString(String(v)) }
            case let .text(v): buffer.appendString(v)
            case .blob: buffer.appendString(value.text(null: ""))
            }
        }
        buffer.append("}")
        out(buffer.string)
    }

    func finish() throws { out(first ? "]\n" : "\n]\n") }
}
