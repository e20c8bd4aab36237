// Colour for text reports, on only when asked for (a terminal, no NO_COLOR, no --no-color).
// Applied to whole lines or headings, never inside aligned table cells.

/// ANSI styling, or none.
public struct TextStyle: Sendable {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    public static let plain = TextStyle(enabled: false)

    private func wrap(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m" + text + "\u{1B}[0m" : text
    }

    public func bold(_ text: String) -> String { wrap(text, "1") }
    public func dim(_ text: String) -> String { wrap(text, "2") }
    public func red(_ text: String) -> String { wrap(text, "31") }
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    public func green(_ text: String) -> String { wrap(text, "32") }
    public func cyan(_ text: String) -> String { wrap(text, "36") }

    /// A section heading: bold, red when it reports a defect.
    public func heading(_ text: String, defect: Bool) -> String {
        defect ? wrap(text, "1;31") : bold(text)
    }
}
