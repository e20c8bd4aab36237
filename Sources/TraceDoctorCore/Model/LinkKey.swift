// A correlation key (`--link-key`): a log field whose value a span carries as an attribute, so
// that a log line without a trace ID still joins the span's trace (`request_id`, Dify's
// `execution_id` against the span attribute `workflow.run_id`).

/// A log field and the span (or resource) attribute that carries the same value.
public struct LinkKey: Sendable, Hashable, CustomStringConvertible {
    /// The log line's attribute (`request_id`).
    public var field: String
    /// The span or resource attribute (`workflow.run_id`); the field's name when not given.
    public var attribute: String

    public init(field: String, attribute: String? = nil) {
        self.field = field
        self.attribute = attribute ?? field
    }

    /// `field` or `field=attribute`; nil when a name is empty or holds a quote or control character.
    public init?(_ text: String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let field = parts.first, Self.isName(field) else { return nil }
        let attribute = parts.count == 2 ? parts[1] : field
        guard Self.isName(attribute) else { return nil }
        self.init(field: field, attribute: attribute)
    }

    public var description: String { field == attribute ? field : "\(field)=\(attribute)" }

    static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F }
    }

    /// The SQLite JSON path of a top-level key holding dots (`$."workflow.run_id"`).
    static func jsonPath(_ name: String) -> String { "$.\"" + name + "\"" }
}
