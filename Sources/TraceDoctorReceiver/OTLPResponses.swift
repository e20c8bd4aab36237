// The bodies OTLP receivers answer with: Export*ServiceResponse (with partial_success when
// records were rejected) and google.rpc.Status for errors, in protobuf or in JSON.

import Foundation
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf
import TraceDoctorCore

enum OTLPResponses {
    /// The success response for an export of `kind` (`rejected` records refused, with `message`).
    static func success(
        kind: OTLPExportKind?, rejected: Int, message: String, encoding: OTLPBodyEncoding
    ) -> [UInt8] {
        switch encoding {
        case .protobuf:
            return successProtobuf(kind: kind, rejected: rejected, message: message)
        case .json:
            guard rejected > 0 || !message.isEmpty else { return Array("{}".utf8) }
            let countKey: String? =
                switch kind {
                case .traces: "rejectedSpans"
                case .logs: "rejectedLogRecords"
                case nil: nil  // metrics: nothing decoded, nothing counted
                }
            var fields: [String] = []
            // proto3's JSON mapping writes int64 as a string.
            if let countKey, rejected > 0 { fields.append("\"\(countKey)\":\"\(rejected)\"") }
            if !message.isEmpty { fields.append("\"errorMessage\":\(jsonString(message))") }
            return Array("{\"partialSuccess\":{\(fields.joined(separator: ","))}}".utf8)
        }
    }

    static func successProtobuf(kind: OTLPExportKind?, rejected: Int, message: String) -> [UInt8] {
        switch kind {
        case .traces:
            var response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
            if rejected > 0 || !message.isEmpty {
                response.partialSuccess.rejectedSpans = Int64(rejected)
                response.partialSuccess.errorMessage = message
            }
            return (try? response.serializedBytes()) ?? []
        case .logs:
            var response = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse()
            if rejected > 0 || !message.isEmpty {
                response.partialSuccess.rejectedLogRecords = Int64(rejected)
                response.partialSuccess.errorMessage = message
            }
            return (try? response.serializedBytes()) ?? []
        case nil:
            // ExportMetricsServiceResponse: field 1 partial_success { 2: error_message }.
            var inner: [UInt8] = []
            appendLengthDelimited(field: 2, Array(message.utf8), to: &inner)
            var outer: [UInt8] = []
            appendLengthDelimited(field: 1, inner, to: &outer)
            return outer
        }
    }

    /// A google.rpc.Status body.
    static func status(_ code: RPCError.Code, message: String, retryAfterSeconds: Int? = nil, encoding: OTLPBodyEncoding)
        -> [UInt8]
    {
        switch encoding {
        case .protobuf:
            var details: [ErrorDetails] = []
            if let retryAfterSeconds { details.append(.retryInfo(delay: .seconds(retryAfterSeconds))) }
            let status = GoogleRPCStatus(code: code, message: message, details: details)
            return (try? status.serializedBytes()) ?? []
        case .json:
            var text = "{\"code\":\(code.rawValue),\"message\":\(jsonString(message))"
            if let retryAfterSeconds {
                text += ",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"\(retryAfterSeconds)s\"}]"
            }
            return Array((text + "}").utf8)
        }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func appendLengthDelimited(field: UInt64, _ bytes: [UInt8], to out: inout [UInt8]) {
        appendVarint(field << 3 | 2, to: &out)
        appendVarint(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
