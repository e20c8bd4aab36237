// Reading a policy file (tracedoctor.yml): YAML through Yams' node API, so that an unknown key,
// a duplicate or a bad value is an error that names the key and its line, never silently ignored.

import Foundation
import Yams

extension Policy {
    /// The schema version this tracedoctor reads.
    public static let version = 1

    /// Reads the policy file at `path`.
    public static func load(path: String) throws(TraceDoctorError) -> Policy {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable UTF-8 text" : "no such file"
            throw .policy(path: path, line: nil, column: nil, message: "cannot read the policy: \(reason)")
        }
        return try parse(yaml: text, path: path)
    }

    /// Reads a policy from YAML text; `path` is used in messages.
    public static func parse(yaml text: String, path: String) throws(TraceDoctorError) -> Policy {
        var policy = Policy()
        policy.path = path
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, path: path)
        } catch {
            throw .policy(path: path, line: nil, column: nil, message: "not valid YAML: \(error)")
        }
        let top = try PolicyMapping(root, context: "", path: path)
        try top.only(["version", "examples", "link_keys", "analysis", "rules", "baseline"])
        if let version = try top.integer("version", range: 0...Int.max), version != Self.version {
            throw PolicyMapping.error(
                path, top.node("version")?.mark,
                "policy version \(version) is not one this tracedoctor reads (it reads version \(Self.version))")
        }
        if let examples = try top.integer("examples", range: 0...100) { policy.examples = examples }
        if let keys = try top.strings("link_keys") {
            for text in keys {
                guard let key = LinkKey(text) else {
                    throw PolicyMapping.error(
                        path, top.node("link_keys")?.mark,
                        "link_keys: '\(text)' is not a key: give a log field name (request_id), or field=attribute (execution_id=workflow.run_id)")
                }
                policy.linkKeys.append(key)
            }
        }

        let analysis = try top.mapping("analysis")
        try analysis.only(["min_gap", "min_gap_share", "max_skew"])
        if let v = try analysis.duration("min_gap") { policy.minGapNs = v }
        if let v = try analysis.share("min_gap_share") { policy.minGapShare = v }
        if let v = try analysis.duration("max_skew") { policy.maxSkewNs = v }

        let rules = try top.mapping("rules")
        try rules.only(CheckRule.policyRules.map(\.name))
        for rule in CheckRule.policyRules {
            if let line = rules.line(of: rule.name) { policy.lines[rule] = line }
        }
        try readMinimum(rules, .traceCompleteness, into: &policy.traceCompleteness)
        try readMinimum(rules, .parentLinkage, into: &policy.parentLinkage)
        try readMinimum(rules, .logLinkage, extra: ["min_by_trace_id"], into: &policy.logLinkage)
        if let v = try rules.mapping(CheckRule.logLinkage.name).share("min_by_trace_id") { policy.logLinkageByTraceID = v }

        let orphans = try rules.mapping(CheckRule.orphanShare.name)
        try orphans.only(["max", "severity"])
        if let v = try orphans.share("max") { policy.orphanShare.max = v }
        if let v = try orphans.severity() { policy.orphanShare.severity = v }

        try readAllowance(rules, .fragmentTrace, into: &policy.fragmentTrace)
        try readAllowance(rules, .unpropagatedCall, into: &policy.unpropagatedCall)
        try readAllowance(rules, .unpropagatedMessage, into: &policy.unpropagatedMessage)
        try readAllowance(rules, .remoteParentMissing, into: &policy.remoteParentMissing)
        try readPerRoot(rules, .unaccountedShare, limitKey: "max", into: &policy.unaccountedShare)
        try readPerRoot(rules, .coverage, limitKey: "min", into: &policy.coverage)

        let timing = try rules.mapping(CheckRule.timingViolations.name)
        try timing.only(["max_per_1000_spans", "severity"])
        if let v = try timing.number("max_per_1000_spans") { policy.timingViolations.max = v }
        if let v = try timing.severity() { policy.timingViolations.severity = v }

        try readRequired(rules, .requiredServices, key: "services", into: &policy.requiredServices)
        try readRequired(rules, .requiredRootOperations, key: "operations", into: &policy.requiredRootOperations)

        let baseline = try top.mapping("baseline")
        try baseline.only([
            "max_completeness_drop", "max_parent_linkage_drop", "max_coverage_drop", "allow_new_fragment_sources", "severity",
        ])
        if let v = try baseline.number("max_completeness_drop", percentAllowed: true) { policy.baseline.maxCompletenessDrop = v }
        if let v = try baseline.number("max_parent_linkage_drop", percentAllowed: true) {
            policy.baseline.maxParentLinkageDrop = v
        }
        if let v = try baseline.number("max_coverage_drop", percentAllowed: true) { policy.baseline.maxCoverageDrop = v }
        if let v = try baseline.bool("allow_new_fragment_sources") { policy.baseline.allowNewFragmentSources = v }
        if let v = try baseline.severity() { policy.baseline.severity = v }
        if let line = top.line(of: "baseline") {
            for rule in CheckRule.allCases where rule.isBaseline { policy.lines[rule] = line }
        }
        return policy
    }

    private static func readMinimum(
        _ rules: PolicyMapping, _ rule: CheckRule, extra: [String] = [], into value: inout Minimum
    ) throws(TraceDoctorError) {
        let map = try rules.mapping(rule.name)
        try map.only(["min", "severity"] + extra)
        if let v = try map.share("min") { value.min = v }
        if let v = try map.severity() { value.severity = v }
    }

    private static func readAllowance(_ rules: PolicyMapping, _ rule: CheckRule, into value: inout Allowance)
        throws(TraceDoctorError)
    {
        let map = try rules.mapping(rule.name)
        try map.only(["allowed", "allow", "severity"])
        if let v = try map.bool("allowed") { value.allowed = v }
        if let v = try map.matches("allow") { value.allow = v }
        if let v = try map.severity() { value.severity = v }
    }

    private static func readPerRoot(_ rules: PolicyMapping, _ rule: CheckRule, limitKey: String, into value: inout PerRoot)
        throws(TraceDoctorError)
    {
        let map = try rules.mapping(rule.name)
        try map.only([limitKey, "per_service", "per_operation", "severity"])
        if let v = try map.share(limitKey) { value.limit = v }
        if let v = try map.shares("per_service") { value.perService = v }
        if let v = try map.shares("per_operation") { value.perOperation = v }
        if let v = try map.severity() { value.severity = v }
    }

    private static func readRequired(_ rules: PolicyMapping, _ rule: CheckRule, key: String, into value: inout Required)
        throws(TraceDoctorError)
    {
        let map = try rules.mapping(rule.name)
        try map.only([key, "severity"])
        if let v = try map.strings(key) { value.names = v }
        if let v = try map.severity() { value.severity = v }
    }

    /// A key given twice in one mapping (Yams refuses it while composing, pointing at the first
    /// one): the message names the key's dotted path and both lines, the error points at the second.
    static func duplicateKey(_ key: String, first: Mark, text: String, path: String) -> TraceDoctorError {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let indent = first.column - 1
        func isKey(_ line: String, _ name: String, at column: Int) -> Bool {
            let chars = Array(line)
            guard chars.count > column, chars[..<column].allSatisfy({ $0 == " " || $0 == "-" }) else { return false }
            let rest = String(chars[column...])
            return [name, "\"\(name)\"", "'\(name)'"].contains { rest.hasPrefix($0 + ":") || rest.hasPrefix($0 + " :") }
        }
        // The second occurrence: the next line with the key at the same column.
        var second = first.line
        if first.line < lines.count {
            for i in first.line..<lines.count where isKey(lines[i], key, at: indent) {
                second = i + 1
                break
            }
        }
        // The dotted path: each enclosing block key, found on the nearest line above that is less indented.
        var parents: [String] = []
        var column = indent
        var i = first.line - 2
        while i >= 0 && column > 0 {
            let line = lines[i]
            let lead = line.prefix { $0 == " " }.count
            let trimmed = line.dropFirst(lead)
            if lead < column, !trimmed.isEmpty, !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":") {
                parents.insert(String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces), at: 0)
                column = lead
            }
            i -= 1
        }
        let name = (parents + [key]).joined(separator: ".")
        return .policy(
            path: path, line: second, column: second == first.line ? first.column : indent + 1,
            message: "\(name) is given twice (first on line \(first.line)); keep one")
    }

    /// The 1-based line and column of the character at `offset` (a `\r\n` is one character).
    static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for (k, character) in text.enumerated() {
            if k >= offset { break }
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    /// Yams' parse errors, with their position.
    private static func yamlError(_ error: YamlError, path: String) -> TraceDoctorError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let message = "not valid YAML: " + problem + (context.map { " (\($0.text))" } ?? "")
            return .policy(path: path, line: mark.line, column: mark.column, message: message)
        case let .duplicatedKeysInMapping(duplicates, context):
            return duplicateKey(duplicates.first ?? "?", first: context.mark, text: context.text, path: path)
        case let .reader(problem, offset, _, yaml):
            // The reader (bad UTF-8, control characters) gives a character offset, not a mark.
            let (line, column) = offset.map { position(ofCharacter: $0, in: yaml) } ?? (1, 1)
            return .policy(path: path, line: line, column: column, message: "not valid YAML: " + problem)
        default:
            return .policy(path: path, line: nil, column: nil, message: "not valid YAML: \(error)")
        }
    }
}
