// One YAML mapping of a policy file, read strictly: every key must be one the policy knows, given
// once, with a value of the right type — and every error names the file, the line and the key.

import Foundation
import Yams

/// A mapping of a policy file with typed, line-aware accessors.
struct PolicyMapping {
    let path: String
    /// Dotted key path of this mapping (`rules.coverage`), empty at the top.
    let context: String
    /// Where the mapping is (for an empty one: where its key is).
    var mark: Mark?
    private(set) var entries: [(key: String, keyMark: Mark?, value: Node)] = []

    /// Reads `node` as a mapping; a null node (a key with nothing after it) is an empty one.
    init(_ node: Node?, context: String, path: String) throws(TraceDoctorError) {
        self.path = path
        self.context = context
        mark = node?.mark
        guard let node, !Self.isNull(node) else { return }
        guard let mapping = node.mapping else {
            throw Self.error(path, node.mark, "\(context.isEmpty ? "the policy" : context) must be a mapping of keys to values")
        }
        var seen: [String: Mark?] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                throw Self.error(path, key.mark, "keys must be plain names\(context.isEmpty ? "" : " in \(context)")")
            }
            if let first = seen[name] {
                throw Self.error(
                    path, key.mark, "\(qualified(name)) is given twice (first on line \(first.map { "\($0.line)" } ?? "?"))")
            }
            seen[name] = key.mark
            entries.append((name, key.mark, value))
        }
    }

    /// Fails on the first key not in `known`, naming the nearest known key when there is one.
    func only(_ known: [String]) throws(TraceDoctorError) {
        for entry in entries where !known.contains(entry.key) {
            var message = "unknown key '\(entry.key)'" + (context.isEmpty ? "" : " in \(context)")
            if let near = Self.nearest(entry.key, in: known) { message += " (did you mean '\(near)'?)" }
            message += "; known keys: " + known.joined(separator: ", ")
            throw Self.error(path, entry.keyMark, message)
        }
    }

    func node(_ key: String) -> Node? { entries.first { $0.key == key }?.value }

    /// The line of `key` in the file.
    func line(of key: String) -> Int? { entries.first { $0.key == key }?.keyMark?.line }

    func qualified(_ key: String) -> String { context.isEmpty ? key : context + "." + key }

    // MARK: Typed values (nil when the key is absent)

    func mapping(_ key: String) throws(TraceDoctorError) -> PolicyMapping {
        let entry = entries.first { $0.key == key }
        var mapping = try PolicyMapping(entry?.value, context: qualified(key), path: path)
        if mapping.mark == nil { mapping.mark = entry?.keyMark }
        return mapping
    }

    /// `95%` or a number from 0 to 1.
    func share(_ key: String) throws(TraceDoctorError) -> Double? {
        guard let (node, text) = try scalar(key) else { return nil }
        return try Self.share(text, node: node, what: qualified(key), path: path)
    }

    /// A number of at least 0 (`10`, `2.5`); for points, `1%` is read as 1.
    func number(_ key: String, percentAllowed: Bool = false) throws(TraceDoctorError) -> Double? {
        guard let (node, text) = try scalar(key) else { return nil }
        var t = text.trimmingCharacters(in: .whitespaces)
        if percentAllowed && t.hasSuffix("%") { t.removeLast() }
        guard let value = Double(t.trimmingCharacters(in: .whitespaces)), value >= 0, value.isFinite else {
            throw Self.error(path, node.mark, "\(qualified(key)): '\(text)' is not a number of 0 or more")
        }
        return value
    }

    func integer(_ key: String, range: ClosedRange<Int>) throws(TraceDoctorError) -> Int? {
        guard let (node, text) = try scalar(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Self.error(
                path, node.mark, "\(qualified(key)): '\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func bool(_ key: String) throws(TraceDoctorError) -> Bool? {
        guard let (node, text) = try scalar(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw Self.error(path, node.mark, "\(qualified(key)): '\(text)' is not true or false")
        }
    }

    /// `10ms`, `1.5s`, `500us`, `0`.
    func duration(_ key: String) throws(TraceDoctorError) -> Int64? {
        guard let (node, text) = try scalar(key) else { return nil }
        guard let ns = Units.parseDuration(text) else {
            throw Self.error(path, node.mark, "\(qualified(key)): '\(text)' is not a duration (try 10ms, 1.5s, 500us)")
        }
        return ns
    }

    func severity(_ key: String = "severity") throws(TraceDoctorError) -> Policy.Severity? {
        guard let (node, text) = try scalar(key) else { return nil }
        guard let severity = Policy.Severity(rawValue: text) else {
            throw Self.error(path, node.mark, "\(qualified(key)): '\(text)' is not a severity; use error, warning or off")
        }
        return severity
    }

    /// A list of names: `[a, b]` or one `- a` per line.
    func strings(_ key: String) throws(TraceDoctorError) -> [String]? {
        guard let node = node(key) else { return nil }
        if Self.isNull(node) { return [] }
        guard let sequence = node.sequence else {
            throw Self.error(path, node.mark, "\(qualified(key)) must be a list of names, like [a, b]")
        }
        var names: [String] = []
        for item in sequence {
            guard let text = item.scalar?.string, !text.isEmpty else {
                throw Self.error(path, item.mark, "\(qualified(key)): each entry must be a name")
            }
            names.append(text)
        }
        return names
    }

    /// A mapping of names to shares: `{chat-api: 80%}`.
    func shares(_ key: String) throws(TraceDoctorError) -> [String: Double]? {
        guard node(key) != nil else { return nil }
        let map = try mapping(key)
        var values: [String: Double] = [:]
        for entry in map.entries {
            guard let text = entry.value.scalar?.string else {
                throw Self.error(path, entry.value.mark, "\(map.qualified(entry.key)) must be a share like 80%")
            }
            values[entry.key] = try Self.share(text, node: entry.value, what: map.qualified(entry.key), path: path)
        }
        return values
    }

    /// A list of `{service: ..., operation: ...}` (either may be left out, not both).
    func matches(_ key: String) throws(TraceDoctorError) -> [Policy.Match]? {
        guard let node = node(key) else { return nil }
        if Self.isNull(node) { return [] }
        guard let sequence = node.sequence else {
            throw Self.error(path, node.mark, "\(qualified(key)) must be a list like [{service: orders, operation: enrich-order}]")
        }
        var matches: [Policy.Match] = []
        for (i, item) in sequence.enumerated() {
            let entry = try PolicyMapping(item, context: "\(qualified(key))[\(i)]", path: path)
            try entry.only(["service", "operation"])
            let match = Policy.Match(service: try entry.name("service"), operation: try entry.name("operation"))
            if match.service == nil && match.operation == nil {
                throw Self.error(path, item.mark, "\(entry.context) must name a service, an operation or both")
            }
            matches.append(match)
        }
        return matches
    }

    func name(_ key: String) throws(TraceDoctorError) -> String? {
        guard let (node, text) = try scalar(key) else { return nil }
        if text.isEmpty { throw Self.error(path, node.mark, "\(qualified(key)) must not be empty") }
        return text
    }

    // MARK: Helpers

    /// The scalar text of `key`; an error when it is a list, a mapping or empty.
    private func scalar(_ key: String) throws(TraceDoctorError) -> (Node, String)? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        guard let scalar = entry.value.scalar, !Self.isNull(entry.value) else {
            throw Self.error(path, entry.value.mark ?? entry.keyMark, "\(qualified(key)) needs a single value")
        }
        return (entry.value, scalar.string)
    }

    static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func share(_ text: String, node: Node, what: String, path: String) throws(TraceDoctorError) -> Double {
        var t = text.trimmingCharacters(in: .whitespaces)
        let percent = t.hasSuffix("%")
        if percent { t.removeLast() }
        guard let value = Double(t.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else {
            throw error(path, node.mark, "\(what): '\(text)' is not a share; write a percentage (95%) or a number from 0 to 1")
        }
        let share = percent ? value / 100 : value
        guard share <= 1 else {
            throw error(
                path, node.mark,
                "\(what): '\(text)' is more than 100%" + (percent ? "" : "; write 95% or 0.95, not 95"))
        }
        return share
    }

    static func error(_ path: String, _ mark: Mark?, _ message: String) -> TraceDoctorError {
        .policy(path: path, line: mark?.line, column: mark?.column, message: message)
    }

    /// The known key closest to `key` (at most a third of its letters different), for "did you mean".
    static func nearest(_ key: String, in known: [String]) -> String? {
        let scored = known.map { ($0, distance(key, $0)) }.filter { $0.1 <= max(2, key.count / 3) }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
