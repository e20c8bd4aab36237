// Work handed across a queue: sibling worker tasks are not parents, span links are deliberate
// propagation, `unpropagated_message` assigns continuations to producers one to one, and the
// timing of messaging spans is asynchronous work, not a violation.

import Testing

@testable import TraceDoctorCore

@Suite struct QueueHandoffTests {
    let api = SpanProcess(service: "api", host: "api-1", instanceID: "i-1", pid: "41")
    let worker = SpanProcess(service: "worker", host: "worker-1", instanceID: "w-1", pid: "51")

    func link(_ trace: UInt64, _ span: UInt64) -> SpanLink { SpanLink(traceID: SpanBuilder.trace(trace), spanID: SpanID(span)) }

    // MARK: No sibling links

    @Test func aSiblingWorkerTaskIsNotTheParentWhenTheRequestRuns() throws {
        var b = SpanBuilder()
        b.add(1, 1, "POST /v1/generate", .server, api, 0, 100)
        // Two tasks of one pool, both without context: the second starts inside the first.
        b.add(2, 21, "generate_task", .internal, api, 10, 60)
        b.add(3, 31, "generate_task", .internal, api, 20, 70)
        let report = try b.diagnose()
        #expect(report.fragments.count == 2)
        for fragment in report.fragments {
            let parent = try #require(fragment.suspectedParent)
            #expect(parent.span.name == "POST /v1/generate", "\(fragment.root.traceID)")
        }
        let second = try #require(report.fragments.first { $0.root.traceID == SpanBuilder.trace(3) })
        #expect(second.suspectedParent?.evidence.contains { $0.contains("sibling tasks") } == true)
    }

    @Test func aSiblingIsTakenOnlyWhenNothingElseRanAndSaysSo() throws {
        var b = SpanBuilder()
        b.add(2, 21, "generate_task", .internal, api, 10, 60)
        b.add(3, 31, "generate_task", .internal, api, 20, 70)
        let report = try b.diagnose()
        let second = try #require(report.fragments.first { $0.root.traceID == SpanBuilder.trace(3) })
        let parent = try #require(second.suspectedParent)
        #expect(parent.span.traceID == SpanBuilder.trace(2))
        #expect(parent.confidence <= 0.1)
        #expect(parent.evidence.contains { $0.contains("sibling task") && $0.contains("not a parent") })
    }

    @Test func aNestedFragmentOfAnotherKindKeepsItsParent() throws {
        // A CLIENT-rooted fragment inside an INTERNAL fragment is not a sibling of it.
        var b = SpanBuilder()
        b.add(2, 21, "generate_task", .internal, api, 10, 60)
        b.add(3, 31, "POST /v1/completions", .client, api, 20, 50)
        let report = try b.diagnose()
        let client = try #require(report.fragments.first { $0.root.traceID == SpanBuilder.trace(3) })
        #expect(client.suspectedParent?.span.traceID == SpanBuilder.trace(2))
        #expect((client.suspectedParent?.confidence ?? 0) > 0.5)
    }

    // MARK: Span links

    @Test func aRootLinkedToItsRequestIsContinuedNotAFragment() throws {
        var b = SpanBuilder()
        b.add(1, 1, "POST /v1/reports", .server, api, 0, 20)
        b.add(2, 21, "generate-report", .internal, api, 5, 300, links: [link(1, 1)])
        b.add(2, 22, parent: 21, "render-pdf", .internal, api, 10, 290)
        let report = try b.diagnose()
        #expect(report.fragments.isEmpty)
        #expect(report.quality.completeTraces == 2)
        #expect(report.quality.tracesContinuedByLink == 1)
        #expect(report.quality.parentLinkage == 1)
        let continuation = try #require(report.linkedContinuations.first)
        #expect(continuation.root.name == "generate-report")
        #expect(continuation.linked.map(\.name) == ["POST /v1/reports"])
        #expect(report.uncapturedLinks.isEmpty)
    }

