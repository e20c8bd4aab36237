// Which log lines may open, close or time a log interval, decided while the line is written: the
// same test as `TraceStore.intervalCandidateFilter` (a start or end suffix in the body or the
// attributes, `"field":` of a duration rule or `suffix":` of a unit-named field in the
// attributes, all as written), made on the bytes the writer binds instead of by `instr()` over
// every stored row after the load. The interval pass then reads only the rows it names.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct IntervalCandidateTest: Sendable {
    /// Needles grouped by their first byte, for the body and for the attributes: each text is
    /// searched with memchr for those bytes only (`_` and `"` with the defaults), then memcmp.
    private var bodyNeedles: [(first: UInt8, needles: [[UInt8]])] = []
    private var attributeNeedles: [(first: UInt8, needles: [[UInt8]])] = []
    /// An empty needle matches every row (as instr() does); no needle at all matches none.
    private var matchesAllBodies = false
    private var matchesAllAttributes = false

    init(_ rules: LogIntervalRules) {
        var body: [[UInt8]] = []
        var attributes: [[UInt8]] = []
        for suffix in rules.startSuffixes + rules.endSuffixes.map(\.suffix) {
            body.append(Array(suffix.utf8))
            attributes.append(Array(suffix.utf8))
        }
        for field in rules.durations.map(\.field) { attributes.append(Array(("\"" + field + "\":").utf8)) }
        for (suffix, _) in LogIntervalBuilder.nameUnits { attributes.append(Array((suffix + "\":").utf8)) }
        (bodyNeedles, matchesAllBodies) = Self.group(body)
        (attributeNeedles, matchesAllAttributes) = Self.group(attributes)
    }

    private static func group(_ needles: [[UInt8]]) -> ([(first: UInt8, needles: [[UInt8]])], Bool) {
        var groups: [(first: UInt8, needles: [[UInt8]])] = []
        var all = false
        for needle in needles {
            guard let first = needle.first else {
                all = true
                continue
            }
            if let k = groups.firstIndex(where: { $0.first == first }) {
                groups[k].needles.append(needle)
            } else {
                groups.append((first, [needle]))
            }
        }
        return (groups, all)
    }

    func matches(body: UnsafeBufferPointer<UInt8>, attributes: UnsafeBufferPointer<UInt8>) -> Bool {
        if matchesAllBodies || matchesAllAttributes { return true }
        return Self.contains(body, bodyNeedles) || Self.contains(attributes, attributeNeedles)
    }

    private static func contains(_ text: UnsafeBufferPointer<UInt8>, _ groups: [(first: UInt8, needles: [[UInt8]])]) -> Bool {
        guard let base = text.baseAddress, !text.isEmpty else { return false }
        let end = base + text.count
        for group in groups {
            var at = base
            while at < end, let found = memchr(at, Int32(group.first), end - at) {
                let p = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
                let left = end - p
                for needle in group.needles where needle.count <= left {
                    if needle.withUnsafeBufferPointer({ memcmp(p, $0.baseAddress!, $0.count) }) == 0 { return true }
                }
                at = p + 1
            }
        }
        return false
    }
}
