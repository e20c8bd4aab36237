// `explain` in one call: find the trace (or the most broken one), diagnose it with its neighbours,
// then read only what the view needs — the spans of the traces attached to it, the details of the
// spans shown, their log lines and the lines without trace ID written during its gaps — each
// through an index.

/// Explains one trace.
public enum Explainer {
    public static func explain(_ request: ExplainRequest) throws(TraceDoctorError) -> Explanation {
        let clock = ContinuousClock()
        var mark = clock.now
        var phases: [(phase: String, seconds: Double)] = []
        func lap(_ name: String) {
            let now = clock.now
            let d = now - mark
            phases.append((name, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
            mark = now
        }
        let query: String
        switch request.target {
        case .trace(let text):
            query = text
        case .mostBroken:
            let report = try Diagnoser.run(DiagnosisRequest(databasePath: request.databasePath, options: request.options))
            guard let id = MostBrokenTrace.pick(report) else {
                throw .database(
                    path: request.databasePath,
                    message: report.traces.isEmpty
                        ? "it holds no trace; run `tracedoctor ingest FILE...` first"
                        : "none of its \(report.traces.count) traces has a defect; name one: `tracedoctor explain TRACE_ID`")
            }
            query = id.hex
        }
        lap("pick")
        let diagnosis = try Diagnoser.diagnoseTrace(query, databasePath: request.databasePath, options: request.options)
        lap("diagnose")
        Interruption.doing("explaining the trace")
        let store = try TraceStore(path: request.databasePath, readOnly: true)
        defer { store.close() }

        var builder = ExplanationBuilder(diagnosis: diagnosis)
        builder.options = request.options
        builder.logSelection = request.logs
        // A message's continuation under its producer ("continued in trace 7c9… after 3.1 ms in queue").
        for m in diagnosis.unpropagatedMessages where m.producer.traceID == diagnosis.traceID {
            guard let c = m.continuation else { continue }
            var headline = "continued in trace \(c.traceID.hex.prefix(8))…"
            if let delay = m.queueDelayNs { headline += " after \(Units.duration(ns: delay)) in queue" }
            headline += ", \(Units.duration(ns: m.continuationDurationNs)) of work (unpropagated_message, "
                + Units.plural(m.continuationSpanCount, "span") + ", sent without context, confidence "
                + TextFormat.confidence(m.confidence) + ")"
            builder.attachments.append(
                ExplanationBuilder.Attachment(
                    relation: .unpropagatedMessage, traceID: c.traceID, parentSpanID: m.producer.spanID,
                    confidence: m.confidence, evidence: m.evidence, spans: [], headline: headline))
        }
        // Span links, both ways: traces that continue this one hang under the span they link; the
        // spans of this one that link elsewhere say where to.
        for l in diagnosis.linkedContinuations {
            if l.root.traceID == diagnosis.traceID {
                var note = "span link to " + l.linked.prefix(3).map {
                    "\($0.service) `\($0.name)` in trace \(TextFormat.shortID($0.traceID))…"
                }.joined(separator: ", ") + (l.linked.count > 3 ? " and \(l.linked.count - 3) more" : "")
                note += ": continues it on purpose (no fragment)"
                if !l.notCaptured.isEmpty { note += "; " + Units.plural(l.notCaptured.count, "link") + " to spans not in the capture" }
                builder.notes[l.root.spanID, default: []].append(note)
            } else if let span = l.linked.first(where: { $0.traceID == diagnosis.traceID }),
                !builder.attachments.contains(where: { $0.traceID == l.root.traceID })
            {
                let headline = "continued by span link in trace \(l.root.traceID.hex.prefix(8))… (`\(l.root.name)` of "
                    + "\(l.root.service), " + Units.plural(l.spanCount, "span") + ", \(Units.duration(ns: l.durationNs)); "
                    + "deliberate, not lost context)"
                builder.attachments.append(
                    ExplanationBuilder.Attachment(
                        relation: .fragmentTrace, traceID: l.root.traceID, parentSpanID: span.spanID, confidence: nil,
                        evidence: ["its root `\(l.root.name)` links \(span.service) `\(span.name)`"], spans: [],
                        headline: headline, isLink: true))
            }
        }
        for fragment in diagnosis.fragments {
            guard let parent = fragment.suspectedParent,
                !builder.attachments.contains(where: { $0.traceID == fragment.root.traceID })
            else { continue }
            builder.attachments.append(
                ExplanationBuilder.Attachment(
                    relation: .fragmentTrace, traceID: fragment.root.traceID, parentSpanID: parent.span.spanID,
                    confidence: parent.confidence, evidence: fragment.evidence + parent.evidence, spans: []))
        }
        for call in diagnosis.unpropagatedCalls where call.client.traceID == diagnosis.traceID {
            builder.attachments.append(
                ExplanationBuilder.Attachment(
                    relation: .unpropagatedCall, traceID: call.callee.traceID, parentSpanID: call.client.spanID,
                    confidence: call.confidence, evidence: call.evidence, spans: []))
        }
        let attachedIDs = builder.attachments.map(\.traceID)
        let attachedSpans = try store.spans(ofTraces: attachedIDs)
        for k in builder.attachments.indices { builder.attachments[k].spans = attachedSpans[k] }
        builder.attachments.removeAll { $0.spans.isEmpty }

        let shown = [diagnosis.traceID] + builder.attachments.map(\.traceID)
        builder.details = try store.spanDetails(ofTraces: shown)
        var keyRows: [Int64] = []
        if !request.linkKeys.isEmpty {
            let joins = try KeyJoiner.join(keys: request.linkKeys, store: store)
            keyRows = joins.rows(of: diagnosis.traceID)
            for row in keyRows { builder.keyOfRow[row] = joins.joined[row]?.key.field }
            if request.logs != .none {
                let errorsOnly = request.logs == .errors
                for log in try store.logs(rowIDs: keyRows) where !errorsOnly || log.isError {
                    if let join = joins.joined[log.rowID] { builder.keyLogs.append((log, join)) }
                }
            }
        }
        if request.logs != .none {
            let errorsOnly = request.logs == .errors
            for id in shown { builder.logs += try store.logs(ofTrace: id, errorsOnly: errorsOnly) }
            for window in ExplanationBuilder.unlinkedLogWindows(diagnosis) {
                builder.unlinkedLogs += try store.unlinkedLogs(
                    service: window.service, from: window.from, to: window.to, errorsOnly: errorsOnly,
                    limit: request.unlinkedLogsPerGap)
            }
        }
        // Log intervals: those whose lines carry the trace ID or joined it by key, and those run by
        // a service of the trace during one of its gaps.
        // (An interval that started more than its span's duration before a gap would cover the span
        // whole and is no evidence: the lookup reaches back that far, never scanning the table.)
        builder.intervals = try store.logIntervals(
            trace: diagnosis.traceID, rows: keyRows, windows: ExplanationBuilder.unlinkedLogWindows(diagnosis),
            longestNs: diagnosis.analysis.gaps.unaccounted.map(\.spanDurationNs).max() ?? 0)
        lap("read")
        var explanation = builder.build()
        lap("build")
        explanation.phaseSeconds = phases
        return explanation
    }
}
