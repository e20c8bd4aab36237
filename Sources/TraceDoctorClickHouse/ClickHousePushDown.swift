// `orphans` and `gaps` with `--source`: the work pushed down. ClickHouse names the traces with
// something to report, then the few traces the questions across traces need (where a missing
// parent went, what ran when a fragment started, the calls and roots that may pair up, the roots
// that may continue a message); only those traces' spans are fetched, and the same Swift analysis
// (`Diagnoser.diagnose`) runs over them. The totals and the log counts come from ClickHouse too.
// Bytes received grow with the findings, not with the window.

import Foundation
import TraceDoctorCore

extension ClickHouseSpanSource {
    /// Trace IDs per query when fetching chosen traces (they travel as a query parameter).
    static let idsPerQuery = 1000

    /// What a `traces` listing shows: its order, its service filter, how many (more than 0).
    public struct Listing: Sendable {
        public var sort: TraceSummary.Sort
        public var service: String?
        public var limit: Int

        public init(sort: TraceSummary.Sort, service: String?, limit: Int) {
            self.sort = sort
            self.service = service
            self.limit = limit
        }
    }

    /// The findings of the window, reading only the traces that have or explain one; with `listing`,
    /// also the traces without a finding that the listing shows (the first `limit` in its order, and
    /// the earliest and latest its header names), the others counted in `unlistedTraces`.
    /// `stats`: also the quality numbers over every trace (the traces not read are counted in
    /// ClickHouse); `check` (implies `stats`): also what the traces not read add to the policy's
    /// rules on roots (`DiagnosisReport.unreadRoots`, `unreadServices`). `gapsCounted` (`orphans`,
    /// which prints only their counts): the traces whose only findings are `unaccounted_time` and
    /// `low_coverage` are counted in ClickHouse, not read, and the report lists none of those findings.
    public func diagnosePushedDown(
        options: AnalysisOptions, listing: Listing? = nil, stats: Bool = false, check: Policy? = nil, gapsCounted: Bool = false
    ) throws(TraceDoctorError) -> DiagnosisReport {
        do {
            return try pushedDown(
                options: options, listing: listing, stats: stats || check != nil, check: check,
                gapsCounted: gapsCounted && listing == nil && !stats && check == nil)
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw .clickHouse(server: client.location.display, message: "\(error)")
        }
    }

