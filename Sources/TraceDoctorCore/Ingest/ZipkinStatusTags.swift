// Zipkin has no status field: an `error` tag marks a failed span (its value is the message, or
// empty), and OpenTelemetry's Zipkin exporter adds `otel.status_code` and
// `otel.status_description`. The tags stay attributes; this turns them into the span status.

/// The status-bearing tags of one Zipkin span.
struct ZipkinStatusTags {
    enum Key {
        case error, otelStatusCode, otelStatusDescription

        init?(_ name: UnsafeBufferPointer<UInt8>) {
            if name.equals("error") {
                self = .error
            } else if name.equals("otel.status_code") {
                self = .otelStatusCode
            } else if name.equals("otel.status_description") {
                self = .otelStatusDescription
            } else {
                return nil
            }
        }
    }

    private var error: [UInt8]?
    private var otelCode: StatusCode?
    private var otelDescription: [UInt8]?

    mutating func note(_ key: Key, _ value: UnsafeBufferPointer<UInt8>) {
        switch key {
        case .error:
            error = Array(value)
        case .otelStatusCode:
            if value.equalsIgnoringCase("error") {
                otelCode = .error
            } else if value.equalsIgnoringCase("ok") {
                otelCode = .ok
            } else if value.equalsIgnoringCase("unset") {
                otelCode = .unset
            }
        case .otelStatusDescription:
            otelDescription = Array(value)
        }
    }

    /// Sets the span's status: `otel.status_code` if given, else error when an `error` tag is
    /// present; the message from `otel.status_description`, else the `error` tag's text.
    func apply(to span: SpanRecord) {
        if let otelCode {
            span.statusCode = otelCode
        } else if error != nil {
            span.statusCode = .error
        }
        if let otelDescription {
            span.statusMessage = otelDescription
        } else if let error, span.statusCode == .error, !error.isEmpty, error != Array("true".utf8) {
            span.statusMessage = error
        }
    }
}
