// ClickHouse's HTTP interface: one POST per query (the SQL in the body, `{name:Type}` parameters as
// `param_name`, credentials in X-ClickHouse-User / X-ClickHouse-Key), errors turned into messages
// that say what to do. Counts the bytes it receives (--verbose).

import Foundation
import TraceDoctorCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A connection to one ClickHouse server's HTTP interface.
public final class ClickHouseClient: @unchecked Sendable {
    public let location: ClickHouseLocation
    private var password: String?
    private let askPassword: (@Sendable (String) -> String?)?
    private let session: URLSession
    /// HTTPS (`clickhouses://`) goes through NIOSSL, which can trust a CA besides the system's.
    private let tls: ClickHouseTLS?
    /// Bytes of response bodies received, and queries sent.
    public private(set) var bytesReceived: Int64 = 0
    public private(set) var queryCount = 0
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
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.timeoutIntervalForResource = timeoutSeconds * 6
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
        if location.secure {
            tls = try ClickHouseTLS(host: location.host, port: location.port, caFile: caFile, timeoutSeconds: timeoutSeconds)
        } else {
            if caFile != nil { throw .usage("--ca-cert is for clickhouses:// (TLS) URLs") }
            tls = nil
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
        var items = [URLQueryItem(name: "database", value: location.database)]
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            items.append(URLQueryItem(name: "param_" + name, value: value))
        }
        components.queryItems = items
        // '+' is a space in a query string: escape it (URLComponents leaves it as is).
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        var headers = [("X-ClickHouse-User", location.user), ("Content-Type", "text/plain; charset=utf-8")]
        if let password { headers.append(("X-ClickHouse-Key", password)) }
        let started = ContinuousClock.now
        let (status, exceptionCode, data) = try exchange(url: components.url!, headers: headers, body: Data(sql.utf8))
        bytesReceived += Int64(data.count)
        let elapsed = started.duration(to: .now).components
        trace?(
            "\(label): \(Units.bytes(Int64(data.count))) in "
                + Units.duration(seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18))
        if status != 200 {
            let text = String(decoding: data.prefix(4096), as: UTF8.self)
            let header = exceptionCode.flatMap { Int($0) }
            if header == nil && !text.contains("DB::Exception") && !text.hasPrefix("Code:") {
                throw TraceDoctorError.clickHouse(
                    server: location.display,
                    message: "HTTP \(status) from a server that does not answer like ClickHouse: "
                        + String(text.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            throw Self.serverError(text, code: header)
        }
        // An error after the reply started streaming comes at the end of the body, status 200.
        if let tail = Self.trailingException(data) { throw tail }
        return data
    }

    /// One POST: the status, the X-ClickHouse-Exception-Code header, the body.
    private func exchange(url: URL, headers: [(String, String)], body: Data) throws -> (Int, String?, Data) {
        if let tls {
            let target = url.path.isEmpty ? "/" : url.path
            let query = url.query.map { "?" + $0 } ?? ""
            do {
                let reply = try tls.post(target: target + query, headers: headers, body: body)
                queryCount += 1
                return (reply.status, reply.headers["x-clickhouse-exception-code"], reply.body)
            } catch let failure as ClickHouseTLS.Failure {
                queryCount += 1
                throw tlsError(failure)
            }
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            result.data = data
            result.response = response as? HTTPURLResponse
            result.error = error
            done.signal()
        }
        task.resume()
        done.wait()
        queryCount += 1
        if let error = result.error { throw transportError(error) }
        guard let response = result.response else {
            throw TraceDoctorError.clickHouse(server: location.display, message: "no HTTP response (is this ClickHouse's HTTP port?)")
        }
        return (response.statusCode, response.value(forHTTPHeaderField: "X-ClickHouse-Exception-Code"), result.data ?? Data())
    }

    private var place: String {
        let scheme = location.secure ? "https" : "http"
        return "\(scheme)://\(location.host.contains(":") ? "[\(location.host)]" : location.host):\(location.port)"
    }

    private func tlsError(_ failure: ClickHouseTLS.Failure) -> TraceDoctorError {
        switch failure {
        case .connect(let detail):
            return .clickHouse(
                server: location.display,
                message: "cannot connect to \(place) (\(detail)): is the server running, and is this its HTTPS port "
                    + "(8443 by default with clickhouses://)?")
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
                server: location.display, message: "\(place) closed the connection before answering: is this ClickHouse's HTTPS port?")
        }
    }

    private final class ResultBox: @unchecked Sendable {
        var data: Data?
        var response: HTTPURLResponse?
        var error: Error?
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

    private func transportError(_ error: Error) -> TraceDoctorError {
        if let url = error as? URLError {
            switch url.code {
            case .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet:
                return .clickHouse(
                    server: location.display,
                    message: "cannot connect to \(place) (\(url.localizedDescription)): is the server running, and is "
                        + "this its HTTP port (8123 by default, 8443 with clickhouses://)?")
            case .cannotFindHost, .dnsLookupFailed:
                return .clickHouse(server: location.display, message: "unknown host '\(location.host)'")
            case .timedOut:
                return .clickHouse(
                    server: location.display,
                    message: "\(place) did not answer in time; narrow --since/--until or check the server")
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                return .clickHouse(server: location.display, message: "TLS failed with \(place): \(url.localizedDescription)")
            default:
                break
            }
        }
        return .clickHouse(server: location.display, message: "cannot query \(place): \(error.localizedDescription)")
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
