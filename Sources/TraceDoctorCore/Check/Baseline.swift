// What a known-good capture looked like, kept as a JSON file (`check --write-baseline`) so that a
// later capture can be compared with it (`check --baseline`): the quality metrics, the sources of
// lost context, and the coverage of each root operation. The schema is versioned and documented
// in docs/check.md.

import Foundation

/// The measured quality of one capture.
public struct Baseline: Sendable, Equatable, Codable {
    /// The value of `format` in every baseline file.
    public static let formatName = "tracedoctor-baseline"
    /// The schema version written; a file with another version is refused.
    public static let schemaVersion = 1

    public struct Metrics: Sendable, Equatable, Codable {
        public var traceCompleteness: Double?
        public var parentLinkage: Double?
        public var orphanShare: Double?
        public var coverageMedian: Double?
        public var coverageP10: Double?
        public var logLinkage: Double?
        public var timingViolationsPer1000Spans: Double

        /// The key `stats --format json` uses too (`convertToSnakeCase` alone would write `per1000`).
        enum CodingKeys: String, CodingKey {
            case traceCompleteness, parentLinkage, orphanShare, coverageMedian, coverageP10, logLinkage
            case timingViolationsPer1000Spans = "timing_violations_per_1000_spans"
        }

        /// What `convertFromSnakeCase` makes of the keys when a baseline is read back.
        private enum ReadKeys: String, CodingKey {
            case traceCompleteness, parentLinkage, orphanShare, coverageMedian, coverageP10, logLinkage
            case timingViolationsPer1000Spans
        }

