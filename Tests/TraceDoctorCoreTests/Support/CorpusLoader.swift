// Test-only readers for the Jaeger and Zipkin JSON files of the upstream ground truth, turning
// them into analysis spans by the mapping rules the real readers follow: Jaeger µs → ns, the first
// in-trace CHILD_OF (else FOLLOWS_FROM) reference is the parent, process tag `ip` is the host;
// Zipkin IDs are left-padded, a shared SERVER half becomes a separate span under its CLIENT.

import Foundation
@testable import TraceDoctorCore

enum CorpusLoader {
    static let corpus = fixturesDirectory + "/corpus"

    static func json(_ relativePath: String) throws -> Any {
        let data = try Data(contentsOf: URL(fileURLWithPath: corpus + "/" + relativePath))
        return try JSONSerialization.jsonObject(with: data)
    }

    static func spanID(_ text: String) -> SpanID? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { IDParser.parseSpanID(UnsafeBufferPointer($0), mode: .paddedHex) }
    }

    static func traceID(_ text: String) -> TraceID? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { IDParser.parseTraceID(UnsafeBufferPointer($0), mode: .paddedHex) }
    }

    // MARK: Jaeger

    /// Every trace of a Jaeger file: `{"data": [...]}` or one bare trace object.
    static func jaeger(_ relativePath: String) throws -> [CorpusTrace] {
        let object = try json(relativePath)
        if let wrapper = object as? [String: Any], let data = wrapper["data"] as? [[String: Any]] {
            return data.map(jaegerTrace)
        }
        if let trace = object as? [String: Any] { return [jaegerTrace(trace)] }
        throw CocoaError(.coderReadCorrupt)
    }

    static func jaegerTrace(_ trace: [String: Any]) -> CorpusTrace {
        var result = CorpusTrace(spans: [])
        var synthetic: UInt64 = 0xF000_0000_0000_0000
        func id(_ text: String) -> SpanID {
            if let parsed = spanID(text) { return parsed }
            if let known = result.named[text] { return known }
            synthetic += 1
            result.named[text] = SpanID(synthetic)
            return SpanID(synthetic)
        }
        let traceText = trace["traceID"] as? String ?? ""
        let traceID = Self.traceID(traceText) ?? TraceID(high: 0, low: UInt64(truncatingIfNeeded: traceText.hashValue) | 1)
        var processes: [String: SpanProcess] = [:]
        for (key, value) in trace["processes"] as? [String: [String: Any]] ?? [:] {
            var tags: [String: String] = [:]
            for tag in value["tags"] as? [[String: Any]] ?? [] {
                if let k = tag["key"] as? String, let v = tag["value"] { tags[k] = "\(v)" }
            }
            processes[key] = SpanProcess(service: value["serviceName"] as? String ?? "", attributes: tags)
        }
        for (row, span) in (trace["spans"] as? [[String: Any]] ?? []).enumerated() {
            let spanText = span["spanID"] as? String ?? ""
            let own = id(spanText)
            var parent: SpanID?
            var relation = AnalysisSpan.ParentRelation.childOf
            let references = span["references"] as? [[String: Any]] ?? []
            let local = references.filter { ($0["traceID"] as? String).map { $0 == traceText } ?? true }
            if let childOf = local.first(where: { $0["refType"] as? String == "CHILD_OF" }) {
                parent = id(childOf["spanID"] as? String ?? "")
            } else if let follows = local.first(where: { $0["refType"] as? String == "FOLLOWS_FROM" }) {
                parent = id(follows["spanID"] as? String ?? "")
                relation = .followsFrom
            } else if let legacy = span["parentSpanID"] as? String, !legacy.isEmpty {
                parent = id(legacy)
            }
            var tags: [String: String] = [:]
            for tag in span["tags"] as? [[String: Any]] ?? [] {
                if let k = tag["key"] as? String, let v = tag["value"] { tags[k] = "\(v)" }
            }
            let kind: SpanKind =
                switch tags["span.kind"] {
                case "server": .server
                case "client": .client
                case "producer": .producer
                case "consumer": .consumer
                case "internal": .internal
                default: .unspecified
                }
            let start = (span["startTime"] as? NSNumber).map { $0.int64Value * 1000 }
            let duration = (span["duration"] as? NSNumber).map { $0.int64Value * 1000 }
            let process = processes[span["processID"] as? String ?? ""] ?? SpanProcess(service: "")
            result.spans.append(
                AnalysisSpan(
                    traceID: traceID, spanID: own, parentSpanID: parent, name: span["operationName"] as? String ?? "",
                    kind: kind, process: process, startNs: start, endNs: start.flatMap { s in duration.map { s + $0 } },
                    status: tags["error"] == "true" || tags["error"] == "1" ? .error : .unset, parentRelation: relation,
                    rowID: Int64(row + 1)))
            let logs = span["logs"] as? [[String: Any]] ?? []
            if !logs.isEmpty {
                result.logTimes[own] = logs.compactMap { ($0["timestamp"] as? NSNumber).map { $0.int64Value * 1000 } }
            }
        }
        return result
    }

    // MARK: Zipkin

    /// One Zipkin v2 JSON array, grouped by trace (in order of first appearance).
    static func zipkin(_ relativePath: String) throws -> [CorpusTrace] {
        guard let array = try json(relativePath) as? [[String: Any]] else { throw CocoaError(.coderReadCorrupt) }
        // Partial reports (no kind and no timestamp) of a span that is reported whole elsewhere
        // by the same service are merged into it, as zipkin-lens's mergeV2ById does.
        func isPartial(_ span: [String: Any]) -> Bool { span["kind"] == nil && span["timestamp"] == nil }
        let whole = Set(array.filter { !isPartial($0) }.map { "\($0["id"] as? String ?? "")|\(service($0) ?? "")" })
        let reports = array.filter { !isPartial($0) || !whole.contains("\($0["id"] as? String ?? "")|\(service($0) ?? "")") }
        var order: [String] = []
        var byTrace: [String: [[String: Any]]] = [:]
        for span in reports {
            let key = traceID(span["traceId"] as? String ?? "")?.hex ?? ""
            if byTrace[key] == nil { order.append(key) }
            byTrace[key, default: []].append(span)
        }
        return order.map { zipkinTrace(byTrace[$0]!) }
    }

    private static func service(_ span: [String: Any]) -> String? {
        (span["localEndpoint"] as? [String: Any])?["serviceName"] as? String
    }

    static func zipkinTrace(_ spans: [[String: Any]]) -> CorpusTrace {
        var result = CorpusTrace(spans: [])
        let ids = spans.compactMap { spanID($0["id"] as? String ?? "") }
        var nextID = (ids.map(\.value).max() ?? 0) + 1
        let clients = Set(
            spans.filter { $0["kind"] as? String == "CLIENT" }.compactMap { spanID($0["id"] as? String ?? "") })
        var renamed: [SpanID: SpanID] = [:]
        var processes: [String: SpanProcess] = [:]
        var prepared: [(span: [String: Any], id: SpanID, parent: SpanID?, original: SpanID?)] = []
        for span in spans {
            let id = spanID(span["id"] as? String ?? "") ?? SpanID(0)
            var parent = (span["parentId"] as? String).flatMap(spanID)
            var original: SpanID?
            var own = id
            if span["kind"] as? String == "SERVER", clients.contains(id) {
                // The server half of a shared span: a span of its own, the client's child.
                original = id
                own = SpanID(nextID)
                nextID += 1
                renamed[id] = own
                parent = id
            }
            prepared.append((span, own, parent, original))
        }
        for (row, entry) in prepared.enumerated() {
            let span = entry.span
            var parent = entry.parent
            if entry.original == nil, let p = parent, let server = renamed[p] { parent = server }
            let endpoint = span["localEndpoint"] as? [String: Any] ?? [:]
            let name = endpoint["serviceName"] as? String ?? ""
            let host = endpoint["ipv4"] as? String ?? endpoint["ipv6"] as? String
            let key = name + "|" + (host ?? "")
            let process = processes[key] ?? SpanProcess(service: name, host: host)
            processes[key] = process
            let kind: SpanKind =
                switch span["kind"] as? String {
                case "SERVER": .server
                case "CLIENT": .client
                case "PRODUCER": .producer
                case "CONSUMER": .consumer
                default: .unspecified
                }
            let start = (span["timestamp"] as? NSNumber).map { $0.int64Value * 1000 }
            let duration = (span["duration"] as? NSNumber).map { $0.int64Value * 1000 }
            let traceID = traceID(span["traceId"] as? String ?? "") ?? TraceID(high: 0, low: 0)
            result.spans.append(
                AnalysisSpan(
                    traceID: traceID, spanID: entry.id, parentSpanID: parent, originalSpanID: entry.original,
                    name: span["name"] as? String ?? "", kind: kind, process: process, startNs: start,
                    endNs: start.flatMap { s in duration.map { s + $0 } },
                    status: (span["tags"] as? [String: Any])?["error"] != nil ? .error : .unset, rowID: Int64(row + 1)))
        }
        return result
    }
}
