// OTLP/HTTP (https://opentelemetry.io/docs/specs/otlp/#otlphttp): POST /v1/traces and /v1/logs
// with application/x-protobuf or application/json bodies, optionally gzip. Every answer is one
// the specification names, so that SDK exporters retry what may be retried and nothing else.

import GRPCCore
import Hummingbird
import NIOCore
import TraceDoctorCore

struct OTLPHTTPResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let handler: ExportHandler
    let maxBodyBytes: Int

    static let metricsMessage =
        "tracedoctor stores traces and logs only: these metrics were not stored (point OTEL_METRICS_EXPORTER elsewhere, or set it to none)"

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        let kind: OTLPExportKind?
        switch path {
        case "/v1/traces", "/v1/traces/": kind = .traces
        case "/v1/logs", "/v1/logs/": kind = .logs
        case "/v1/metrics", "/v1/metrics/": kind = nil
        default:
            handler.countRefused()
            return text(.notFound, "no such endpoint: \(path) (OTLP/HTTP: POST /v1/traces, POST /v1/logs)")
        }
        guard request.method == .post else {
            handler.countRefused()
            var response = text(.methodNotAllowed, "\(request.method) is not allowed on \(path): OTLP exports are POSTed")
            response.headers[.allow] = "POST"
            return response
        }
        guard let encoding = Self.encoding(of: request.headers[.contentType]) else {
            handler.countRefused()
            return text(
                .unsupportedMediaType,
                "unsupported Content-Type \(request.headers[.contentType].map { "'\($0)'" } ?? "(none)"): "
                    + "send application/x-protobuf or application/json")
        }
        let gzip: Bool
        switch request.headers[.contentEncoding]?.lowercased().trimmingCharacters(in: .whitespaces) {
        case nil, "", "identity": gzip = false
        case "gzip", "x-gzip": gzip = true
        case let other?:
            handler.countRefused()
            return text(.unsupportedMediaType, "unsupported Content-Encoding '\(other)': send gzip or no encoding")
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBodyBytes {
            handler.countRefused()
            return status(
                .contentTooLarge, .resourceExhausted,
                "the body of \(declared) bytes is over the limit of \(maxBodyBytes) bytes: send smaller batches", encoding)
        }
        var body: [UInt8] = []
        do {
            for try await var chunk in request.body {
                if body.count + chunk.readableBytes > maxBodyBytes {
                    handler.countRefused()
                    return status(
                        .contentTooLarge, .resourceExhausted,
                        "the body is over the limit of \(maxBodyBytes) bytes: send smaller batches", encoding)
                }
                body.append(contentsOf: chunk.readBytes(length: chunk.readableBytes) ?? [])
            }
        } catch {
            // The client went away mid-body (or sent less than its Content-Length).
            handler.countRefused()
            return status(.badRequest, .invalidArgument, "the body ended early: \(error)", encoding)
        }
        guard let kind else {
            handler.countMetrics()
            return binary(.ok, OTLPResponses.success(kind: nil, rejected: 0, message: Self.metricsMessage, encoding: encoding), encoding)
        }
        switch await handler.handle(body, kind: kind, encoding: encoding, gzip: gzip, maxBytes: maxBodyBytes) {
        case let .stored(_, rejected, message):
            return binary(.ok, OTLPResponses.success(kind: kind, rejected: rejected, message: message, encoding: encoding), encoding)
        case let .undecodable(message):
            return status(.badRequest, .invalidArgument, "the body is not an OTLP export request: \(message)", encoding)
        case let .tooLarge(message):
            return status(.contentTooLarge, .resourceExhausted, message, encoding)
        case let .retryLater(message):
            var response = status(.serviceUnavailable, .unavailable, message, encoding, retryAfter: ExportHandler.retryAfterSeconds)
            response.headers[.retryAfter] = "\(ExportHandler.retryAfterSeconds)"
            return response
        }
    }

    /// The body encoding a Content-Type names (parameters such as charset ignored).
    static func encoding(of contentType: String?) -> OTLPBodyEncoding? {
        guard let contentType else { return nil }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        switch media {
        case "application/x-protobuf", "application/protobuf": return .protobuf
        case "application/json": return .json
        default: return nil
        }
    }

    private func binary(_ code: HTTPResponse.Status, _ bytes: [UInt8], _ encoding: OTLPBodyEncoding) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = encoding == .json ? "application/json" : "application/x-protobuf"
        return Response(status: code, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private func status(
        _ code: HTTPResponse.Status, _ rpc: RPCError.Code, _ message: String, _ encoding: OTLPBodyEncoding,
        retryAfter: Int? = nil
    ) -> Response {
        binary(code, OTLPResponses.status(rpc, message: message, retryAfterSeconds: retryAfter, encoding: encoding), encoding)
    }

    private func text(_ code: HTTPResponse.Status, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: code, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