    @Test func aLinkOutsideTheCaptureIsSaidSoNotAnOrphan() throws {
        var b = SpanBuilder()
        b.add(1, 1, "import-job", .internal, api, 0, 20, links: [link(99, 99)])
        let report = try b.diagnose()
        #expect(report.fragments.isEmpty)
        #expect(report.orphans.groups.isEmpty)
        #expect(report.uncapturedLinks.map(\.link) == [link(99, 99)])
        #expect(report.quality.uncapturedLinks == 1)
        #expect(report.quality.tracesContinuedByLink == 0)
        #expect(report.quality.completeTraces == 1)
    }

    @Test func aBatchConsumerLinkingItsProducersAnswersThem() throws {
        var b = SpanBuilder()
        let events = SpanMessaging(system: "kafka", destination: "events")
        for k in UInt64(1)...3 {
            b.add(k, k * 10, "POST /v1/events", .server, api, Int64(k) * 10, Int64(k) * 10 + 5)
            b.add(k, k * 10 + 1, parent: k * 10, "events publish", .producer, api, Int64(k) * 10 + 1, Int64(k) * 10 + 2,
                messaging: events)
        }
        b.add(9, 91, "events process", .consumer, worker, 50, 60, messaging: events, links: [link(1, 11), link(2, 21), link(3, 31)])
        let report = try b.diagnose()
        #expect(report.unpropagatedMessages.isEmpty)
        #expect(report.unconsumedMessages.isEmpty)
        #expect(report.quality.asyncHandoffs == 3)
        #expect(report.quality.asyncHandoffsWithContext == 3)
        #expect(report.quality.completeTraces == 4)
        #expect(report.linkedContinuations.first?.linked.count == 3)
    }

    // MARK: unpropagated_message

    /// A request on `api` sending message `id` at `at` ms to `destination`.
    func producer(_ b: inout SpanBuilder, _ trace: UInt64, at: Int64, id: String?, destination: String = "jobs") {
        b.add(trace, trace * 10, "POST /v1/jobs", .server, api, at, at + 200)
        b.add(
            trace, trace * 10 + 1, parent: trace * 10, "\(destination) publish", .producer, api, at + 1, at + 2,
            messaging: SpanMessaging(system: "rabbitmq", destination: destination, messageID: id))
    }

    @Test func theSameMessageIDWinsOverTheOrderOfArrival() throws {
        var b = SpanBuilder()
        producer(&b, 1, at: 0, id: "m-a")
        producer(&b, 2, at: 1, id: "m-b")
        // The consumer takes m-b first.
        b.add(7, 71, "jobs process", .consumer, worker, 10, 20, messaging: SpanMessaging(system: "rabbitmq", messageID: "m-b"))
        b.add(8, 81, "jobs process", .consumer, worker, 12, 22, messaging: SpanMessaging(system: "rabbitmq", messageID: "m-a"))
        let report = try b.diagnose()
        #expect(report.unpropagatedMessages.count == 2)
        for m in report.unpropagatedMessages {
            #expect(m.match == .messageID)
            #expect(m.confidence >= 0.9)
            let expected = m.producer.traceID == SpanBuilder.trace(1) ? SpanBuilder.trace(8) : SpanBuilder.trace(7)
            #expect(m.continuation?.traceID == expected)
        }
        #expect(report.quality.count(.unpropagatedMessage) == 2)
        #expect(report.quality.asyncHandoffsWithContext == 0)
    }

    @Test func withoutIDsMessagesWaitingTogetherAreAmbiguousNotLinked() throws {
        var b = SpanBuilder()
        producer(&b, 1, at: 0, id: nil)
        producer(&b, 2, at: 5, id: nil)
        producer(&b, 3, at: 10, id: nil)
        for (k, start) in [(7, Int64(20)), (8, 40), (9, 60)] {
            b.add(UInt64(k), UInt64(k) * 10, "run-job", .internal, worker, start, start + 15)
        }
        let consumer = SpanMessaging(system: "rabbitmq", destination: "jobs")
        b.add(6, 60, "jobs receive", .consumer, worker, 0, 1, messaging: consumer)  // the worker consumes `jobs`
        let report = try b.diagnose()
        // Three messages were waiting when the first root started: order alone pairs them, so none is a link.
        #expect(report.unpropagatedMessages.isEmpty)
        #expect(report.unconsumedMessages.isEmpty)
        #expect(report.ambiguousMessages.count == 3)
        for m in report.ambiguousMessages {
            #expect(m.continuation == nil)
            #expect(m.confidence == 0)
            #expect(m.match == .order)
            #expect(m.candidates.map(\.traceID) == [7, 8, 9].map { SpanBuilder.trace($0) })
            #expect(m.evidence.contains { $0.contains("ambiguous: 3 messages and 3 roots") })
        }
        #expect(report.quality.ambiguousHandoffs == 3)
        #expect(report.quality.count(.unpropagatedMessage) == 0)
        let fragment = try #require(report.fragments.first { $0.root.traceID == SpanBuilder.trace(7) })
        #expect(fragment.evidence.contains { $0.contains("ambiguous hand-off") })
        #expect(fragment.suspectedParent?.span.name != "jobs publish")
    }

