// `unpropagated_message`: the queue twin of `unpropagated_call`. A PRODUCER span (or a CLIENT span
// with `messaging.*` attributes) has no CONSUMER child in its trace, and a later trace started in
// the service that took the message: a CONSUMER root, or an INTERNAL/CLIENT root of a worker that
// never extracted the context. Producers and continuations are assigned one to one over the whole
// window, strongest evidence first, then in the order a FIFO queue delivers; a pair that only that
// order would make among several equally plausible ones is not a link but an ambiguous hand-off.

/// A message whose consumer started a trace of its own (or, without a continuation, a message
/// nothing in the capture is seen to consume).
public struct UnpropagatedMessage: Sendable, Equatable {
    /// The strongest evidence that ties the continuation to the producer.
    public enum Match: String, Sendable, Equatable, CaseIterable {
        /// The same message ID on both sides' spans.
        case messageID = "message_id"
        /// A log line of the consuming service names the producer's message ID.
        case logMessageID = "log_message_id"
        /// The continuation names the producer's destination or task.
        case name = "destination_or_task_name"
        /// Only the service that consumes the destination (or the producer's own, for an in-process
        /// queue), and the order a FIFO queue delivers in.
        case order = "queue_order"

        var rank: Int {
            switch self {
            case .messageID: 3
            case .logMessageID: 3
            case .name: 2
            case .order: 1
            }
        }
    }

    /// The PRODUCER (or messaging CLIENT) span.
    public var producer: SpanRef
    public var system: String?
    public var destination: String?
    public var messageID: String?
    /// The root of the trace that continued the message; nil when none was found.
    public var continuation: SpanRef?
    public var continuationSpanCount: Int
    public var continuationStartNs: Int64?
    public var continuationDurationNs: Int64
    /// From the end of the send to the start of the continuation (0 when it started before the
    /// send returned).
    public var queueDelayNs: Int64?
    public var match: Match?
    /// 0…1 (0 without a continuation).
    public var confidence: Double
    public var evidence: [String]
    /// An ambiguous hand-off (no continuation then): the roots that could equally continue it
    /// when only the order of a FIFO queue would tell them apart, none of them singled out by a
    /// message ID or a log line. Empty otherwise.
    public var candidates: [SpanRef] = []

    /// Whether queue order alone could not pair this message with one continuation.
    public var isAmbiguous: Bool { continuation == nil && !candidates.isEmpty }

    /// A hand-off without a consumer in its trace.
    struct Producer {
        var span: AnalysisSpan
        var trace: Int32
        var start: Int64
        var end: Int64
    }

    /// The root of a trace that may continue a message.
    struct Candidate {
        var span: AnalysisSpan
        var trace: Int32
        var start: Int64
        var end: Int64
        var spanCount: Int
    }

    /// A log line without trace context that names a message ID (`Task NAME[ID] received`, a
    /// `task_id` or `message_id` field).
    public struct MessageLog: Sendable, Equatable {
        public var service: String
        public var timeNs: Int64
        public var messageID: String
        /// The pattern that found it (`celery_task`, `field task_id`, ...).
        public var pattern: String
        /// When such a line is written relative to the work.
        public var moment: MessageLogPatterns.Moment

        public init(
            service: String, timeNs: Int64, messageID: String, pattern: String, moment: MessageLogPatterns.Moment = .around
        ) {
            self.service = service
            self.timeNs = timeNs
            self.messageID = messageID
            self.pattern = pattern
            self.moment = moment
        }

        /// The resolution the time was written with (a line logged to the millisecond stands for
        /// anything in the following millisecond), as `StoredLog.timeResolutionNs` judges it.
        var resolutionNs: Int64 {
            if timeNs % 1_000_000_000 == 0 { return 1_000_000_000 }
            if timeNs % 1_000_000 == 0 { return 1_000_000 }
            if timeNs % 1_000 == 0 { return 1_000 }
            return 1
        }
    }

