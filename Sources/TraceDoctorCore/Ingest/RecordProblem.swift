// The first thing wrong with the record being read. A bad value (an ID that is not hex, a
// negative duration) does not stop the scanner: the record is read to its end and then skipped
// (--keep-going) or rejected whole, so that the message points at the value itself.

/// Collects the first semantic problem of one record; syntax errors are thrown, not kept.
struct RecordProblem {
    private(set) var first: InputError?

    mutating func reset() { first = nil }

    /// Keeps `problem` unless an earlier one is already kept.
    mutating func note(_ message: @autoclosure () -> String, at position: SourcePosition?) {
        if first == nil { first = InputError(message(), at: position) }
    }

    mutating func note(_ error: InputError) {
        if first == nil { first = error }
    }

    /// Runs `read`; when it throws *after* the scanner moved past the value, only the value's
    /// content was bad: that is noted and nil returned. Otherwise the JSON itself is broken and
    /// the error is rethrown.
    mutating func attempt<T>(_ s: JSONScanner, _ read: () throws(InputError) -> T?) throws(InputError) -> T? {
        let before = s.position
        do {
            return try read()
        } catch {
            if s.position == before { throw error }
            note(error)
            return nil
        }
    }
}