    private func pushedDown(
        options: AnalysisOptions, listing: Listing?, stats: Bool, check: Policy?, gapsCounted: Bool
    ) throws -> DiagnosisReport {
        try checkSchema()
        let table = try qualified(tables.traces)
        let service = window.service != nil
        var totals = (traces: 0, spans: 0)
        TabSeparated.forEachRow(
            try client.query(ClickHouseQueries.windowTotals(traces: table, service: service), parameters: baseParameters, label: "window totals")
        ) { row in
            if row.count >= 2 { totals = (Int(row[0]) ?? 0, Int(row[1]) ?? 0) }
        }
        client.trace?("window: \(totals.traces) traces, \(totals.spans) spans")

        var fetched: [String: [AnalysisSpan]] = [:]
        var flagged: [String] = []
        var clean = 0
        var counted = (gaps: 0, lowCoverage: 0)
        if totals.spans > 0 {
            var parameters = baseParameters
            parameters["min_gap"] = String(options.minGapNs)
            parameters["min_gap_share"] = String(options.minGapShare)
            parameters["min_coverage"] = String(options.minCoverage)
            if gapsCounted {
                TabSeparated.forEachRow(
                    try client.query(
                        ClickHouseQueries.orphanTraces(traces: table, service: service), parameters: parameters,
                        label: "traces to report")
                ) { row in
                    guard row.count >= 3 else { return }
                    if row[0].isEmpty {
                        counted = (Int(row[1]) ?? 0, Int(row[2]) ?? 0)
                    } else {
                        flagged.append(row[0])
                    }
                }
            } else {
                flagged = ids(
                    try client.query(
                        ClickHouseQueries.flaggedTraces(traces: table, service: service), parameters: parameters,
                        label: "traces to report"))
            }
            try fetch(flagged, into: &fetched)
            try fetch(try crossTraceCandidates(fetched, options: options), into: &fetched)
            if let listing {
                if let service = listing.service { parameters["list_service"] = service }
                var listed: [String] = []
                TabSeparated.forEachRow(
                    try client.query(
                        ClickHouseQueries.cleanListing(
                            traces: table, sort: listing.sort.rawValue, listService: listing.service != nil, limit: listing.limit),
                        parameters: parameters, label: "the first \(listing.limit) traces without a finding by \(listing.sort.rawValue)")
                ) { row in
                    guard row.count >= 4 else { return }
                    clean = Int(row[0]) ?? 0
                    listed += row[1...3].filter { !$0.isEmpty }
                }
                try fetch(listed, into: &fetched)
            }
            if stats {
                try fetch(
                    ids(
                        try client.query(
                            ClickHouseQueries.cleanStats(traces: table, service: service, part: "specials"), parameters: parameters,
                            label: "traces with links, hand-offs or huge")), into: &fetched)
            }
            if let check {
                try fetch(try coverageExamples(read: fetched.keys.sorted(), policy: check), into: &fetched)
            }
            try fetch(try linkedTraces(fetched), into: &fetched)
        }

        let source = FetchedTraces(traces: fetched.keys.sorted().compactMap { fetched[$0] }, readMessageLogs: { try self.messageLogs() })
        var report = try Diagnoser.diagnose(source, options: options)
        // The traces not read have no finding and every span in its tree; those read count as the
        // analysis counted them (a re-reported span is one span there).
        let readTraces = source.traces.filter { !$0.isEmpty }
        report.quality.traces += totals.traces - readTraces.count
        report.quality.spans += totals.spans - readTraces.reduce(0) { $0 + $1.count }
        report.unlistedTraces.all = totals.traces - readTraces.count
        if gapsCounted {
            // ClickHouse counted every trace not named; those read anyway were counted by the analysis too.
            let named = Set(flagged)
            for t in report.traces where !named.contains(t.traceID.hex) {
                counted.gaps -= t.diagnoses[.unaccountedTime] ?? 0
                counted.lowCoverage -= t.diagnoses[.lowCoverage] ?? 0
            }
            report.quality.counts[.unaccountedTime, default: 0] += counted.gaps
            report.quality.counts[.lowCoverage, default: 0] += counted.lowCoverage
        }
        if let listing, let name = listing.service {
            // The traces without a finding with a span of the service, less those read.
            let flaggedIDs = Set(flagged)
            let read = readTraces.filter { spans in
                !flaggedIDs.contains(spans[0].traceID.hex) && spans.contains { $0.process.service == name }
            }
            report.unlistedTraces.service = name
            report.unlistedTraces.withService = clean - read.count
        }
        if stats && totals.spans > 0 {
            let read = fetched.keys.sorted().filter { !(fetched[$0] ?? []).isEmpty }
            try addUnreadTraces(to: &report, read: read, options: options)
            if let check { try addUnreadRoots(to: &report, read: read, policy: check) }
        }
        if hasLogs {
            report.quality.logs = try logLinkage()
            report.quality.counts[.logUnlinked] = report.quality.logs.unlinked
            report.quality.counts[.logDangling] = report.quality.logs.dangling
        }
        return report
    }