    /// How long after the send a continuation may start and still be considered (one hour).
    static let window: Int64 = 3_600_000_000_000
    /// How far from a continuation's start or end a log line naming the message may be (1 s: lines
    /// are often stamped to the millisecond or the second).
    static let logSlackNs: Int64 = 1_000_000_000
    /// How far before and after a trace `explain` looks for the other side of its messages (10 s).
    static let explainReachNs: Int64 = 10_000_000_000

    /// Whether `span` hands work to a queue: a PRODUCER span, or a CLIENT span with messaging attributes.
    static func isHandoff(_ span: AnalysisSpan) -> Bool {
        span.kind == .producer || (span.kind == .client && !(span.messaging?.isEmpty ?? true))
    }

    /// Whether a root may be the first span of a consumer's work: a CONSUMER root, or a root that is
    /// not an entry point for requests (INTERNAL, CLIENT, UNSPECIFIED).
    static func mayContinue(_ root: AnalysisSpan) -> Bool {
        switch root.kind {
        case .consumer, .internal, .client: true
        case .unspecified: root.parentIsRemote != true
        case .server, .producer: false
        }
    }

    /// The task a producer sends, as far as it says: `celery.task_name`, or what follows the `/`
    /// of Celery's `apply_async/tasks.generate` span name.
    static func taskName(of span: AnalysisSpan) -> String? {
        if let t = span.messaging?.taskName { return t }
        if let slash = span.name.lastIndex(of: "/"), span.name[..<slash].contains("apply_async") || span.name.hasPrefix("send") {
            let rest = span.name[span.name.index(after: slash)...]
            return rest.isEmpty ? nil : String(rest)
        }
        return nil
    }

    /// Whether a candidate's name (or messaging attributes) names the producer's destination or task.
    static func names(_ candidate: AnalysisSpan, _ producer: AnalysisSpan) -> Bool {
        if let d = producer.messaging?.destination, let c = candidate.messaging?.destination, c == d { return true }
        let name = candidate.name.lowercased()
        var wanted: [String] = []
        if let task = taskName(of: producer) {
            wanted.append(task.lowercased())
            if let dot = task.lastIndex(of: ".") { wanted.append(task[task.index(after: dot)...].lowercased()) }
        }
        if let d = producer.messaging?.destination { wanted.append(d.lowercased()) }
        return wanted.contains { !$0.isEmpty && $0.count >= 3 && name.contains($0) }
    }

