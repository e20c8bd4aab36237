// OTLP/gRPC: opentelemetry.proto.collector.{trace,logs}.v1.{Trace,Logs}Service/Export, two unary
// methods written by hand over grpc-swift-2's router. The request message is kept as bytes (no
// swift-protobuf decode of the whole request): Core's protobuf walker reads it, as for
// OTLP/HTTP and `ingest`.

import GRPCCore
import GRPCProtobuf
import TraceDoctorCore

/// Passes a message's bytes through untouched.
struct RawMessageDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

/// Sends bytes already serialized (an Export*ServiceResponse).
struct RawMessageSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }
}

struct OTLPGRPCService: RegistrableRPCService {
    let handler: ExportHandler
    let maxMessageBytes: Int

    /// The largest message the transport accepts at all (above it, it resets the stream).
    static let transportLimit = 64 << 20

    static let traceExport = MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService", method: "Export")
    static let logsExport = MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.logs.v1.LogsService", method: "Export")

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        for (method, kind) in [(Self.traceExport, OTLPExportKind.traces), (Self.logsExport, .logs)] {
            router.registerHandler(
                forMethod: method, deserializer: RawMessageDeserializer(), serializer: RawMessageSerializer()
            ) { [handler, maxMessageBytes] request, _ in
                let single = try await ServerRequest(stream: request)
                if single.message.count > maxMessageBytes {
                    // No RetryInfo: an exporter does not retry it (OTLP: RESOURCE_EXHAUSTED is
                    // retryable only when the server says when).
                    throw RPCError(
                        code: .resourceExhausted,
                        message: "the message of \(single.message.count) bytes is over the limit of \(maxMessageBytes) bytes: send smaller batches")
                }
                // grpc-swift has already undone grpc-encoding: gzip.
                let outcome = await handler.handle(
                    single.message, kind: kind, encoding: .protobuf, gzip: false, maxBytes: maxMessageBytes)
                switch outcome {
                case let .stored(_, rejected, message):
                    let response = OTLPResponses.successProtobuf(kind: kind, rejected: rejected, message: message)
                    return StreamingServerResponse(single: ServerResponse(message: response))
                case let .undecodable(message):
                    throw RPCError(code: .invalidArgument, message: "the message is not an OTLP export request: \(message)")
                case let .tooLarge(message):
                    throw RPCError(code: .resourceExhausted, message: message)
                case let .retryLater(message):
                    // UNAVAILABLE with RetryInfo: exporters wait and retry.
                    throw GoogleRPCStatus(
                        code: .unavailable, message: message,
                        details: [.retryInfo(delay: .seconds(ExportHandler.retryAfterSeconds))])
                }
            }
        }
    }
}