    @Test func oneMessageAtATimeIsLinkedByOrderAlone() throws {
        var b = SpanBuilder()
        // Each message is taken before the next is sent: the order leaves no choice.
        for (k, at) in [(1, Int64(0)), (2, 100), (3, 200)] { producer(&b, UInt64(k), at: at, id: nil) }
        for (k, start) in [(7, Int64(20)), (8, 120), (9, 220)] {
            b.add(UInt64(k), UInt64(k) * 10, "run-job", .internal, worker, start, start + 15)
        }
        b.add(6, 60, "jobs receive", .consumer, worker, 0, 1, messaging: SpanMessaging(system: "rabbitmq", destination: "jobs"))
        let report = try b.diagnose()
        #expect(report.ambiguousMessages.isEmpty)
        let byProducer = Dictionary(uniqueKeysWithValues: report.unpropagatedMessages.map { ($0.producer.traceID, $0) })
        #expect(byProducer.count == 3)
        for (p, c) in [(1, 7), (2, 8), (3, 9)] {
            let m = try #require(byProducer[SpanBuilder.trace(UInt64(p))])
            #expect(m.continuation?.traceID == SpanBuilder.trace(UInt64(c)))
            #expect(m.match == .order)
            #expect(m.confidence == 0.5)
            #expect(m.evidence.contains { $0.contains("the only message waiting") })
        }
        #expect(byProducer[SpanBuilder.trace(1)]?.queueDelayNs == 18 * SpanBuilder.ms)
    }

    /// Six requests of `api` sending a task to `jobs` within 6 ms, run by two workers (three tasks
    /// each, side by side) whose roots carry no messaging attributes; task `k` runs in trace 20 + k.
    func concurrentTasks(ids: Bool) -> (SpanBuilder, [UnpropagatedMessage.MessageLog]) {
        var b = SpanBuilder()
        let workers = [
            SpanProcess(service: "worker", host: "worker-1", instanceID: "w-1", pid: "51"),
            SpanProcess(service: "worker", host: "worker-2", instanceID: "w-2", pid: "52"),
        ]
        b.add(6, 60, "jobs receive", .consumer, workers[0], 0, 1, messaging: SpanMessaging(system: "rabbitmq", destination: "jobs"))
        var logs: [UnpropagatedMessage.MessageLog] = []
        for k in 0..<6 {
            producer(&b, UInt64(k + 1), at: Int64(k), id: ids ? "task-\(k)" : nil)
            // Worker k % 2 takes task k; each task runs 40 ms, the two workers overlap.
            let start = 20 + Int64(k / 2) * 45 + Int64(k % 2) * 3
            b.add(UInt64(20 + k), UInt64(200 + k * 10), "generate_task", .internal, workers[k % 2], start, start + 40)
            let base: Int64 = 1_700_000_000_000_000_000
            logs.append(
                UnpropagatedMessage.MessageLog(
                    service: "worker", timeNs: base + (start + 40) * SpanBuilder.ms + 200_000, messageID: "task-\(k)",
                    pattern: "celery_task", moment: .after))
        }
        return (b, ids ? logs : [])
    }

    struct WithMessageLogs: SpanSource {
        var spans: InMemorySpanSource
        var logs: [UnpropagatedMessage.MessageLog]
        func forEachTrace(_ body: ([AnalysisSpan]) throws -> Void) throws { try spans.forEachTrace(body) }
        func messageLogs() throws -> [UnpropagatedMessage.MessageLog] { logs }
    }