    /// What the traces not read add to `stats`: each is complete, has every span but its root with
    /// its parent, and one root whose coverage ClickHouse computes; the median and p10 of the
    /// coverages over all roots come from the values read and, of the others, only the few around
    /// each rank (the r-th of all is among the others' (r − m)-th to r-th, m the roots read).
    private func addUnreadTraces(to report: inout DiagnosisReport, read: [String], options: AnalysisOptions) throws {
        let table = try qualified(tables.traces)
        let service = window.service != nil
        var parameters = baseParameters
        parameters["min_gap"] = String(options.minGapNs)
        parameters["min_gap_share"] = String(options.minGapShare)
        parameters["min_coverage"] = String(options.minCoverage)
        parameters["fetched"] = Self.arrayLiteral(read)
        var unread = (traces: 0, spans: 0, withDuration: 0)
        TabSeparated.forEachRow(
            try client.query(
                ClickHouseQueries.cleanStats(traces: table, service: service, part: "totals"), parameters: parameters,
                label: "traces without a finding not read")
        ) { row in
            if row.count >= 3 { unread = (Int(row[0]) ?? 0, Int(row[1]) ?? 0, Int(row[2]) ?? 0) }
        }
        report.quality.completeTraces += unread.traces
        report.quality.spansExpectingParent += unread.spans - unread.traces
        report.quality.spansWithParent += unread.spans - unread.traces
        let local = report.quality.rootCoverages.sorted()
        let total = local.count + unread.withDuration
        guard unread.withDuration > 0 else { return }
        func percentile(_ p: Double) throws -> Double? {
            let rank = max(1, min(total, Int((p * Double(total)).rounded(.up))))
            let offset = max(0, rank - local.count - 1)
            var query = parameters
            query["offset"] = String(offset)
            query["count"] = String(local.count + 1)
            var window: [Double] = []
            TabSeparated.forEachRow(
                try client.query(
                    ClickHouseQueries.cleanStats(traces: table, service: service, part: "coverage"), parameters: query,
                    label: "root coverages from rank \(offset + 1) of the traces not read")
            ) { row in
                if let value = row.first.flatMap(Double.init) { window.append(value) }
            }
            let merged = (local + window).sorted()
            let index = rank - offset - 1
            return index < merged.count ? merged[index] : nil
        }
        report.quality.rankedCoverage = Quality.RankedCoverage(count: total, median: try percentile(0.5), p10: try percentile(0.1))
    }

    /// What the traces not read add to `check`'s rules on roots (`DiagnosisReport.unreadRoots`): per
    /// root operation, counted in ClickHouse against the policy's coverage limits, with the median
    /// and p10 of its coverages merged with those of the roots read, as `addUnreadTraces` merges
    /// the overall ones; and which of the required services have spans.
    private func addUnreadRoots(to report: inout DiagnosisReport, read: [String], policy: Policy) throws {
        let table = try qualified(tables.traces)
        let service = window.service != nil
        var parameters = checkParameters(policy)
        parameters["fetched"] = Self.arrayLiteral(read)
        // The coverages read, by root operation (as `Baseline.operations` groups them).
        var local: [String: (service: String, name: String, values: [Double])] = [:]
        for t in report.traces {
            guard let name = t.rootName else { continue }
            let s = t.rootService ?? ""
            if let c = t.coverage { local[s + "\u{0}" + name, default: (s, name, [])].values.append(c) }
        }
        let keys = local.keys.sorted()
        parameters["read_services"] = Self.arrayLiteral(keys.map { local[$0]!.service })
        parameters["read_names"] = Self.arrayLiteral(keys.map { local[$0]!.name })
        parameters["read_counts"] = "[" + keys.map { String(local[$0]!.values.count) }.joined(separator: ",") + "]"
        func values(_ text: String) -> [Double] {
            text.trimmingCharacters(in: ["[", "]"]).split(separator: ",").compactMap { Double(String($0)) }
        }
        TabSeparated.forEachRow(
            try client.query(
                ClickHouseQueries.cleanCheck(traces: table, service: service, part: "roots"), parameters: parameters,
                label: "root operations of the traces not read")
        ) { row in
            guard row.count >= 11, let roots = Int(row[2]), let withDuration = Int(row[3]), let weighed = Int(row[4]),
                let below = Int(row[5])
            else { return }
            let read = (local[row[0] + "\u{0}" + row[1]]?.values ?? []).sorted()
            let total = read.count + withDuration
            func percentile(_ p: Double, offset: String, window: String) -> Double? {
                guard withDuration > 0, let offset = Int(offset) else { return nil }
                let rank = max(1, min(total, Int((p * Double(total)).rounded(.up))))
                let merged = (read + values(window)).sorted()
                let index = rank - offset - 1
                return index >= 0 && index < merged.count ? merged[index] : nil
            }
            report.unreadRoots.append(
                DiagnosisReport.UnreadRoots(
                    service: row[0], operation: row[1], roots: roots, withDuration: withDuration, weighed: weighed,
                    belowLimit: below, lowestCoverage: weighed > 0 ? Double(row[6]) : nil,
                    coverageMedian: percentile(0.5, offset: row[7], window: row[8]),
                    coverageP10: percentile(0.1, offset: row[9], window: row[10])))
        }
        let required = policy.requiredServices.names
        if !required.isEmpty {
            var query = baseParameters
            query["names"] = Self.arrayLiteral(required)
            report.unreadServices = Set(
                ids(
                    try client.query(
                        ClickHouseQueries.servicesPresent(traces: table, service: service), parameters: query,
                        label: "which of \(required.count) required services have spans")))
        }
    }

