// ClickHouse's HTTP interface over SwiftNIO: `clickhouse://` as plain HTTP, `clickhouses://` as
// HTTPS with NIOSSL (BoringSSL). Foundation's URLSession on Linux runs over libcurl, which (a) has
// the system's CA bundle and no way to name another one, so a server whose certificate a private CA
// signed could not be trusted — NIOSSL takes the system roots plus the PEM file `--ca-cert` names —
// and (b) always inflates a compressed reply before handing it over, so the bytes that crossed the
// network could not be counted (`--verbose` reports them). One connection per query, HTTP/1.1.

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TraceDoctorCore

/// POSTs to one server, over TLS when it has a TLS context.
final class ClickHouseHTTP: Sendable {
    /// A reply: status, the headers ClickHouse's errors travel in, the body.
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data
    }

    /// What went wrong below HTTP, for the client's messages.
    enum Failure: Error {
        case connect(String)
        /// The name resolves to no address.
        case unknownHost
        case untrusted(String)
        case tls(String)
        case timedOut
        case closed
        /// Any other transport error (a reset connection, a malformed reply).
        case io(String)
    }

    let host: String
    let port: Int
    /// Nil for plain HTTP.
    let context: NIOSSLContext?
    let timeoutSeconds: Double

    /// Plain HTTP.
    init(host: String, port: Int, timeoutSeconds: Double) {
        self.host = host
        self.port = port
        self.timeoutSeconds = timeoutSeconds
        context = nil
    }

    /// HTTPS. `caFile`: a PEM file of certificates to trust besides the system's (a private CA, or
    /// the server's own self-signed certificate).
    init(host: String, port: Int, caFile: String?, timeoutSeconds: Double) throws(TraceDoctorError) {
        self.host = host
        self.port = port
        self.timeoutSeconds = timeoutSeconds
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw .usage("--ca-cert '\(caFile)': no such file (a PEM file of the CA certificates to trust)")
            }
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
                configuration.additionalTrustRoots = [.certificates(certificates)]
            } catch {
                throw .usage("--ca-cert '\(caFile)' holds no PEM certificate (-----BEGIN CERTIFICATE----- …)")
            }
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .usage("cannot set up TLS: \(error)")
        }
    }

    /// Sends one request and waits for the whole reply.
    func post(target: String, headers: [(String, String)], body: Data) throws -> Reply {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Reply.self)
        // SNI takes a name, not an address; with an address NIOSSL checks the certificate against
        // the peer's IP.
        let isAddress = host.contains(":") || host.split(separator: ".").allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        let serverName = isAddress ? nil : host
        let context = self.context
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(Int64(min(timeoutSeconds, 30))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ReplyCollector(promise: promise))
                }
            }
        let channel: Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            promise.fail(error)
            if let failure = error as? NIOConnectionError, failure.connectionErrors.isEmpty {
                throw Failure.unknownHost
            }
            let text = "\(error)"
            throw Failure.connect(
                text.contains("Connection refused") ? "connection refused" : text.contains("imeout") ? "timed out" : text)
        }
        defer { channel.close(promise: nil) }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target)
        head.headers.add(name: "Host", value: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeoutSeconds * 1000))) {
            promise.fail(Failure.timedOut)
        }
        defer { deadline.cancel() }
        do {
            return try promise.futureResult.wait()
        } catch let error as Failure {
            throw error
        } catch let error as NIOSSLError {
            let reason = Self.reason(error)
            if reason == "CERTIFICATE_VERIFY_FAILED" { throw Failure.untrusted(reason) }
            throw Failure.tls(reason)
        } catch let error as NIOSSLExtraError {
            throw Failure.untrusted("\(error)")
        } catch {
            throw context == nil ? Failure.io("\(error)") : Failure.tls("\(error)")
        }
    }

    /// BoringSSL's name for what failed (`CERTIFICATE_VERIFY_FAILED`, `WRONG_VERSION_NUMBER`), else
    /// the error as NIOSSL describes it.
    static func reason(_ error: Error) -> String {
        let text = "\(error)"
        guard let marker = text.range(of: "OPENSSL_internal:") else { return text }
        return String(text[marker.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }
}

/// Gathers one HTTP reply and completes `promise` with it (or with the error that ended it).
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    let promise: EventLoopPromise<ClickHouseHTTP.Reply>
    var reply = ClickHouseHTTP.Reply(status: 0, headers: [:], body: Data())
    var done = false

    init(promise: EventLoopPromise<ClickHouseHTTP.Reply>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            reply.status = Int(head.status.code)
            for (name, value) in head.headers { reply.headers[name.lowercased()] = value }
        case .body(var buffer):
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { reply.body.append(contentsOf: bytes) }
        case .end:
            finish(.success(reply))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ClickHouseHTTP.Failure.closed))
    }

    private func finish(_ result: Result<ClickHouseHTTP.Reply, Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }
}