    @Test func manyConcurrentProducersAndTwoWorkersWithoutLogLinesAreAmbiguous() throws {
        let (b, _) = concurrentTasks(ids: false)
        let report = try b.diagnose()
        // Six messages waited together and two workers took them side by side: queue order is all
        // there is, so nothing is linked with confidence, and the set is reported as such.
        #expect(report.unpropagatedMessages.isEmpty)
        #expect(report.ambiguousMessages.count == 6)
        #expect(report.unconsumedMessages.isEmpty)
        for m in report.ambiguousMessages {
            #expect(m.candidates.count == 6)
            #expect(m.confidence == 0)
        }
        #expect(report.quality.ambiguousHandoffs == 6)
        #expect(report.quality.count(.unpropagatedMessage) == 0)
        #expect(report.fragments.filter { $0.evidence.contains { $0.contains("ambiguous hand-off") } }.count == 6)
    }

    @Test func manyConcurrentProducersAndTwoWorkersWithLogLinesAreLinked() throws {
        let (b, logs) = concurrentTasks(ids: true)
        let report = try Diagnoser.diagnose(WithMessageLogs(spans: b.source, logs: logs), options: AnalysisOptions())
        #expect(report.ambiguousMessages.isEmpty)
        #expect(report.unconsumedMessages.isEmpty)
        #expect(report.unpropagatedMessages.count == 6)
        for m in report.unpropagatedMessages {
            // Producer trace k + 1 sent task k, run in trace 20 + k.
            let k = m.producer.traceID.low - 1
            #expect(m.continuation?.traceID == SpanBuilder.trace(20 + k))
            #expect(m.match == .logMessageID)
            #expect(m.confidence >= 0.9)
        }
        #expect(report.quality.count(.unpropagatedMessage) == 6)
    }

    @Test func aProducerWhoseTaskNeverRanIsNotConsumedAndTheOthersStayLinked() throws {
        var b = SpanBuilder()
        producer(&b, 1, at: 0, id: nil)
        b.add(7, 70, "run-job", .internal, worker, 20, 35)
        // Sent after the only root started, and nothing ever ran it.
        producer(&b, 2, at: 50, id: nil)
        b.add(6, 60, "jobs receive", .consumer, worker, 0, 1, messaging: SpanMessaging(system: "rabbitmq", destination: "jobs"))
        let report = try b.diagnose()
        #expect(report.unpropagatedMessages.map(\.producer.traceID) == [SpanBuilder.trace(1)])
        #expect(report.unpropagatedMessages.first?.continuation?.traceID == SpanBuilder.trace(7))
        #expect(report.unconsumedMessages.map(\.producer.traceID) == [SpanBuilder.trace(2)])
        #expect(report.ambiguousMessages.isEmpty)
    }

    @Test func aProducerWhoseTaskNeverRanAmongOthersWaitingMakesTheSetAmbiguous() throws {
        var b = SpanBuilder()
        // Two messages waiting, one root: which of them ran, order alone cannot say.
        producer(&b, 1, at: 0, id: nil)
        producer(&b, 2, at: 5, id: nil)
        b.add(7, 70, "run-job", .internal, worker, 20, 35)
        b.add(6, 60, "jobs receive", .consumer, worker, 0, 1, messaging: SpanMessaging(system: "rabbitmq", destination: "jobs"))
        let report = try b.diagnose()
        #expect(report.unpropagatedMessages.isEmpty)
        #expect(report.unconsumedMessages.isEmpty)
        #expect(report.ambiguousMessages.count == 2)
        #expect(report.ambiguousMessages.allSatisfy { $0.candidates.map(\.traceID) == [SpanBuilder.trace(7)] })
        #expect(report.ambiguousMessages.first?.evidence.contains { $0.contains("more messages than roots") } == true)
    }