    /// Assigns continuations to producers, one to one, and reports every producer (matched or not).
    /// - Parameters:
    ///   - consumers: for each destination, the services seen consuming it (CONSUMER spans).
    ///   - logs: log lines naming message IDs.
    static func match(
        producers: [Producer], candidates: [Candidate], consumers: [String: Set<String>], logs: [MessageLog],
        traceIDs: [TraceID]
    ) -> [UnpropagatedMessage] {
        guard !producers.isEmpty else { return [] }
        // Log lines naming a message ID, by ID: (service, time).
        var logsByID: [String: [MessageLog]] = [:]
        for log in logs { logsByID[log.messageID, default: []].append(log) }

        struct Pair {
            var producer: Int
            var candidate: Int
            var match: Match
            var logPattern: String?
        }
        // Producers sorted by when the message was sent; candidates by start.
        let producerOrder = producers.indices.sorted { (producers[$0].end, producers[$0].start, $0) < (producers[$1].end, producers[$1].start, $1) }
        let candidateOrder = candidates.indices.sorted { (candidates[$0].start, $0) < (candidates[$1].start, $1) }

        /// How well the lines naming message `id` (of `c`'s service, written after `p` started
        /// sending) fit candidate `c`, as the line that fits best and a distance (smaller is better),
        /// or nil when none fits. A line written after the work (`succeeded`) must follow `c`'s end
        /// within `logSlackNs` (distance: how long after); one written before it (`received`, which
        /// a prefetching worker logs long before the task runs) must precede `c`'s start (a weak
        /// fit: `logSlackNs` plus how long before); any other must fall within `logSlackNs` of `c`'s
        /// start or end, or inside it (distance to the nearer end). A line stamped to the
        /// millisecond (or second) stands for that whole millisecond. So the `succeeded` line of the
        /// task a worker finished just before starting `c` fits nothing of `c`.
        func nearestLog(_ id: String, _ p: Producer, _ c: Candidate) -> (MessageLog, Int64)? {
            var best: (MessageLog, Int64)?
            for log in logsByID[id] ?? [] where log.service == c.span.service && log.timeNs + log.resolutionNs > p.start {
                let first = log.timeNs
                let last = log.timeNs + log.resolutionNs - 1
                func distance(_ t: Int64) -> Int64 { t < first ? first - t : max(0, t - last) }
                let d: Int64
                switch log.moment {
                case .after:
                    guard last >= c.end, first - c.end <= Self.logSlackNs else { continue }
                    d = distance(c.end)
                case .before:
                    guard first <= c.start else { continue }
                    d = Self.logSlackNs &+ distance(c.start)
                case .around:
                    let near = min(distance(c.start), distance(c.end))
                    guard near <= Self.logSlackNs || (first <= c.end && last >= c.start) else { continue }
                    d = near
                }
                if best == nil || d < best!.1 { best = (log, d) }
            }
            return best
        }

        /// The evidence between producer p and candidate c, or nil when c cannot continue p.
        func relation(_ p: Producer, _ c: Candidate) -> (Match, String?)? {
            guard p.trace != c.trace, c.start >= p.start, c.start - p.end <= window else { return nil }
            let pm = p.span.messaging
            if let id = pm?.messageID {
                if let cid = c.span.messaging?.messageID {
                    return cid == id ? (.messageID, nil) : nil
                }
                // A log line of the candidate's service naming the ID, written after the send and close
                // to the candidate's start or end (`received` just before the task, `succeeded` after).
                if let (named, _) = nearestLog(id, p, c) { return (.logMessageID, named.pattern) }
            }
            return tier(p.span, c.span).map { ($0, nil) }
        }

        /// The evidence short of a message ID that root `c` may continue what producer `p` sends:
        /// `.name`, `.order`, or nil (another queue, or nothing ties them).
        func tier(_ p: AnalysisSpan, _ c: AnalysisSpan) -> Match? {
            let pm = p.messaging
            // Both sides name their system or destination, differently: another queue.
            if let ps = pm?.system, let cs = c.messaging?.system, ps != cs { return nil }
            if let pd = pm?.destination, let cd = c.messaging?.destination, pd != cd { return nil }
            if names(c, p) { return .name }
            let consumes = pm?.destination.map { consumers[$0]?.contains(c.service) ?? false } ?? false
            if consumes || (c.kind == .consumer && pm?.destination == nil) { return .order }
            return nil
        }

        var producerUsed = [Bool](repeating: false, count: producers.count)
        var candidateUsed = [Bool](repeating: false, count: candidates.count)
        var pairs: [Pair] = []

        // 1. The same message ID (on a span or in a log line): certain, whatever the order. Pairs by
        // ID on both spans first, then by how closely the lines naming it frame the continuation.
        // Only the pairs an ID names are looked at: producers by ID, candidates by service and time.
        var producersByID: [String: [Int]] = [:]
        for (pi, p) in producers.enumerated() {
            if let id = p.span.messaging?.messageID { producersByID[id, default: []].append(pi) }
        }
        var byID: [(distance: Int64, producer: Int, candidate: Int, match: Match, pattern: String?)] = []
        var seenPairs = Set<Int64>()
        func consider(_ pi: Int, _ ci: Int) {
            guard seenPairs.insert(Int64(pi) << 32 | Int64(ci)).inserted,
                let (m, pattern) = relation(producers[pi], candidates[ci]), m.rank == 3
            else { return }
            var distance: Int64 = -1
            if m == .logMessageID, let id = producers[pi].span.messaging?.messageID {
                distance = nearestLog(id, producers[pi], candidates[ci])?.1 ?? Int64.max
            }
            byID.append((distance, pi, ci, m, pattern))
        }
        if !producersByID.isEmpty {
            for (ci, c) in candidates.enumerated() {
                guard let id = c.span.messaging?.messageID else { continue }
                for pi in producersByID[id] ?? [] { consider(pi, ci) }
            }
            var byService: [String: IntervalIndex] = [:]
            for log in logs {
                guard let named = producersByID[log.messageID] else { continue }
                if byService[log.service] == nil {
                    byService[log.service] = IntervalIndex(
                        candidates.enumerated().filter { $0.element.span.service == log.service }.map {
                            ($0.element.start - Self.logSlackNs, max($0.element.end, $0.element.start) + Self.logSlackNs, Int32($0.offset))
                        })
                }
                byService[log.service]!.stab(log.timeNs) { payload, _, _ in
                    for pi in named { consider(pi, Int(payload)) }
                }
            }
        }
        byID.sort { ($0.distance, $0.candidate, $0.producer) < ($1.distance, $1.candidate, $1.producer) }
        // Lines naming an ID place it by time only: when they fit several roots (two workers
        // running side by side), the pick is the nearest, not a certainty.
        // A root another message's lines fit strictly better (and took) is no rival.
        var logFits: [Int: [Int: Int64]] = [:]
        for pair in byID where pair.match == .logMessageID { logFits[pair.producer, default: [:]][pair.candidate] = pair.distance }
        var takenAt: [Int: (producer: Int, distance: Int64)] = [:]
        for pair in byID where !producerUsed[pair.producer] && !candidateUsed[pair.candidate] {
            producerUsed[pair.producer] = true
            candidateUsed[pair.candidate] = true
            takenAt[pair.candidate] = (pair.producer, pair.distance)
            pairs.append(Pair(producer: pair.producer, candidate: pair.candidate, match: pair.match, logPattern: pair.pattern))
        }
        /// For pairs joined by a log line: how many other roots the same lines fit as well.
        var logRivals: [Int: Int] = [:]
        for (k, pair) in pairs.enumerated() where pair.match == .logMessageID {
            logRivals[k] = (logFits[pair.producer] ?? [:]).filter { candidate, distance in
                guard candidate != pair.candidate else { return false }
                if let other = takenAt[candidate], other.producer != pair.producer, other.distance < distance { return false }
                return true
            }.count
        }

        // 2. Then by name, then by the consuming service: candidates in start order take the
        // earliest message sent that they may continue (a FIFO queue delivers in order). Producers
        // that look alike to a candidate (system, destination, task, whether they carry an ID) form
        // one lane, in the order sent; each lane keeps a cursor past what is taken or too old.
        //
        // Queue order only decides a pair that nothing else could have made: when a candidate
        // starts with several messages waiting that it could equally continue, or a root starts
        // with none waiting although it could continue a message an earlier root took (so one of
        // the two roots had no producer in the capture), the messages and roots involved form one
        // ambiguous set (union-find over producers, then candidates at producers.count + index).
        // Only a set of exactly one message and one root is reported as a link.
        struct Lane {
            var members: [Int]
            var next = 0
        }
        var laneOf: [String: Int] = [:]
        var lanes: [Lane] = []
        for pi in producerOrder where !producerUsed[pi] {
            let m = producers[pi].span.messaging
            let key = [m?.system ?? "", m?.destination ?? "", taskName(of: producers[pi].span) ?? producers[pi].span.name,
                m?.messageID == nil ? "-" : "id"].joined(separator: "\u{1F}")
            if let l = laneOf[key] {
                lanes[l].members.append(pi)
            } else {
                laneOf[key] = lanes.count
                lanes.append(Lane(members: [pi]))
            }
        }
        var set = Array(0..<(producers.count + candidates.count))
        func find(_ x: Int) -> Int {
            var x = x
            while set[x] != x {
                set[x] = set[set[x]]
                x = set[x]
            }
            return x
        }
        func union(_ a: Int, _ b: Int) {
            let (ra, rb) = (find(a), find(b))
            if ra != rb { set[max(ra, rb)] = min(ra, rb) }
        }
        func queue(_ p: Producer) -> String { p.span.messaging?.destination ?? "service:" + p.span.service }
        /// Pairs made by order or name so far, and their queue delays (sorted) by queue.
        var ordered: [Pair] = []
        var delaysSoFar: [String: [Int64]] = [:]
        /// How long after a send a root may start and still be as plausible a continuation as the
        /// root that took the message: the test of "far above the median" below, once a queue has
        /// three delays; the whole window before.
        func reach(_ p: Producer) -> Int64 {
            guard let d = delaysSoFar[queue(p)], d.count >= 3 else { return window }
            return 4 * d[d.count / 2] + 10_000_000
        }
        for ci in candidateOrder where !candidateUsed[ci] {
            let c = candidates[ci]
            var best: (tier: Match, lane: Int, position: Int)?
            var waitingAt: [Match: [Int]] = [:]
            for l in lanes.indices {
                let lane = lanes[l]
                guard lane.next < lane.members.count else { continue }
                let representative = producers[lane.members[lane.next]]
                // A candidate with its own message ID continues no producer with another one.
                if c.span.messaging?.messageID != nil && representative.span.messaging?.messageID != nil { continue }
                guard let tier = tier(representative.span, c.span) else { continue }
                // Past what is taken or too old to be continued now.
                var k = lane.next
                while k < lane.members.count,
                    producerUsed[lane.members[k]] || c.start - producers[lane.members[k]].end > window
                {
                    k += 1
                }
                lanes[l].next = k
                var first: Int?
                var j = k
                while j < lane.members.count, producers[lane.members[j]].start <= c.start {
                    let pi = lane.members[j]
                    if !producerUsed[pi] && producers[pi].trace != c.trace {
                        if first == nil { first = j }
                        waitingAt[tier, default: []].append(pi)
                    }
                    j += 1
                }
                guard let position = first else { continue }
                let better: Bool
                if let b = best {
                    if tier.rank != b.tier.rank {
                        better = tier.rank > b.tier.rank
                    } else {
                        let p = producers[lane.members[position]]
                        let q = producers[lanes[b.lane].members[b.position]]
                        better = (p.end, p.start) < (q.end, q.start)
                    }
                } else {
                    better = true
                }
                if better { best = (tier, l, position) }
            }
            if let chosen = best {
                let pi = lanes[chosen.lane].members[chosen.position]
                producerUsed[pi] = true
                candidateUsed[ci] = true
                // Every message as plausible as the one taken (same rank of evidence) was waiting too.
                for (tier, waiting) in waitingAt where tier.rank == chosen.tier.rank {
                    for other in waiting { union(producers.count + ci, other) }
                }
                union(producers.count + ci, pi)
                ordered.append(Pair(producer: pi, candidate: ci, match: chosen.tier, logPattern: nil))
                let d = max(0, c.start - producers[pi].end)
                var list = delaysSoFar[queue(producers[pi]), default: []]
                var lo = 0
                var hi = list.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if list[mid] < d { lo = mid + 1 } else { hi = mid }
                }
                list.insert(d, at: lo)
                delaysSoFar[queue(producers[pi])] = list
            } else {
                // Nothing waiting: this root may still continue a message an earlier root took, as
                // plausibly (the same rank of evidence, a delay in line with the queue's). The most
                // recent 1000 pairs are looked at.
                for pair in ordered.suffix(1000).reversed() {
                    let p = producers[pair.producer]
                    guard p.trace != c.trace, p.start <= c.start, c.start - p.end <= reach(p) else { continue }
                    if c.span.messaging?.messageID != nil && p.span.messaging?.messageID != nil { continue }
                    guard let tier = tier(p.span, c.span), tier.rank >= pair.match.rank else { continue }
                    union(producers.count + ci, pair.producer)
                }
            }
        }
        // Sets of more than one message or root are ambiguous: no pair of them is a link.
        var producersIn: [Int: [Int]] = [:]
        var candidatesIn: [Int: [Int]] = [:]
        for pi in producers.indices { producersIn[find(pi), default: []].append(pi) }
        for ci in candidates.indices { candidatesIn[find(producers.count + ci), default: []].append(ci) }
        var ambiguous: [(producer: Int, candidates: [Int], tier: Match, waiting: Int)] = []
        var ambiguousTier: [Int: Match] = [:]
        for pair in ordered {
            let root = find(pair.producer)
            if (producersIn[root]?.count ?? 0) == 1 && (candidatesIn[root]?.count ?? 0) == 1 {
                pairs.append(pair)
            } else if let t = ambiguousTier[root], t.rank >= pair.match.rank {
                continue
            } else {
                ambiguousTier[root] = pair.match
            }
        }
        for (root, tier) in ambiguousTier {
            let roots = (candidatesIn[root] ?? []).sorted { (candidates[$0].start, $0) < (candidates[$1].start, $1) }
            let sent = producersIn[root] ?? []
            for pi in sent {
                producerUsed[pi] = true
                ambiguous.append((pi, roots, tier, sent.count))
            }
        }

