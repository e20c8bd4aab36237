// ClickHouse's HTTP interface: one POST per query (the SQL in the body, `{name:Type}` parameters as
// `param_name`, credentials in X-ClickHouse-User / X-ClickHouse-Key), errors turned into messages
// that say what to do. Replies come gzip-compressed (`enable_http_compression=1` with
// `Accept-Encoding: gzip`); counts the bytes it receives as they crossed the network, and what they
// inflate to (--verbose).

import CZlib
import Foundation
import TraceDoctorCore

/// A connection to one ClickHouse server's HTTP interface.
public final class ClickHouseClient: @unchecked Sendable {
    public let location: ClickHouseLocation
    private var password: String?
    private let askPassword: (@Sendable (String) -> String?)?
    /// HTTP over SwiftNIO; HTTPS (`clickhouses://`) through NIOSSL, which can trust a CA besides the system's.
    private let http: ClickHouseHTTP
    /// Bytes of response bodies received as sent (gzip), what they inflated to, and queries sent.
    public private(set) var bytesReceived: Int64 = 0
    public private(set) var bytesDecoded: Int64 = 0
    public private(set) var queryCount = 0
    /// Asks for gzip replies; off after a server refused the setting (a `readonly=1` user).
    private var compress = true
    /// What --verbose prints last: queries, bytes received as sent, and what they inflated to.
    public var summary: String {
        let received = "\(queryCount) queries, \(Units.bytes(bytesReceived)) received"
        return bytesDecoded == bytesReceived ? received : received + " (gzip; \(Units.bytes(bytesDecoded)) uncompressed)"
    }
    /// Called with each query's summary when set (--verbose).
    public var trace: ((String) -> Void)?

    /// `password` nil: none is sent, and when the server refuses the user `askPassword` (a prompt
    /// on a terminal) is asked once, with the prompt text. `caFile`: with `clickhouses://`, a PEM
    /// file of CA certificates to trust besides the system's.
    public init(
        location: ClickHouseLocation, password: String?, askPassword: (@Sendable (String) -> String?)? = nil,
        timeoutSeconds: Double = 600, caFile: String? = nil
    ) throws(TraceDoctorError) {
        self.location = location
        self.password = password
        self.askPassword = askPassword
        if location.secure {
            http = try ClickHouseHTTP(host: location.host, port: location.port, caFile: caFile, timeoutSeconds: timeoutSeconds)
        } else {
            if caFile != nil { throw .usage("--ca-cert is for clickhouses:// (TLS) URLs") }
            http = ClickHouseHTTP(host: location.host, port: location.port, timeoutSeconds: timeoutSeconds)
        }
    }

    /// A ClickHouse server error: its code (0 when the reply named none) and first message line.
    struct ServerError: Error {
        var code: Int
        var message: String
    }

    /// Runs `sql` and returns the response body. `parameters` fill `{name:Type}` placeholders.
    public func query(_ sql: String, parameters: [String: String] = [:], label: String) throws(TraceDoctorError) -> Data {
        do {
            return try send(sql, parameters: parameters, label: label)
        } catch let error as ServerError where error.code == 516 && password == nil && askPassword != nil {
            guard let typed = askPassword?("ClickHouse password for \(location.user)@\(location.host): ") else {
                throw describe(error)
            }
            password = typed
            do {
                return try send(sql, parameters: parameters, label: label)
            } catch let error as ServerError {
                throw describe(error)
            } catch let error as TraceDoctorError {
                throw error
            } catch {
                throw .clickHouse(server: location.display, message: "\(error)")
            }
        } catch let error as ServerError {
            throw describe(error)
        } catch let error as TraceDoctorError {
            throw error
        } catch {
            throw .clickHouse(server: location.display, message: "\(error)")
        }
    }

