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

    @Test func withoutIDsAFIFOQueueIsAssignedInOrderAndTheAmbiguitySaid() throws {
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
        let byProducer = Dictionary(uniqueKeysWithValues: report.unpropagatedMessages.map { ($0.producer.traceID, $0) })
        #expect(byProducer[SpanBuilder.trace(1)]?.continuation?.traceID == SpanBuilder.trace(7))
        #expect(byProducer[SpanBuilder.trace(2)]?.continuation?.traceID == SpanBuilder.trace(8))
        #expect(byProducer[SpanBuilder.trace(3)]?.continuation?.traceID == SpanBuilder.trace(9))
        let first = try #require(byProducer[SpanBuilder.trace(1)])
        #expect(first.match == .order)
        #expect(first.evidence.contains { $0.contains("other message(s) were waiting") })
        #expect(first.queueDelayNs == 18 * SpanBuilder.ms)
        #expect(first.confidence < 0.5)
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