        // Queue delays of the matches, by destination (or producer service), for the comparison.
        func lane(_ p: Producer) -> String { p.span.messaging?.destination ?? "service:" + p.span.service }
        func delay(_ pair: Pair) -> Int64 { max(0, candidates[pair.candidate].start - producers[pair.producer].end) }
        var delays: [String: [Int64]] = [:]
        for pair in pairs { delays[lane(producers[pair.producer]), default: []].append(delay(pair)) }
        for key in delays.keys { delays[key]!.sort() }

        var results: [UnpropagatedMessage] = []
        for (k, pair) in pairs.enumerated() {
            let p = producers[pair.producer]
            let c = candidates[pair.candidate]
            let queueDelay = delay(pair)
            var confidence: Double
            var evidence = [
                "\(p.span.kind.name) span '\(p.span.name)' in \(p.span.service) has no CONSUMER child in its trace"
            ]
            let what = "\(c.span.kind.name) root '\(c.span.name)' of \(c.span.service) (trace \(traceIDs[Int(c.trace)].hex))"
            switch pair.match {
            case .messageID:
                confidence = 0.95
                evidence.append("\(what) carries the same message ID \(p.span.messaging?.messageID ?? "")")
            case .logMessageID:
                confidence = 0.9
                evidence.append(
                    "a log line of \(c.span.service) names the message ID \(p.span.messaging?.messageID ?? "") "
                        + "(\(pair.logPattern ?? "pattern")), and \(what) ran then")
                if let rivals = logRivals[k], rivals > 0 {
                    confidence = 0.6
                    evidence.append(
                        "the lines naming it also fit \(rivals) other root(s) running then: placed by the nearest time")
                }
            case .name:
                confidence = 0.7
                let named = taskName(of: p.span) ?? p.span.messaging?.destination ?? p.span.name
                evidence.append("\(what) names what the message asks for ('\(named)')")
            case .order:
                confidence = 0.5
                if p.span.service == c.span.service {
                    evidence.append("\(what) runs in the producer's own service (an in-process queue)")
                } else {
                    evidence.append("\(what) runs in a service that consumes \(p.span.messaging?.destination ?? "its messages")")
                }
            }
            if c.span.kind == .consumer {
                confidence += 0.03
                evidence.append("the continuation is a CONSUMER root: its instrumentation did not extract the context")
            }
            if pair.match == .name || pair.match == .order {
                evidence.append("the only message waiting that it could continue, and no other root could as well have taken it")
            }
            let others = delays[lane(p)] ?? []
            if others.count >= 3 {
                let median = others[others.count / 2]
                if queueDelay > 4 * median + 10_000_000 {
                    confidence *= 0.6
                    evidence.append(
                        "queue delay \(Units.duration(ns: queueDelay)) is far above the median \(Units.duration(ns: median)) "
                            + "of the \(others.count) hand-offs matched on this queue")
                } else {
                    evidence.append(
                        "queue delay \(Units.duration(ns: queueDelay)), in line with the median \(Units.duration(ns: median)) "
                            + "of the \(others.count) hand-offs matched on this queue")
                }
            } else {
                evidence.append("queue delay \(Units.duration(ns: queueDelay))")
            }
            if c.start < p.end { evidence.append("the continuation started before the send returned") }
            results.append(
                UnpropagatedMessage(
                    producer: SpanRef(p.span), system: p.span.messaging?.system, destination: p.span.messaging?.destination,
                    messageID: p.span.messaging?.messageID, continuation: SpanRef(c.span), continuationSpanCount: c.spanCount,
                    continuationStartNs: c.start, continuationDurationNs: c.end - c.start, queueDelayNs: queueDelay,
                    match: pair.match, confidence: (max(0.05, min(1, confidence)) * 100).rounded() / 100,
                    evidence: evidence))
        }
        for a in ambiguous {
            let p = producers[a.producer]
            let first = a.candidates.first.map { candidates[$0] }
            var evidence = [
                "\(p.span.kind.name) span '\(p.span.name)' in \(p.span.service) has no CONSUMER child in its trace",
                "ambiguous: \(Units.plural(a.waiting, "message")) and \(Units.plural(a.candidates.count, "root")) of "
                    + "\(first?.span.service ?? "the consumer") could equally continue each other "
                    + "(\(a.tier == .name ? "the roots name what the messages ask for" : "by the consuming service")); "
                    + "only the order of a FIFO queue would pair them and no message ID or log line singles one out, "
                    + "so none is linked",
            ]
            if a.waiting > a.candidates.count {
                evidence.append("more messages than roots: some of them were not consumed in the capture")
            } else if a.candidates.count > a.waiting {
                evidence.append("more roots than messages: some roots continue a message not in the capture")
            }
            var result = UnpropagatedMessage(
                producer: SpanRef(p.span), system: p.span.messaging?.system, destination: p.span.messaging?.destination,
                messageID: p.span.messaging?.messageID, continuation: nil, continuationSpanCount: 0, continuationStartNs: nil,
                continuationDurationNs: 0, queueDelayNs: nil, match: a.tier, confidence: 0, evidence: evidence)
            result.candidates = a.candidates.map { SpanRef(candidates[$0].span) }
            results.append(result)
        }
        for (pi, p) in producers.enumerated() where !producerUsed[pi] {
            results.append(
                UnpropagatedMessage(
                    producer: SpanRef(p.span), system: p.span.messaging?.system, destination: p.span.messaging?.destination,
                    messageID: p.span.messaging?.messageID, continuation: nil, continuationSpanCount: 0,
                    continuationStartNs: nil, continuationDurationNs: 0, queueDelayNs: nil, match: nil, confidence: 0,
                    evidence: [
                        "\(p.span.kind.name) span '\(p.span.name)' in \(p.span.service) has no CONSUMER child in its trace",
                        "no trace in the capture continues it: the consumer was not captured, or the message was never consumed",
                    ]))
        }
        results.sort { ($0.producer.traceID, $0.producer.spanID) < ($1.producer.traceID, $1.producer.spanID) }
        return results
    }
}
