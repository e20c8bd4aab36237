// The lines that may make log intervals, kept as the writer bound them (row ID, time, IDs,
// service, body, attributes) so that the interval pass after the load neither reads them back
// from the table nor parses their attributes with Foundation: it decodes these records in row
// order, taking from each line's attributes only the members the rules look at. Past a few MB
// the records go to an unlinked temporary file, so memory stays bounded whatever the input.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

final class IntervalCandidateSpill {
    /// Bytes kept in memory before they are appended to the temporary file.
    let memoryBytes: Int

    private var buffer: [UInt8] = []
    private var file: UnsafeMutablePointer<FILE>?
    /// Bytes in the temporary file (the records before `buffer`).
    private var fileBytes: Int64 = 0

    init(memoryBytes: Int = 8 << 20) {
        self.memoryBytes = memoryBytes
        buffer.reserveCapacity(min(memoryBytes, 1 << 16))
    }

    deinit { if let file { fclose(file) } }

    /// The end of the records: a mark to `truncate(to:)` when what follows is undone.
    var end: Int64 { fileBytes + Int64(buffer.count) }

    var isEmpty: Bool { end == 0 }

    /// Appends one line's record (see `Record`).
    func append(
        rowID: Int64, timeNs: Int64, traceID: TraceID?, spanID: SpanID?, service: UnsafeBufferPointer<UInt8>,
        body: UnsafeBufferPointer<UInt8>, attributes: UnsafeBufferPointer<UInt8>
    ) throws(TraceDoctorError) {
        put(rowID)
        put(timeNs)
        buffer.append((traceID == nil ? 0 : 1) | (spanID == nil ? 0 : 2))
        if let traceID {
            put(Int64(bitPattern: traceID.high))
            put(Int64(bitPattern: traceID.low))
        }
        if let spanID { put(Int64(bitPattern: spanID.value)) }
        put(service)
        put(body)
        put(attributes)
        if buffer.count >= memoryBytes { try flush() }
    }

    private func put(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        put32(UInt32(bytes.count))
        buffer.append(contentsOf: bytes)
    }

    private func put32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private func flush() throws(TraceDoctorError) {
        guard !buffer.isEmpty else { return }
        if file == nil {
            guard let opened = tmpfile() else {
                throw .unreadable(
                    path: "(temporary file)",
                    reason: "cannot create a temporary file for the log intervals: \(String(cString: strerror(errno))); "
                        + "set TMPDIR to a writable folder")
            }
            file = opened
        }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == buffer.count else {
            throw .unreadable(
                path: "(temporary file)",
                reason: "cannot write the log interval candidates: \(String(cString: strerror(errno))); "
                    + "free space in TMPDIR or point it elsewhere")
        }
        fileBytes += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Drops the records after `mark` (those of a file or batch that was rolled back).
    func truncate(to mark: Int64) {
        guard mark < end else { return }
        if mark >= fileBytes {
            buffer.removeSubrange(Int(mark - fileBytes)...)
            return
        }
        buffer.removeAll(keepingCapacity: true)
        if let file {
            fflush(file)
            _ = ftruncate(fileno(file), off_t(mark))
            fseeko(file, off_t(mark), SEEK_SET)
        }
        fileBytes = mark
    }

    /// Drops every record.
    func removeAll() { truncate(to: 0) }

    /// One line as written.
    struct Record {
        var rowID: Int64
        var timeNs: Int64
        var traceID: TraceID?
        var spanID: SpanID?
        var service: String
        var body: String
        var attributes: [UInt8]
    }

    /// Reads the records in the order written. The spill is not appended to while it reads.
    final class Reader {
        private let spill: IntervalCandidateSpill
        private var chunk: [UInt8] = []
        private var at = 0
        private var fileOffset: Int64 = 0
        private var inMemory = false

        init(_ spill: IntervalCandidateSpill) throws(TraceDoctorError) {
            self.spill = spill
            if let file = spill.file {
                fflush(file)
                rewind(file)
            } else {
                chunk = spill.buffer
                inMemory = true
            }
        }

        /// Bytes in `chunk` after `at`; refills from the file, then takes the memory buffer.
        private func ensure(_ n: Int) throws(TraceDoctorError) -> Bool {
            if chunk.count - at >= n { return true }
            if inMemory { return false }
            chunk.removeSubrange(..<at)
            at = 0
            while chunk.count < n {
                if fileOffset < spill.fileBytes, let file = spill.file {
                    let want = Int(min(Int64(1 << 20), spill.fileBytes - fileOffset))
                    let old = chunk.count
                    chunk.append(contentsOf: repeatElement(0, count: want))
                    let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress! + old, 1, want, file) }
                    guard got == want else {
                        throw .unreadable(path: "(temporary file)", reason: "cannot read the log interval candidates back")
                    }
                    fileOffset += Int64(want)
                } else {
                    chunk.append(contentsOf: spill.buffer)
                    inMemory = true
                    return chunk.count >= n
                }
            }
            return true
        }

