// The fallback for text files: accepts UTF-8 text whose lines start like log lines (a
// timestamp or a level), and refuses binary data and anything that starts like JSON. A
// truncated or invalid JSON document must reach the JSON reader that says where it breaks,
// never be stored as "text logs".

/// Plain-text logs: confidence 10, below every structured format.
public enum TextLogSniffer: FormatSniffer {
    public static let confidence = 10
    static let linesLooked = 20

    public static func sniff(_ prefix: InputPrefix) -> SniffResult {
        let bytes = prefix.bytes
        if bytes.contains(0) {
            return .reject("binary data (NUL bytes), not text")
        }
        if !isUTF8(bytes, complete: prefix.isComplete) {
            return .reject("not UTF-8 text")
        }
        guard let first = prefix.firstSignificantByte else { return .reject("the input is empty") }
        if first.byte == UInt8(ascii: "{") {
            return .reject("starts with '{' at \(first.position): JSON, not a text log")
        }
        return LogSample.with(prefix, limit: linesLooked) { sample in
            var counted = 0
            var starts = 0
            for line in sample.lines where !LogSample.isContinuationLike(line) {
                counted += 1
                let isStart = LogLineHead.parse(line).isRecordStart
                if counted == 1 && !isStart {
                    if line.first == UInt8(ascii: "[") {
                        return .reject("starts with '[' at \(first.position) but not with a log line: JSON, not a text log")
                    }
                    return .reject("the first line does not start with a timestamp or a log level")
                }
                if isStart { starts += 1 }
            }
            guard counted > 0 else { return .reject("no line starts with a timestamp or a log level") }
            guard starts * 2 >= counted else {
                return .reject("only \(starts) of the first \(counted) lines start with a timestamp or a log level")
            }
            return .accept(confidence: confidence)
        }
    }

    /// Whether `bytes` are UTF-8, allowing a character cut at the end of an incomplete prefix.
    static func isUTF8(_ bytes: [UInt8], complete: Bool) -> Bool {
        bytes.withUnsafeBufferPointer { all in
            if UTF8Repair.isASCII(all) || UTF8Validation.isValid(all) { return true }
            guard !complete else { return false }
            // Drop up to three bytes of a sequence the prefix cut.
            for cut in 1...3 where all.count > cut {
                if UTF8Validation.isValid(UnsafeBufferPointer(rebasing: all[..<(all.count - cut)])) { return true }
            }
            return false
        }
    }
}
