// swift-tools-version:5.4
// libFuzzer targets for tracedoctor's readers, built apart from the main package (and only by
// scripts/fuzz.sh) with `-sanitize=fuzzer,address -parse-as-library -enable-testing`.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links an executable on Linux with
// `--defsym main=<Module>_main`, a symbol a `-parse-as-library` module never emits, so the
// link fails instead of taking libFuzzer's own `main`.

import PackageDescription

/// One libFuzzer executable per reader, plus detection and gzip (`FuzzIngest`).
let fuzzers = [
    "FuzzOTLPJSON", "FuzzOTLPProtobuf", "FuzzJaegerJSON", "FuzzZipkinJSON", "FuzzJSONLogs", "FuzzLogfmt",
    "FuzzTextLogs", "FuzzIngest", "FuzzOTLPRequest",
]

let package = Package(
    name: "TraceDoctorFuzz",
    dependencies: [.package(name: "tracedoctor", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "TraceDoctorCore", package: "tracedoctor")])
    ] + fuzzers.map { .executableTarget(name: $0, dependencies: ["FuzzSupport"]) }
)