        /// The row ID of the next record, without reading it.
        func peekRowID() throws(TraceDoctorError) -> Int64? {
            guard try ensure(8) else { return nil }
            return int64(at)
        }

        private func int64(_ i: Int) -> Int64 {
            chunk.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: i, as: Int64.self)) }
        }

        private func uint32(_ i: Int) -> Int {
            chunk.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: i, as: UInt32.self))) }
        }

        /// The next record, or nil at the end.
        func next() throws(TraceDoctorError) -> Record? {
            guard try peekRowID() != nil else { return nil }
            guard try ensure(17) else { return nil }
            let flags = chunk[at + 16]
            var size = 17 + (flags & 1 != 0 ? 16 : 0) + (flags & 2 != 0 ? 8 : 0)
            var lengths: [Int] = []
            for _ in 0..<3 {
                guard try ensure(size + 4) else { return nil }
                let n = uint32(at + size)
                lengths.append(n)
                size += 4 + n
            }
            guard try ensure(size) else { return nil }
            var i = at
            let rowID = int64(i)
            let timeNs = int64(i + 8)
            i += 17
            var traceID: TraceID?
            if flags & 1 != 0 {
                traceID = TraceID(high: UInt64(bitPattern: int64(i)), low: UInt64(bitPattern: int64(i + 8)))
                i += 16
            }
            var spanID: SpanID?
            if flags & 2 != 0 {
                spanID = SpanID(UInt64(bitPattern: int64(i)))
                i += 8
            }
            var fields: [ArraySlice<UInt8>] = []
            for n in lengths {
                fields.append(chunk[(i + 4)..<(i + 4 + n)])
                i += 4 + n
            }
            at = i
            return Record(
                rowID: rowID, timeNs: timeNs, traceID: traceID, spanID: spanID,
                service: String(decoding: fields[0], as: UTF8.self), body: String(decoding: fields[1], as: UTF8.self),
                attributes: Array(fields[2]))
        }
    }
}

/// The members of a line's attributes (a JSON object) that the interval rules look at: event
/// fields, keys, duration fields and unit-named fields. Values as `JSONSerialization` gives them
/// (`String`, `NSNumber` of an integer, a double or a boolean); other values and members are left
/// out, which `LogIntervalBuilder` cannot tell from the whole object.
struct IntervalAttributeFilter {
    private let names: Set<String>
    private let unitSuffixes: [String]

    init(_ rules: LogIntervalRules) {
        names = Set(rules.eventFields + rules.keys + rules.durations.map(\.field))
        unitSuffixes = LogIntervalBuilder.nameUnits.map(\.0)
    }

    private func wanted(_ name: String) -> Bool {
        if names.contains(name) { return true }
        return unitSuffixes.contains { name.hasSuffix($0) && name.count > $0.count }
    }

    /// The wanted members of `json`; nil when it is not a JSON object (the caller parses it the slow way).
    func members(of json: [UInt8]) -> [String: Any]? {
        if json.count == 2 && json[0] == UInt8(ascii: "{") && json[1] == UInt8(ascii: "}") { return [:] }
        let scanner = JSONScanner(source: MemorySource(json), chunkSize: max(64, json.count))
        var result: [String: Any] = [:]
        do {
            var object = try scanner.beginObject()
            while let keyBytes = try scanner.nextKey(&object) {
                let name = String(decoding: keyBytes, as: UTF8.self)
                guard wanted(name) else {
                    try scanner.skipValue()
                    continue
                }
                switch try scanner.kind() {
                case .string:
                    result[name] = try scanner.readString()
                case .number:
                    result[name] = Self.number(try scanner.readNumberBytes())
                case .bool:
                    result[name] = NSNumber(value: try scanner.readBool())
                case .null, .object, .array:
                    result.removeValue(forKey: name)
                    try scanner.skipValue()
                }
            }
        } catch {
            return nil
        }
        return result
    }

    /// A JSON number as `JSONSerialization` makes it: an integer when it is written as one and
    /// fits, else a double.
    static func number(_ text: UnsafeBufferPointer<UInt8>) -> NSNumber {
        let string = String(decoding: text, as: UTF8.self)
        if !text.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            if let n = Int(string) { return NSNumber(value: n) }
            if let n = UInt64(string) { return NSNumber(value: n) }
        }
        return NSNumber(value: Double(string) ?? .nan)
    }
}
