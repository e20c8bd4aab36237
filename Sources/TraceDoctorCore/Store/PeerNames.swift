// What a CLIENT or PRODUCER span says it called, read straight from the stored attributes JSON
// (a flat object, as ingest writes it) in one pass over its top-level keys.

import Foundation

/// Peer names of a span: `peer.service`, `server.address`, `net.peer.name`, and the host of
/// `url.full` / `http.url`, lowercased and without duplicates.
enum PeerNames {
    /// The keys read, in the order their values are listed: peer.service, server.address,
    /// net.peer.name, url.full, http.url (the last two are URLs).
    static let keyCount = 5

    /// Which key the `length` bytes at `p` are, or -1. Static strings: no reference counting.
    @inline(__always)
    static func key(_ p: UnsafePointer<UInt8>, _ length: Int) -> Int {
        func equal(_ key: StaticString) -> Bool { memcmp(p, key.utf8Start, length) == 0 }
        switch length {
        case 12: return equal("peer.service") ? 0 : -1
        case 14: return equal("server.address") ? 1 : -1
        case 13: return equal("net.peer.name") ? 2 : -1
        case 8: return equal("url.full") ? 3 : equal("http.url") ? 4 : -1
        default: return -1
        }
    }

    static func extract(_ json: UnsafeRawBufferPointer) -> [String] {
        var values = Values()
        read(json, into: &values)
        return names(of: values)
    }

    /// The raw values of the keys read, in `keys` order (nil = absent); no allocation.
    struct Values {
        var slots: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?, UnsafeRawBufferPointer?,
            UnsafeRawBufferPointer?) = (nil, nil, nil, nil, nil)

        subscript(k: Int) -> UnsafeRawBufferPointer? {
            get {
                switch k {
                case 0: slots.0
                case 1: slots.1
                case 2: slots.2
                case 3: slots.3
                default: slots.4
                }
            }
            set {
                switch k {
                case 0: slots.0 = newValue
                case 1: slots.1 = newValue
                case 2: slots.2 = newValue
                case 3: slots.3 = newValue
                default: slots.4 = newValue
                }
            }
        }

        var isEmpty: Bool { (0..<5).allSatisfy { self[$0] == nil } }
    }

    /// Fills `values` from the top-level keys of `json`.
    static func read(_ json: UnsafeRawBufferPointer, into values: inout Values) {
        guard let base = json.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let n = json.count
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        var i = 0
        /// Index just past the string starting at `p` (a quote): memchr to each quote, skipping
        /// quotes escaped by an odd number of backslashes.
        @inline(__always) func endOfString(_ p: Int) -> Int {
            var j = p + 1
            while j < n {
                guard let hit = memchr(base + j, Int32(quote), n - j) else { return n }
                let q = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                var k = q - 1
                var backslashes = 0
                while k > p, base[k] == backslash {
                    backslashes += 1
                    k -= 1
                }
                if backslashes % 2 == 0 { return q + 1 }
                j = q + 1
            }
            return n
        }
        @inline(__always) func skipSpace(_ p: Int) -> Int {
            var j = p
            while j < n, base[j] <= 0x20 { j += 1 }
            return j
        }
        i = skipSpace(0)
        guard i < n, base[i] == UInt8(ascii: "{") else { return }
        i += 1
        while true {
            i = skipSpace(i)
            if i < n, base[i] == UInt8(ascii: ",") { i = skipSpace(i + 1) }
            guard i < n, base[i] == quote else { return }
            let keyStart = i + 1
            let afterKey = endOfString(i)
            let keyLength = afterKey - 1 - keyStart
            i = skipSpace(afterKey)
            guard i < n, base[i] == UInt8(ascii: ":") else { return }
            i = skipSpace(i + 1)
            guard i < n else { return }
            if base[i] == quote {
                let afterValue = endOfString(i)
                let length = afterValue - 1 - (i + 1)
                // Only a key tracedoctor reads, and a value without escapes, is kept.
                let k = key(base + keyStart, keyLength)
                if k >= 0, values[k] == nil, length >= 0, memchr(base + i + 1, Int32(backslash), length) == nil {
                    values[k] = UnsafeRawBufferPointer(start: base + i + 1, count: length)
                }
                i = afterValue
                continue
            }
            // A number, literal, array or object: skip it (strings inside may hold brackets).
            var depth = 0
            while i < n {
                let c = base[i]
                if c == quote {
                    i = endOfString(i)
                    continue
                }
                if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                    depth += 1
                } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                    if depth == 0 { break }
                    depth -= 1
                } else if c == UInt8(ascii: ","), depth == 0 {
                    break
                }
                i += 1
            }
            if i >= n || base[i] == UInt8(ascii: "}") { return }
        }
    }

    /// The peer names those values give.
    static func names(of values: Values) -> [String] {
        var names: [String] = []
        for k in 0..<keyCount {
            guard let raw = values[k], raw.count > 0 else { continue }
            let value = String(decoding: raw, as: UTF8.self)
            let name = (isURL(k) ? host(ofURL: value) : value)?.lowercased()
            if let name, !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Whether key `k` holds a URL.
    static func isURL(_ k: Int) -> Bool { k >= 3 }

    /// The bytes of a URL up to its path (`http://user@host:port`): all `host(ofURL:)` reads.
    static func authority(_ url: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var slashes = 0
        for (i, c) in url.enumerated() {
            if c == UInt8(ascii: "/") {
                slashes += 1
                if slashes == 3 { return UnsafeRawBufferPointer(rebasing: url[..<i]) }
            } else if slashes >= 2 && (c == UInt8(ascii: "?") || c == UInt8(ascii: "#")) {
                return UnsafeRawBufferPointer(rebasing: url[..<i])
            }
        }
        return url
    }

    /// `http://checkout:8080/api` → `checkout`; `[::1]:80` → `::1`.
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
