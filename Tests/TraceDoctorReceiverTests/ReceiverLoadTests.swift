// Load: 8 concurrent exporters over loopback for a bounded time; every span whose request was
// acknowledged (200) is in the database afterwards, and nothing else.

import Foundation
import Synchronization
import Testing
import TraceDoctorCore

@testable import TraceDoctorReceiver

@Suite(.serialized) struct ReceiverLoadTests {
    @Test func everyAcknowledgedSpanOfEightConcurrentExportersIsStored() async throws {
        let folder = TemporaryFolder()
        let db = folder.path + "/t.db"
        let (receiver, endpoints) = try await startReceiver(database: db, grpc: false)
        let port = try #require(endpoints.http?.port)
        // Bounded by time and count; long enough that a loaded CI machine still acknowledges some.
        let deadline = ContinuousClock.now + .seconds(15)
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for exporter in 0..<8 {
                group.addTask {
                    var ids: [String] = []
                    var batch = 0
                    while ContinuousClock.now < deadline && batch < 100 {
                        let start = exporter * 1_000_000 + batch * 50
                        let answer = try await RawHTTP.request(port: port, body: Requests.traces(start..<start + 50).wire)
                        if answer.status == 200 {
                            ids += (start..<start + 50).map(Requests.spanID)
                        } else {
                            #expect(answer.status == 503)
                        }
                        batch += 1
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let status = await receiver.stop()
        #expect(acknowledged.count >= 8 * 50)
        #expect(try storedSpanIDs(db) == Set(acknowledged))
        // Concurrent requests shared transactions.
        #expect(status.transactions < status.accepted)
    }
}