    /// The parameters of `cleanCheck`: the gap thresholds and the coverage rule's limits.
    private func checkParameters(_ policy: Policy) -> [String: String] {
        var parameters = baseParameters
        let options = policy.analysisOptions
        parameters["min_gap"] = String(options.minGapNs)
        parameters["min_gap_share"] = String(options.minGapShare)
        parameters["min_coverage"] = String(options.minCoverage)
        let rule = policy.coverage
        let operations = rule.perOperation.keys.sorted()
        let services = rule.perService.keys.sorted()
        parameters["limit"] = String(rule.limit)
        parameters["limit_operations"] = Self.arrayLiteral(operations)
        parameters["operation_limits"] = "[" + operations.map { String(rule.perOperation[$0]!) }.joined(separator: ",") + "]"
        parameters["limit_services"] = Self.arrayLiteral(services)
        parameters["service_limits"] = "[" + services.map { String(rule.perService[$0]!) }.joined(separator: ",") + "]"
        parameters["examples"] = String(policy.examples)
        return parameters
    }

    /// The traces without a finding that `check`'s coverage rule shows as examples: the lowest below
    /// their operation's limit among those not read yet (read, they are summarised like the others).
    private func coverageExamples(read: [String], policy: Policy) throws -> [String] {
        guard policy.examples > 0 else { return [] }
        var parameters = checkParameters(policy)
        parameters["fetched"] = Self.arrayLiteral(read)
        return ids(
            try client.query(
                ClickHouseQueries.cleanCheck(traces: try qualified(tables.traces), service: window.service != nil, part: "examples"),
                parameters: parameters, label: "roots below the coverage limit to show"))
    }

    /// The traces a link ties to those read: the ones their spans link to, and the ones with a span
    /// linking into them (a span link is deliberate propagation: both sides decide the findings).
    private func linkedTraces(_ fetched: [String: [AnalysisSpan]]) throws -> [String] {
        var found = Set<String>()
        for spans in fetched.values {
            for span in spans { for link in span.links { found.insert(link.traceID.hex) } }
        }
        try Self.forEachBatch(of: fetched.keys.sorted()) { batch in
            var parameters = baseParameters
            parameters["ids"] = Self.arrayLiteral(batch)
            found.formUnion(
                ids(
                    try client.query(
                        ClickHouseQueries.tracesLinkingInto(traces: try qualified(tables.traces), service: window.service != nil),
                        parameters: parameters, label: "traces linking into \(batch.count) traces")))
        }
        return found.sorted()
    }

    /// Calls `body` with `ids` in slices of `idsPerQuery` (they travel as one query parameter).
    private static func forEachBatch(of ids: [String], _ body: ([String]) throws -> Void) throws {
        var start = 0
        while start < ids.count {
            let batch = Array(ids[start..<min(ids.count, start + idsPerQuery)])
            start += batch.count
            try body(batch)
        }
    }

    /// The first column of each row.
    private func ids(_ data: Data) -> [String] {
        var ids: [String] = []
        TabSeparated.forEachRow(data) { row in if let id = row.first, !id.isEmpty { ids.append(id) } }
        return ids
    }

    /// Reads the spans of the traces `ids` not read yet.
    private func fetch(_ ids: [String], into fetched: inout [String: [AnalysisSpan]]) throws {
        let wanted = Array(Set(ids.filter { fetched[$0] == nil })).sorted()
        guard !wanted.isEmpty else { return }
        let table = try qualified(tables.traces)
        try Self.forEachBatch(of: wanted) { batch in
            var parameters = baseParameters
            parameters["ids"] = Self.arrayLiteral(batch)
            let data = try client.query(
                ClickHouseQueries.spans(traces: table, ofTraces: ()), parameters: parameters,
                label: "spans of \(batch.count) traces")
            try forEachTrace(in: data) { spans in
                if let first = spans.first { fetched[first.traceID.hex] = spans }
            }
        }
        for id in wanted where fetched[id] == nil { fetched[id] = [] }
    }

