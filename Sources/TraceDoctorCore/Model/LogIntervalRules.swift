// The rules that turn log events into log intervals (`log_interval`): which field names an event,
// which suffixes start and end one, which keys pair a start with its end, and which fields carry a
// duration in which unit. The defaults are `LogIntervalRules.defaultYAML`, shipped as
// docs/log-intervals.yml (a test holds the two equal); `ingest --interval-rules FILE` replaces them.

import Foundation
import Yams

/// How log events become intervals.
public struct LogIntervalRules: Sendable, Equatable {
    /// Attributes that name the event; when none is present, the message itself if it is one word.
    public var eventFields: [String]
    /// Event-name suffixes that open an interval (`_start`).
    public var startSuffixes: [String]
    /// Event-name suffixes that close one, with the word shown (`_complete` → `completed`) and
    /// whether the end is a failure.
    public var endSuffixes: [EndSuffix]
    /// Correlation keys that pair a start with its end, most specific first (the first one present
    /// names the interval: `node llm-1 completed`).
    public var keys: [String]
    /// Fields holding a duration, with the unit of a bare number.
    public var durations: [DurationField]

    public struct EndSuffix: Sendable, Equatable {
        public var suffix: String
        public var word: String
        public var failed: Bool
    }

    public struct DurationField: Sendable, Equatable {
        public var field: String
        /// Nanoseconds per unit of a bare number.
        public var unitNs: Double
    }

    /// The unit names a rules file may use, in nanoseconds.
    public static let units: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "seconds": 1e9, "milliseconds": 1e6,
        "microseconds": 1e3, "nanoseconds": 1, "m": 60e9, "min": 60e9,
    ]

    /// The rules shipped with tracedoctor.
    public static let defaults: LogIntervalRules = {
        do {
            return try parse(yaml: defaultYAML, path: "<built-in log interval rules>")
        } catch {
            fatalError("the built-in log interval rules do not parse: \(error)")
        }
    }()

    /// Reads a rules file.
    public static func load(path: String) throws(TraceDoctorError) -> LogIntervalRules {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable UTF-8 text" : "no such file"
            throw .policy(path: path, line: nil, column: nil, message: "cannot read the log interval rules: \(reason)")
        }
        return try parse(yaml: text, path: path)
    }

    /// `load(path:)` as a result (the command line reports the failure itself).
    public static func read(path: String) -> Result<LogIntervalRules, TraceDoctorError> {
        do {
            return .success(try load(path: path))
        } catch {
            return .failure(error)
        }
    }

    /// Reads rules from YAML text; `path` is used in messages. A key left out keeps its default.
    public static func parse(yaml text: String, path: String) throws(TraceDoctorError) -> LogIntervalRules {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw .policy(path: path, line: nil, column: nil, message: "not valid YAML: \(error)")
        }
        let top = try PolicyMapping(root, context: "", path: path)
        try top.only(["version", "event_fields", "start_suffixes", "end_suffixes", "keys", "durations"])
        if let version = try top.integer("version", range: 0...Int.max), version != 1 {
            throw PolicyMapping.error(path, top.node("version")?.mark, "log interval rules version \(version) is not 1")
        }
        let base = path == "<built-in log interval rules>" ? nil : LogIntervalRules.defaults
        var rules = base ?? LogIntervalRules(eventFields: [], startSuffixes: [], endSuffixes: [], keys: [], durations: [])
        if let v = try top.strings("event_fields") { rules.eventFields = v }
        if let v = try top.strings("start_suffixes") { rules.startSuffixes = v }
        if let v = try top.strings("keys") { rules.keys = v }
        if let node = top.node("end_suffixes") {
            guard let mapping = node.mapping else {
                throw PolicyMapping.error(path, node.mark, "end_suffixes: give a mapping of suffix to word (_complete: completed)")
            }
            rules.endSuffixes = []
            for (key, value) in mapping {
                guard let suffix = key.string, var word = value.string, !suffix.isEmpty, !word.isEmpty else {
                    throw PolicyMapping.error(path, key.mark, "end_suffixes: each entry is `_suffix: word` (`_failed: failed!`)")
                }
                // A word ending in `!` marks a failure (`_error: failed!`).
                let failed = word.hasSuffix("!")
                if failed { word.removeLast() }
                rules.endSuffixes.append(EndSuffix(suffix: suffix, word: word, failed: failed))
            }
        }
        if let node = top.node("durations") {
            guard let mapping = node.mapping else {
                throw PolicyMapping.error(path, node.mark, "durations: give a mapping of field to unit (duration: s)")
            }
            rules.durations = []
            for (key, value) in mapping {
                guard let field = key.string, let unit = value.string, let ns = units[unit] else {
                    throw PolicyMapping.error(
                        path, value.mark,
                        "durations: '\(value.string ?? "")' is not a unit; use one of " + units.keys.sorted().joined(separator: ", "))
                }
                rules.durations.append(DurationField(field: field, unitNs: ns))
            }
        }
        // The longest suffix first: `_completed` before `_complete`.
        rules.startSuffixes.sort { $0.count > $1.count }
        rules.endSuffixes.sort { $0.suffix.count > $1.suffix.count }
        return rules
    }

    /// The default rules (docs/log-intervals.yml holds the same text).
    public static let defaultYAML = """
        # tracedoctor log interval rules (docs/formats-logs.md, "Log intervals").
        # `ingest --interval-rules FILE` reads a file like this one instead; a key left out keeps
        # the default below.
        version: 1

        # Where a line's event name is: the first of these attributes present, else the message
        # itself when it is a single word (`node_start`).
        event_fields: [event, event_name, event.name, evt]

        # An event named <base><start suffix> opens an interval that an event <base><end suffix>
        # with the same keys closes (node_start ... node_complete).
        start_suffixes: [_start, _started, _begin]

        # End suffixes and the word shown for them; a word ending in `!` marks a failure.
        end_suffixes:
          _complete: completed
          _completed: completed
          _end: ended
          _finish: finished
          _finished: finished
          _success: succeeded
          _succeeded: succeeded
          _error: failed!
          _failed: failed!
          _failure: failed!

        # Correlation keys that pair a start with its end, most specific first. A start and an end
        # pair when they share at least one of these and disagree on none; the first key present
        # names the interval (`node llm-1 completed`). With no key, events do not pair.
        keys: [node_id, node_execution_id, task_id, job_id, step_id, span_name, execution_id,
               workflow_run_id, run_id, request_id, correlation_id]

        # Fields holding a duration, and the unit of a bare number in them. A string with its own
        # unit ("240ms", "1.5 s") is read in that unit. A field not listed here whose name ends in
        # _ms, _us, _ns, _s, _sec, _seconds or _millis is read in that unit.
        durations:
          duration: s
          total_duration: s
          elapsed: s
          elapsed_time: s
          took: ms
          latency: s
          duration_ms: ms
          elapsed_ms: ms
          took_ms: ms
          latency_ms: ms
          duration_s: s
          duration_seconds: s
        """
}
