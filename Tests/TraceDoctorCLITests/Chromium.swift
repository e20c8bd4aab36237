// Headless Debian chromium for the HTML test: render a page, dump its DOM, take a screenshot,
// and report what the page printed to the console and which network requests it made.

import Foundation

enum Chromium {
    /// The browser, or nil when it is not installed (scripts/setup.sh installs Debian's `chromium`).
    static let path: String? = {
        let candidates = [ProcessInfo.processInfo.environment["TRACEDOCTOR_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]
        let found = candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
        if found == nil {
            FileHandle.standardError.write(
                Data("chromium is not installed (scripts/setup.sh installs Debian's chromium): the HTML page is not rendered\n".utf8))
        }
        return found
    }()

    /// What one headless run of a page gave.
    struct Page {
        var dom: String
        /// Lines the page wrote to the console (`CONSOLE` lines of chromium's log).
        var console: [String]
        /// URLs the page requested over the network (not the browser's own background requests).
        var requests: [String]
    }

    /// Flags for a quiet, sandbox-free, offline-as-possible headless run in a fresh profile.
    static func flags(profile: String) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + profile,
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-default-apps", "--disable-extensions", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=3000",
        ]
    }

    /// Runs chromium with `arguments` (a fresh profile in `directory`); returns stdout and stderr.
    static func run(_ arguments: [String], in directory: String, timeout: TimeInterval = 120) throws -> (String, String) {
        guard let path else { throw CocoaError(.fileNoSuchFile) }
        let profile = directory + "/profile-" + UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = flags(profile: profile) + arguments
        let outFile = directory + "/chromium-" + UUID().uuidString + ".out"
        let errFile = directory + "/chromium-" + UUID().uuidString + ".err"
        for file in [outFile, errFile] where !FileManager.default.createFile(atPath: file, contents: nil) {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file])
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errFile))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: profile)
        let out = (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
        return (out, err)
    }

    /// The DOM of `file` after it loaded, its console lines and its network requests.
    static func load(_ file: String, in directory: String) throws -> Page {
        let netLog = directory + "/net-" + UUID().uuidString + ".json"
        let (dom, err) = try run(["--log-net-log=" + netLog, "--dump-dom", URL(fileURLWithPath: file).absoluteString], in: directory)
        let console = err.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Page(dom: dom, console: console, requests: requests(inNetLog: netLog))
    }

    /// URLs requested by documents loaded from files: the events whose network isolation key is
    /// the file origin (the browser's own update and account checks have none).
    static func requests(inNetLog path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path),
            let log = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let events = log["events"] as? [[String: Any]]
        else { return [] }
        var urls: [String] = []
        for event in events {
            guard let params = event["params"] as? [String: Any], let url = params["url"] as? String,
                let key = params["network_isolation_key"] as? String, key.contains("file://"), !url.hasPrefix("file:")
            else { continue }
            if !urls.contains(url) { urls.append(url) }
        }
        return urls
    }

    /// A screenshot of `file` at `width`×`height`, as PNG bytes.
    static func screenshot(_ file: String, width: Int, height: Int, in directory: String) throws -> Data {
        let png = directory + "/shot-" + UUID().uuidString + ".png"
        _ = try run(
            ["--window-size=\(width),\(height)", "--screenshot=" + png, URL(fileURLWithPath: file).absoluteString], in: directory)
        return try Data(contentsOf: URL(fileURLWithPath: png))
    }

    /// Pixel statistics of a PNG, computed by chromium itself (a canvas in a page that embeds the
    /// image as a data URL): size, pixels that are not near-white, distinct colours.
    static func pixelStatistics(_ png: Data, in directory: String) throws -> [String: Int] {
        let page = """
            <!DOCTYPE html><html><body><img id="shot" src="data:image/png;base64,\(png.base64EncodedString())"><script>
            window.addEventListener("load", () => {
              const img = document.getElementById("shot");
              const c = document.createElement("canvas"); c.width = img.naturalWidth; c.height = img.naturalHeight;
              const g = c.getContext("2d"); g.drawImage(img, 0, 0);
              const d = g.getImageData(0, 0, c.width, c.height).data;
              let nonWhite = 0; const colours = new Set();
              for (let i = 0; i < d.length; i += 4) {
                if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) nonWhite++;
                colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
              }
              const out = document.createElement("pre"); out.id = "stats";
              out.textContent = JSON.stringify({width: c.width, height: c.height, non_white: nonWhite, colours: colours.size});
              document.body.appendChild(out);
            });
            </script></body></html>
            """
        let file = directory + "/pixels-" + UUID().uuidString + ".html"
        try page.write(toFile: file, atomically: true, encoding: .utf8)
        let (dom, _) = try run(["--dump-dom", URL(fileURLWithPath: file).absoluteString], in: directory)
        guard let start = dom.range(of: "<pre id=\"stats\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
        else { return [:] }
        let json = String(dom[start.upperBound..<end.lowerBound])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
        return object.compactMapValues { $0 as? Int }
    }
}