        init(
            traceCompleteness: Double?, parentLinkage: Double?, orphanShare: Double?, coverageMedian: Double?,
            coverageP10: Double?, logLinkage: Double?, timingViolationsPer1000Spans: Double
        ) {
            self.traceCompleteness = traceCompleteness
            self.parentLinkage = parentLinkage
            self.orphanShare = orphanShare
            self.coverageMedian = coverageMedian
            self.coverageP10 = coverageP10
            self.logLinkage = logLinkage
            self.timingViolationsPer1000Spans = timingViolationsPer1000Spans
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: ReadKeys.self)
            traceCompleteness = try c.decodeIfPresent(Double.self, forKey: .traceCompleteness)
            parentLinkage = try c.decodeIfPresent(Double.self, forKey: .parentLinkage)
            orphanShare = try c.decodeIfPresent(Double.self, forKey: .orphanShare)
            coverageMedian = try c.decodeIfPresent(Double.self, forKey: .coverageMedian)
            coverageP10 = try c.decodeIfPresent(Double.self, forKey: .coverageP10)
            logLinkage = try c.decodeIfPresent(Double.self, forKey: .logLinkage)
            timingViolationsPer1000Spans = try c.decode(Double.self, forKey: .timingViolationsPer1000Spans)
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(traceCompleteness, forKey: .traceCompleteness)
            try c.encode(parentLinkage, forKey: .parentLinkage)
            try c.encode(orphanShare, forKey: .orphanShare)
            try c.encode(coverageMedian, forKey: .coverageMedian)
            try c.encode(coverageP10, forKey: .coverageP10)
            try c.encode(logLinkage, forKey: .logLinkage)
            try c.encode(timingViolationsPer1000Spans, forKey: .timingViolationsPer1000Spans)
        }
    }

    /// Where traces split off (`fragment_trace`: the fragment's root) or calls lost their context
    /// (`unpropagated_call`: the client span, and the service it called).
    public struct Source: Sendable, Equatable, Hashable, Codable {
        public var diagnosis: String
        public var service: String
        public var operation: String
        public var calleeService: String?
        public var count: Int

        public init(diagnosis: Diagnosis, service: String, operation: String, calleeService: String? = nil, count: Int) {
            self.diagnosis = diagnosis.name
            self.service = service
            self.operation = operation
            self.calleeService = calleeService
            self.count = count
        }

        /// Identity without the count.
        public var key: String { [diagnosis, service, operation, calleeService ?? ""].joined(separator: "\u{0}") }

        /// `orders `enrich-order``, `checkout `GET` → payment`.
        public var label: String {
            "\(service) `\(operation)`" + (calleeService.map { " → \($0)" } ?? "")
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(diagnosis, forKey: .diagnosis)
            try c.encode(service, forKey: .service)
            try c.encode(operation, forKey: .operation)
            try c.encode(calleeService, forKey: .calleeService)
            try c.encode(count, forKey: .count)
        }
    }

    /// The roots of one root operation (service and span name).
    public struct Operation: Sendable, Equatable, Codable {
        public var service: String
        public var operation: String
        public var roots: Int
        /// Over the roots with a duration (nearest rank).
        public var coverageMedian: Double?
        public var coverageP10: Double?

        public var key: String { service + "\u{0}" + operation }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(service, forKey: .service)
            try c.encode(operation, forKey: .operation)
            try c.encode(roots, forKey: .roots)
            try c.encode(coverageMedian, forKey: .coverageMedian)
            try c.encode(coverageP10, forKey: .coverageP10)
        }
    }

    public var format: String
    public var schemaVersion: Int
    public var tracedoctorVersion: String
    public var traces: Int
    public var spans: Int
    public var logs: Int
    public var metrics: Metrics
    /// Diagnosis name → count.
    public var diagnoses: [String: Int]
    /// Sorted by diagnosis, service, operation.
    public var fragmentSources: [Source]
    /// Sorted by service, operation.
    public var operations: [Operation]

    /// The baseline of a diagnosed capture.
    public init(_ report: DiagnosisReport) {
        let q = report.quality
        format = Self.formatName
        schemaVersion = Self.schemaVersion
        tracedoctorVersion = TraceDoctorVersion.current
        traces = q.traces
        spans = q.spans
        logs = q.logs.total
        metrics = Metrics(
            traceCompleteness: q.traceCompleteness.map(Self.round), parentLinkage: q.parentLinkage.map(Self.round),
            orphanShare: q.spans > 0 ? Self.round(Double(q.count(.missingParent)) / Double(q.spans)) : nil,
            coverageMedian: q.coverageMedian.map(Self.round), coverageP10: q.coverageP10.map(Self.round),
            logLinkage: q.logLinkage.map(Self.round), timingViolationsPer1000Spans: Self.round(q.timingViolationsPer1000Spans))
        diagnoses = Dictionary(uniqueKeysWithValues: Diagnosis.allCases.map { ($0.name, q.count($0)) })
        var sources: [String: Source] = [:]
        for f in report.fragments {
            let s = Source(diagnosis: .fragmentTrace, service: f.root.service, operation: f.root.name, count: 0)
            sources[s.key, default: s].count += 1
        }
        for c in report.unpropagatedCalls {
            let s = Source(
                diagnosis: .unpropagatedCall, service: c.client.service, operation: c.client.name, calleeService: c.callee.service,
                count: 0)
            sources[s.key, default: s].count += 1
        }
        for m in report.unpropagatedMessages {
            let s = Source(
                diagnosis: .unpropagatedMessage, service: m.producer.service, operation: m.producer.name,
                calleeService: m.continuation?.service, count: 0)
            sources[s.key, default: s].count += 1
        }
        fragmentSources = sources.values.sorted { $0.key < $1.key }
        operations = Self.operations(report.traces, unread: report.unreadRoots)
    }

    /// Root operations with the coverage of their roots; `unread`: the roots of traces without a
    /// summary, whose percentiles already take the summarised roots of their operation in.
    static func operations(_ traces: [TraceSummary], unread: [DiagnosisReport.UnreadRoots] = []) -> [Operation] {
        var coverages: [String: (service: String, operation: String, roots: Int, values: [Double])] = [:]
        for t in traces {
            guard let name = t.rootName else { continue }
            let service = t.rootService ?? ""
            let key = service + "\u{0}" + name
            coverages[key, default: (service, name, 0, [])].roots += 1
            if let c = t.coverage { coverages[key]!.values.append(c) }
        }
        var merged: [String: DiagnosisReport.UnreadRoots] = [:]
        for u in unread where u.roots > 0 {
            let key = u.service + "\u{0}" + u.operation
            coverages[key, default: (u.service, u.operation, 0, [])].roots += u.roots
            if u.withDuration > 0 { merged[key] = u }
        }
        return coverages.map { key, entry in
            if let u = merged[key] {
                return Operation(
                    service: entry.service, operation: entry.operation, roots: entry.roots,
                    coverageMedian: u.coverageMedian.map(round), coverageP10: u.coverageP10.map(round))
            }
            let sorted = entry.values.sorted()
            return Operation(
                service: entry.service, operation: entry.operation, roots: entry.roots,
                coverageMedian: Quality.percentile(sorted, 0.5).map(round), coverageP10: Quality.percentile(sorted, 0.1).map(round))
        }.sorted { ($0.service, $0.operation) < ($1.service, $1.operation) }
    }

    /// Four decimals, as the JSON outputs write shares.
    static func round(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

    /// Reads a baseline file, refusing other formats and schema versions.
    public static func load(path: String) throws(TraceDoctorError) -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw .baseline(path: path, message: reason + " (write one with --write-baseline)")
        }
        return try decode(data, path: path)
    }

    static func decode(_ data: Data, path: String) throws(TraceDoctorError) -> Baseline {
        struct Header: Decodable {
            var format: String?
            var schemaVersion: Int?
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let header = try? decoder.decode(Header.self, from: data) else {
            throw .baseline(path: path, message: "not a JSON object; write a baseline with --write-baseline")
        }
        guard header.format == formatName else {
            throw .baseline(path: path, message: "not a tracedoctor baseline (its \"format\" is not \"\(formatName)\")")
        }
        guard header.schemaVersion == schemaVersion else {
            throw .baseline(
                path: path,
                message: "schema version \(header.schemaVersion.map(String.init) ?? "missing") is not one this tracedoctor "
                    + "reads (\(schemaVersion)); write it again with --write-baseline")
        }
        do {
            return try decoder.decode(Baseline.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .baseline(path: path, message: "missing \(Self.path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .baseline(path: path, message: "wrong type at \(Self.path(context.codingPath))")
        } catch {
            throw .baseline(path: path, message: "cannot be read: \(error)")
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + snake($0.stringValue) }.joined().trimmingCharacters(in: ["."])
    }

    private static func snake(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch.isUppercase {
                out += "_" + ch.lowercased()
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