    @Test func aConsumerRootWithoutProducerBeforeTheRealOneIsNotLinkedInstead() throws {
        var b = SpanBuilder()
        producer(&b, 1, at: 0, id: nil)
        let jobs = SpanMessaging(system: "rabbitmq", destination: "jobs")
        // A CONSUMER root of a message sent by no one in the capture starts first; the task runs after it.
        b.add(8, 80, "jobs process", .consumer, worker, 10, 12, messaging: jobs)
        b.add(9, 90, "jobs process", .consumer, worker, 20, 30, messaging: jobs)
        let report = try b.diagnose()
        #expect(report.unpropagatedMessages.isEmpty)
        let m = try #require(report.ambiguousMessages.first)
        #expect(report.ambiguousMessages.count == 1)
        #expect(m.candidates.map(\.traceID) == [SpanBuilder.trace(8), SpanBuilder.trace(9)])
        #expect(m.evidence.contains { $0.contains("more roots than messages") })
    }

    @Test func aConsumerRootWithNoProducerInTheCaptureIsNoFinding() throws {
        var b = SpanBuilder()
        let jobs = SpanMessaging(system: "rabbitmq", destination: "jobs")
        b.add(8, 80, "jobs process", .consumer, worker, 10, 12, messaging: jobs)
        let report = try b.diagnose()
        #expect(report.unpropagatedMessages.isEmpty)
        #expect(report.ambiguousMessages.isEmpty)
        #expect(report.unconsumedMessages.isEmpty)
        #expect(report.quality.asyncHandoffs == 0)
    }

    @Test func aMessageNobodyTookAndAConsumerWithoutProducerStayApart() throws {
        var b = SpanBuilder()
        producer(&b, 1, at: 0, id: "n-1", destination: "notify")
        b.add(
            5, 51, "maintenance process", .consumer, api, 10, 15,
            messaging: SpanMessaging(system: "rabbitmq", destination: "maintenance"))
        let report = try b.diagnose()
        #expect(report.unpropagatedMessages.isEmpty)
        #expect(report.unconsumedMessages.map(\.producer.name) == ["notify publish"])
        #expect(report.quality.count(.unpropagatedMessage) == 0)
    }

    @Test func aRootOfTheProducersServiceIsNoContinuationWithoutEvidence() throws {
        // Background work of the same service that names neither the task nor the destination.
        var b = SpanBuilder()
        producer(&b, 1, at: 0, id: nil, destination: "emails")
        b.add(5, 51, "cache.refresh", .internal, api, 10, 30)
        let report = try b.diagnose()
        #expect(report.unpropagatedMessages.isEmpty)
        #expect(report.unconsumedMessages.count == 1)
        #expect(report.fragments.first?.suspectedParent?.span.name == "POST /v1/jobs")
    }

    @Test func messageIDsAreReadFromCeleryLinesAndFields() {
        let celery = MessageLogPatterns.ids(
            body: "Task tasks.generate_task[4f1c2a9e-0b1d-4c9e-9a57-2f0e8c1d3b6a] received", attributes: nil)
        #expect(celery.map(\.id) == ["4f1c2a9e-0b1d-4c9e-9a57-2f0e8c1d3b6a"])
        #expect(MessageLogPatterns.ids(body: "Task x[abcd] succeeded in 0.12s: None", attributes: nil).map(\.id) == ["abcd"])
        #expect(MessageLogPatterns.ids(body: "Task list[1] is empty", attributes: nil).isEmpty)
        let fields = MessageLogPatterns.ids(body: "done", attributes: ["task_id": "t-1234", "other": 1])
        #expect(fields.map(\.id) == ["t-1234"])
        #expect(fields.map(\.pattern) == ["field task_id"])
    }

    // MARK: Messaging timing

    @Test func childrenOfAPollConsumerOutliveItAsAsynchronousWork() throws {
        var b = SpanBuilder()
        b.add(1, 1, "poll", .consumer, worker, 10, 11)
        b.add(1, 2, parent: 1, "on-message", .unspecified, worker, 10, 260)
        b.add(1, 3, parent: 2, "send", .producer, worker, 250, 300)
        b.add(1, 4, "GET /", .server, api, 0, 5)
        b.add(1, 5, parent: 4, "slow child", .internal, api, 1, 9)
        let report = try b.diagnose()
        #expect(report.timingViolations.map(\.span.name) == ["slow child"])
        #expect(Set(report.asynchronousWork.map(\.span.name)) == ["on-message", "send"])
        #expect(report.quality.asynchronousChildren == 2)
    }
}
