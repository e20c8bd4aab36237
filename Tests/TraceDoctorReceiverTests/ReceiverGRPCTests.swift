// OTLP/gRPC over loopback with grpc-swift's own client: Export of both services, gzip,
// partial success, and INVALID_ARGUMENT for a message that does not decode.

import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import Testing
import TraceDoctorCore

@testable import TraceDoctorReceiver

@Suite(.serialized) struct ReceiverGRPCTests {
    func export(
        port: Int, _ method: MethodDescriptor, _ message: [UInt8], gzip: Bool
    ) async throws -> [UInt8] {
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
            config: .defaults { $0.compression.enabledAlgorithms = .all })
        return try await withGRPCClient(transport: transport) { client in
            var options = CallOptions.defaults
            if gzip { options.compression = .gzip }
            return try await client.unary(
                request: ClientRequest(message: message), descriptor: method, serializer: RawMessageSerializer(),
                deserializer: RawMessageDeserializer(), options: options
            ) { response in try response.message }
        }
    }

    @Test func traceAndLogsExportsAreStoredWithAndWithoutGzip() async throws {
        let folder = TemporaryFolder()
        let db = folder.path + "/t.db"
        let (receiver, endpoints) = try await startReceiver(database: db)
        let port = try #require(endpoints.grpc?.port)
        let plain = try await export(port: port, OTLPGRPCService.traceExport, Requests.traces(0..<4).wire, gzip: false)
        #expect(try !TraceResponse(serializedBytes: plain).hasPartialSuccess)
        _ = try await export(port: port, OTLPGRPCService.traceExport, Requests.traces(4..<9).wire, gzip: true)
        _ = try await export(port: port, OTLPGRPCService.logsExport, Requests.logs(3).wire, gzip: true)
        // Acknowledged means committed: visible to another connection before the receiver stops.
        #expect(try storedSpanIDs(db) == Set((0..<9).map(Requests.spanID)))

        var request = Requests.traces(20..<23)
        request.resourceSpans[0].scopeSpans[0].spans[0].traceID = Data([9])
        let partial = try TraceResponse(
            serializedBytes: try await export(port: port, OTLPGRPCService.traceExport, request.wire, gzip: true))
        #expect(partial.partialSuccess.rejectedSpans == 1)
        #expect(partial.partialSuccess.errorMessage.hasPrefix("1 span rejected"))

        await #expect {
            _ = try await export(port: port, OTLPGRPCService.traceExport, [0x0A, 0x50, 0x01], gzip: false)
        } throws: { error in
            (error as? RPCError)?.code == .invalidArgument
        }
        // Still serving.
        _ = try await export(port: port, OTLPGRPCService.traceExport, Requests.traces(30..<31).wire, gzip: false)
        let status = await receiver.stop()
        #expect(status.spans == 9 + 2 + 1 && status.logs == 3)
    }

    @Test func aMessageOverTheLimitIsResourceExhaustedAndABehindStoreIsUnavailableWithRetryInfo() async throws {
        let folder = TemporaryFolder()
        let (receiver, endpoints) = try await startReceiver(database: folder.path + "/t.db") {
            $0.maxGRPCMessageBytes = 64 * 1024
            $0.maxPendingRecords = 10
        }
        let port = try #require(endpoints.grpc?.port)
        let big = Requests.traces(0..<2000).wire
        #expect(big.count > 64 * 1024)
        await #expect {
            _ = try await export(port: port, OTLPGRPCService.traceExport, big, gzip: false)
        } throws: { error in
            (error as? RPCError)?.code == .resourceExhausted
        }
        // Concurrent exports of 10 spans with at most 10 waiting: some are told to retry later.
        var sawUnavailable = false
        for round in 0..<20 where !sawUnavailable {
            let errors = await withTaskGroup(of: RPCError?.self) { group in
                for i in 0..<4 {
                    let start = 10_000 + round * 100 + i * 10
                    group.addTask {
                        do {
                            _ = try await self.export(
                                port: port, OTLPGRPCService.traceExport, Requests.traces(start..<start + 10).wire, gzip: false)
                            return nil
                        } catch {
                            return error as? RPCError
                        }
                    }
                }
                return await group.reduce(into: [RPCError?]()) { $0.append($1) }
            }
            for case let error? in errors {
                #expect(error.code == .unavailable)
                let status = try error.unpackGoogleRPCStatus()
                #expect(status?.details.contains { $0.retryInfo != nil } == true)
                sawUnavailable = true
            }
        }
        #expect(sawUnavailable)
        _ = await receiver.stop()
    }
}
