// Recognises logfmt: lines made of `key=value` pairs (after an optional timestamp and level),
// with a time, level or message key among them: the first line and at least half of the
// first twenty. Above plain text, below JSON formats.

/// logfmt: confidence 40.
public enum LogfmtSniffer: FormatSniffer {
    public static let confidence = 40
    static let linesLooked = 20

    public static func sniff(_ prefix: InputPrefix) -> SniffResult {
        if let first = prefix.firstSignificantByte, first.byte == UInt8(ascii: "{") {
            return .reject("starts with '{' at \(first.position): JSON, not logfmt")
        }
        return LogSample.with(prefix, limit: linesLooked) { sample in
            var counted = 0
            var pairLines = 0
            var logKeys = false
            for line in sample.lines where !LogSample.isContinuationLike(line) {
                counted += 1
                let (isPairs, hasLogKey) = shape(line)
                if isPairs { pairLines += 1 } else if counted == 1 { break }
                logKeys = logKeys || hasLogKey
            }
            guard counted > 0, pairLines > 0 else {
                return .reject("the first line is not key=value pairs")
            }
            // Lines in between may be a stack trace or a panic that continues a record.
            guard pairLines * 2 >= counted else {
                return .reject("only \(pairLines) of the first \(counted) lines are key=value pairs")
            }
            guard logKeys else {
                return .reject("key=value lines without a time, level or msg key")
            }
            return .accept(confidence: confidence)
        }
    }

    /// Whether a line is logfmt (at least two pairs, at least two thirds of its tokens pairs,
    /// the first token a pair), and whether it has a time, level or message key.
    static func shape(_ line: UnsafeBufferPointer<UInt8>) -> (isPairs: Bool, hasLogKey: Bool) {
        var i = 0
        if !LogfmtScanner.startsWithPair(line) {
            let head = LogLineHead.parse(line)
            guard head.isRecordStart else { return (false, false) }
            i = head.bodyStart
            guard LogfmtScanner.startsWithPair(UnsafeBufferPointer(rebasing: line[i...])) else { return (false, false) }
        }
        let n = line.count
        var pairs = 0
        var tokens = 0
        var logKey = false
        while i < n {
            while i < n, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
            guard i < n else { break }
            tokens += 1
            let keyStart = i
            while i < n, line[i] > 0x20, line[i] != UInt8(ascii: "=") { i += 1 }
            guard i < n, line[i] == UInt8(ascii: "="), i > keyStart else {
                // Not a pair: skip the token, and at least one byte of it. A control byte (an
                // ANSI colour's ESC) ends a key without being a blank; without that byte the
                // scan stood still on it forever.
                i = max(i, keyStart + 1)
                while i < n, line[i] > 0x20 { i += 1 }
                continue
            }
            pairs += 1
            switch LogField.classify(UnsafeBufferPointer(rebasing: line[keyStart..<i])) {
            case .time, .level, .message: logKey = true
            default: break
            }
            i += 1
            if i < n, line[i] == UInt8(ascii: "\"") {
                i += 1
                while i < n, line[i] != UInt8(ascii: "\"") {
                    if line[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
                i += 1
            } else {
                while i < n, line[i] > 0x20 { i += 1 }
            }
        }
        return (pairs >= 2 && pairs * 3 >= tokens * 2, logKey)
    }
}