    /// The traces the questions across traces need besides `fetched`: those holding a missing
    /// parent, those with a span of a fragment's service running when it started, those whose root
    /// may continue a message sent by a fetched PRODUCER, and both sides of every call and entry root
    /// that may pair up.
    private func crossTraceCandidates(_ fetched: [String: [AnalysisSpan]], options: AnalysisOptions) throws -> [String] {
        let table = try qualified(tables.traces)
        let service = window.service != nil
        var missing = Set<String>()
        var fragments: [(service: String, start: Int64)] = []
        var sends: (from: Int64, to: Int64)?
        for spans in fetched.values where !spans.isEmpty {
            let analysis = TraceAnalysis(spans: spans, options: options)
            for group in analysis.missingParents { missing.insert(group.parentSpanID.hex) }
            if let root = analysis.fragmentRoot {
                fragments.append((analysis.tree.spans[root].service, analysis.tree.start[root]))
            }
            for i in analysis.unansweredCalls where analysis.tree.spans[i].kind == .producer {
                let (s, e) = (analysis.tree.start[i], analysis.tree.end[i])
                sends = (min(sends?.from ?? s, s), max(sends?.to ?? e, e))
            }
        }
        var found: [String] = []
        if !missing.isEmpty {
            var parameters = baseParameters
            parameters["ids"] = Self.arrayLiteral(missing.sorted())
            found += ids(
                try client.query(
                    ClickHouseQueries.tracesHoldingSpans(traces: table, service: service), parameters: parameters,
                    label: "traces holding \(missing.count) missing parents"))
        }
        if !fragments.isEmpty {
            var parameters = baseParameters
            parameters["services"] = Self.arrayLiteral(fragments.map(\.service))
            parameters["times"] = "[" + fragments.map { String($0.start) }.joined(separator: ",") + "]"
            parameters["latest"] = String(fragments.map(\.start).max() ?? 0)
            found += ids(
                try client.query(
                    ClickHouseQueries.tracesRunningAt(traces: table, service: service), parameters: parameters,
                    label: "traces running when \(fragments.count) fragments started"))
        }
        if let sends {
            var parameters = baseParameters
            parameters["from"] = String(sends.from)
            parameters["to"] = String(sends.to &+ UnpropagatedMessage.continuationWindowNs)
            found += ids(
                try client.query(
                    ClickHouseQueries.messageRootTraces(traces: table, service: service), parameters: parameters,
                    label: "roots that may continue a message"))
        }
        found += try pairableCallTraces()
        return found
    }

    /// Both sides of every call without an answer and entry root of another trace that may pair up
    /// (`unpropagated_call`): the names entry roots answer to, the calls that may name one (or name
    /// none), the entry roots those calls may have started; the pairing rules applied here.
    private func pairableCallTraces() throws -> [String] {
        let table = try qualified(tables.traces)
        let service = window.service != nil
        var keys = Set<String>()
        var anyEntry = false
        TabSeparated.forEachRow(
            try client.query(ClickHouseQueries.entryKeys(traces: table, service: service), parameters: baseParameters, label: "entry root names")
        ) { row in
            anyEntry = true
            for key in row where !key.isEmpty { keys.insert(key) }
        }
        guard anyEntry else { return [] }
        var parameters = baseParameters
        parameters["keys"] = Self.arrayLiteral(keys.sorted())
        let calls = lightSpans(
            try client.query(
                ClickHouseQueries.unansweredCalls(traces: table, service: service), parameters: parameters,
                label: "calls without an answer"), peers: true)
        guard !calls.isEmpty else { return [] }
        var callKeys = Set<String>()
        var unnamed: [(Int64, Int64)] = []
        for call in calls {
            if call.peerNames.isEmpty {
                unnamed.append((call.startNs ?? 0, call.endNs ?? 0))
                continue
            }
            for peer in call.peerNames {
                callKeys.insert(peer)
                if let dot = peer.firstIndex(of: ".") { callKeys.insert(String(peer[..<dot])) }
            }
        }
        // Calls naming no peer, merged into the times some such call was in flight.
        unnamed.sort { $0 < $1 }
        var during: [(Int64, Int64)] = []
        for (s, e) in unnamed {
            if let last = during.last, s <= last.1 {
                during[during.count - 1].1 = max(last.1, e)
            } else {
                during.append((s, e))
            }
        }
        parameters["keys"] = Self.arrayLiteral(callKeys.sorted())
        parameters["during"] = "[" + during.map { "(\($0.0),\($0.1))" }.joined(separator: ",") + "]"
        let entries = lightSpans(
            try client.query(
                ClickHouseQueries.entryRoots(traces: table, service: service), parameters: parameters,
                label: "entry roots the calls may have started"), peers: false)
        return UnpropagatedCall.pairableTraces(calls: calls, entries: entries).map(\.hex)
    }

