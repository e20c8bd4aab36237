// What a CLIENT or PRODUCER span says it called, read straight from the stored attributes JSON
// (a flat object, as ingest writes it) without parsing the whole object.

/// Peer names of a span: `peer.service`, `server.address`, `net.peer.name`, and the host of
/// `url.full` / `http.url`, lowercased and without duplicates.
enum PeerNames {
    private static let keys: [(pattern: [UInt8], isURL: Bool)] = [
        ("\"peer.service\"", false), ("\"server.address\"", false), ("\"net.peer.name\"", false),
        ("\"url.full\"", true), ("\"http.url\"", true),
    ].map { (Array($0.0.utf8), $0.1) }

    static func extract(_ json: UnsafeRawBufferPointer) -> [String] {
        var names: [String] = []
        for (pattern, isURL) in keys {
            guard let value = stringValue(after: pattern, in: json), !value.isEmpty else { continue }
            let name = (isURL ? host(ofURL: value) : value)?.lowercased()
            if let name, !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The string value following `"key"` and a colon, if it is a plain (escape-free) string.
    private static func stringValue(after pattern: [UInt8], in json: UnsafeRawBufferPointer) -> String? {
        let n = json.count
        let m = pattern.count
        guard n > m else { return nil }
        var i = 0
        outer: while i <= n - m {
            for k in 0..<m where json[i + k] != pattern[k] {
                i += 1
                continue outer
            }
            var j = i + m
            while j < n, json[j] == UInt8(ascii: " ") { j += 1 }
            guard j < n, json[j] == UInt8(ascii: ":") else {
                i += 1
                continue
            }
            j += 1
            while j < n, json[j] == UInt8(ascii: " ") { j += 1 }
            guard j < n, json[j] == UInt8(ascii: "\"") else { return nil }
            let start = j + 1
            var end = start
            while end < n, json[end] != UInt8(ascii: "\"") {
                if json[end] == UInt8(ascii: "\\") { return nil }
                end += 1
            }
            guard end < n else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: json[start..<end]), as: UTF8.self)
        }
        return nil
    }

    /// `http://checkout:8080/api` → `checkout`; `[::1]:80` hosts keep their brackets off.
    static func host(ofURL url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        var rest = url[scheme.upperBound...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : String(rest)
    }
}