    private func send(_ sql: String, parameters: [String: String], label: String) throws -> Data {
        var components = URLComponents(url: location.endpoint, resolvingAgainstBaseURL: false)!
        // The server compresses a reply only with this setting and an Accept-Encoding it knows.
        var items = [URLQueryItem(name: "database", value: location.database)]
        if compress { items.append(URLQueryItem(name: "enable_http_compression", value: "1")) }
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            items.append(URLQueryItem(name: "param_" + name, value: value))
        }
        components.queryItems = items
        // '+' is a space in a query string: escape it (URLComponents leaves it as is).
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        var headers = [
            ("X-ClickHouse-User", location.user), ("Content-Type", "text/plain; charset=utf-8"), ("Accept-Encoding", "gzip"),
        ]
        if let password { headers.append(("X-ClickHouse-Key", password)) }
        let started = ContinuousClock.now
        let (status, exceptionCode, encoding, wire) = try exchange(url: components.url!, headers: headers, body: Data(sql.utf8))
        bytesReceived += Int64(wire.count)
        let data: Data
        switch encoding?.lowercased() {
        case nil, "", "identity": data = wire
        case "gzip", "x-gzip":
            guard let inflated = Self.gunzip(wire) else {
                throw TraceDoctorError.clickHouse(
                    server: location.display, message: "the reply to \(label) is not valid gzip (Content-Encoding: gzip)")
            }
            data = inflated
        case let other?:
            throw TraceDoctorError.clickHouse(
                server: location.display,
                message: "the reply is encoded as '\(other)', which tracedoctor does not read (it asks for gzip)")
        }
        bytesDecoded += Int64(data.count)
        let elapsed = started.duration(to: .now).components
        var size = Units.bytes(Int64(wire.count))
        if data.count != wire.count { size += " (gzip of \(Units.bytes(Int64(data.count))))" }
        trace?("\(label): \(size) in " + Units.duration(seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18))
        if status != 200 {
            let text = String(decoding: data.prefix(4096), as: UTF8.self)
            let header = exceptionCode.flatMap { Int($0) }
            if header == nil && !text.contains("DB::Exception") && !text.hasPrefix("Code:") {
                throw TraceDoctorError.clickHouse(
                    server: location.display,
                    message: "HTTP \(status) from a server that does not answer like ClickHouse: "
                        + String(text.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let error = Self.serverError(text, code: header)
            // A readonly=1 user may not change settings: ask again for a plain reply.
            if compress, error.code == 164, error.message.contains("enable_http_compression") {
                compress = false
                return try send(sql, parameters: parameters, label: label)
            }
            throw error
        }
        // An error after the reply started streaming comes at the end of the body, status 200.
        if let tail = Self.trailingException(data) { throw tail }
        return data
    }

    /// One POST: the status, the X-ClickHouse-Exception-Code and Content-Encoding headers, the body as received.
    private func exchange(url: URL, headers: [(String, String)], body: Data) throws -> (Int, String?, String?, Data) {
        let target = url.path.isEmpty ? "/" : url.path
        let query = url.query.map { "?" + $0 } ?? ""
        do {
            let reply = try http.post(target: target + query, headers: headers, body: body)
            queryCount += 1
            return (reply.status, reply.headers["x-clickhouse-exception-code"], reply.headers["content-encoding"], reply.body)
        } catch let failure as ClickHouseHTTP.Failure {
            queryCount += 1
            throw transportError(failure)
        }
    }

    /// Inflates a gzip reply (several members too); nil when it is not gzip. A reply cut short
    /// gives what arrived: an error ClickHouse sent mid-stream is then found at its end.
    static func gunzip(_ data: Data) -> Data? {
        guard data.count >= 2, data[data.startIndex] == 0x1f, data[data.startIndex + 1] == 0x8b else {
            return data.isEmpty ? data : nil
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var out = Data()
        let chunk = 64 * 1024
        var scratch = [UInt8](repeating: 0, count: chunk)
        var input = [UInt8](data)
        let total = input.count
        return input.withUnsafeMutableBufferPointer { source -> Data? in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(total)
            while true {
                let (status, produced) = scratch.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(chunk)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, chunk - Int(stream.avail_out))
                }
                out.append(contentsOf: scratch[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Another member may follow.
                    if stream.avail_in == 0 { return out }
                    guard inflateReset(&stream) == Z_OK else { return out }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: the input ended early.
                    return out
                default:
                    return out.isEmpty ? nil : out
                }
            }
        }
    }

    private var place: String {
        let scheme = location.secure ? "https" : "http"
        return "\(scheme)://\(location.host.contains(":") ? "[\(location.host)]" : location.host):\(location.port)"
    }

    private func transportError(_ failure: ClickHouseHTTP.Failure) -> TraceDoctorError {
        switch failure {
        case .connect(let detail):
            return .clickHouse(
                server: location.display,
                message: "cannot connect to \(place) (\(detail)): is the server running, and is this its "
                    + (location.secure
                        ? "HTTPS port (8443 by default with clickhouses://)?"
                        : "HTTP port (8123 by default, 8443 with clickhouses://)?"))
        case .unknownHost:
            return .clickHouse(server: location.display, message: "unknown host '\(location.host)'")
        case .untrusted(let detail):
            return .clickHouse(
                server: location.display,
                message: "\(place)'s TLS certificate is not trusted (\(detail)): pass the CA certificate that signed it "
                    + "(or the server's own, if self-signed) with --ca-cert PATH")
        case .tls(let detail):
            return .clickHouse(
                server: location.display, message: "TLS failed with \(place) (\(detail)): is this ClickHouse's HTTPS port?")
        case .timedOut:
            return .clickHouse(
                server: location.display, message: "\(place) did not answer in time; narrow --since/--until or check the server")
        case .closed:
            return .clickHouse(
                server: location.display,
                message: "\(place) closed the connection before answering: is this ClickHouse's "
                    + (location.secure ? "HTTPS" : "HTTP") + " port?")
        case .io(let detail):
            return .clickHouse(server: location.display, message: "cannot query \(place): \(detail)")
        }
    }

    static func serverError(_ text: String, code: Int?) -> ServerError {
        var code = code ?? 0
        if code == 0, text.hasPrefix("Code: ") {
            code = Int(text.dropFirst(6).prefix(while: \.isNumber)) ?? 0
        }
        var message = text
        if let range = message.range(of: "DB::Exception: ") { message = String(message[range.upperBound...]) }
        message = String(message.prefix(while: { $0 != "\n" }))
        // ClickHouse appends "(NAME) (version …)"; the name is kept, the version dropped.
        if let version = message.range(of: " (version ") { message = String(message[..<version.lowerBound]) }
        return ServerError(code: code, message: message.trimmingCharacters(in: .whitespaces))
    }

    static func trailingException(_ data: Data) -> ServerError? {
        let tail = data.suffix(2048)
        guard let text = String(data: tail, encoding: .utf8) ?? Optional(String(decoding: tail, as: UTF8.self)) else {
            return nil
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let last = lines.last(where: { $0.hasPrefix("Code: ") && $0.contains("DB::Exception") }),
            lines.suffix(3).contains(last)
        else { return nil }
        return serverError(String(last), code: nil)
    }

    /// What to tell the user about a server error.
    func describe(_ error: ServerError) -> TraceDoctorError {
        let message: String
        switch error.code {
        case 516, 192, 193, 194:
            message =
                "user '\(location.user)' was refused: wrong password or unknown user (the password comes from "
                + "$CLICKHOUSE_PASSWORD, else a prompt on a terminal)"
        case 81:
            message = "database '\(location.database)' does not exist (\(error.message))"
        case 60:
            message = "a table is missing: \(error.message); name the exporter's tables with --traces-table/--logs-table"
        case 241:
            message =
                "the query went over the server's memory limit (\(error.message)); narrow --since/--until or --service, "
                + "or raise max_memory_usage for this user"
        case 159, 160:
            message = "the query took too long (\(error.message)); narrow --since/--until"
        case 497:
            message = "user '\(location.user)' may not read these tables (\(error.message))"
        default:
            message = "query failed: Code \(error.code): \(error.message)"
        }
        return .clickHouse(server: location.display, message: message)
    }
}