    /// Rows of `unansweredCalls` / `entryRoots` as spans (only what the pairing reads).
    private func lightSpans(_ data: Data, peers: Bool) -> [AnalysisSpan] {
        var spans: [AnalysisSpan] = []
        var processes: [[String]: SpanProcess] = [:]
        TabSeparated.forEachRow(data) { row in
            guard row.count >= (peers ? 15 : 10), let traceID = TraceID(hex: row[0]), let spanID = SpanID(hex: row[1]) else { return }
            let key = [row[4], row[5], row[6], row[7]]
            let process = processes[key] ?? SpanProcess(service: row[4], host: row[5], instanceID: row[6], pid: row[7])
            processes[key] = process
            let kind = SpanKind(rawValue: Int(row[3]) ?? 0) ?? .unspecified
            spans.append(
                AnalysisSpan(
                    traceID: traceID, spanID: spanID, name: row[2], kind: kind, process: process, startNs: Int64(row[8]),
                    endNs: Int64(row[9]), peerNames: peers ? AnalysisSpan.peerNames(fromValues: Array(row[10..<15])) : [],
                    rowID: 0))
        }
        return spans
    }

    /// The log linkage of the window's lines, counted in ClickHouse: `log_dangling` against the
    /// window's trace IDs, `log_unlinked` against the merged intervals during which each service
    /// with untraced lines had a span running.
    private func logLinkage() throws -> Quality.LogLinkage {
        let traces = try qualified(tables.traces)
        let logs = try qualified(tables.logs)
        let service = window.service != nil
        let services = ids(
            try client.query(
                ClickHouseQueries.untracedLogServices(logs: logs, service: service), parameters: baseParameters,
                label: "services with untraced log lines"))
        var busy: [String: [(Int64, Int64)]] = [:]
        var parameters = baseParameters
        parameters["services"] = Self.arrayLiteral(services)
        if !services.isEmpty {
            TabSeparated.forEachRow(
                try client.query(
                    ClickHouseQueries.busyIntervals(traces: traces, service: service), parameters: parameters,
                    label: "when \(services.count) services had a span running")
            ) { row in
                if row.count >= 3, let s = Int64(row[1]), let e = Int64(row[2]) { busy[row[0], default: []].append((s, e)) }
            }
        }
        parameters["busy"] =
            "[" + services.map { "[" + (busy[$0] ?? []).map { "(\($0.0),\($0.1))" }.joined(separator: ",") + "]" }.joined(separator: ",")
            + "]"
        var linkage = Quality.LogLinkage()
        TabSeparated.forEachRow(
            try client.query(
                ClickHouseQueries.logCounts(traces: traces, logs: logs, service: service), parameters: parameters,
                label: "log line counts")
        ) { row in
            guard row.count >= 5 else { return }
            linkage.total = Int(row[0]) ?? 0
            linkage.withTraceID = Int(row[1]) ?? 0
            linkage.dangling = Int(row[2]) ?? 0
            linkage.linkedToSpan = Int(row[3]) ?? 0
            linkage.unlinked = Int(row[4]) ?? 0
        }
        return linkage
    }
}


/// The traces read, and the log lines naming message IDs (asked for only when a PRODUCER needs them).
private struct FetchedTraces: SpanSource {
    var traces: [[AnalysisSpan]]
    var readMessageLogs: () throws -> [UnpropagatedMessage.MessageLog]

    func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws {
        for trace in traces { try body(trace) }
    }

    func messageLogs() throws -> [UnpropagatedMessage.MessageLog] { try readMessageLogs() }
}
