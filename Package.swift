// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "tracedoctor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tracedoctor", targets: ["tracedoctor"]),
        .library(name: "TraceDoctorCore", targets: ["TraceDoctorCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "CSQLiteTuning",
            dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")],
            // DWARF 5 from clang makes valgrind (the profiler used here) give up on the binary.
            cSettings: [.unsafeFlags(["-gdwarf-4"])]
        ),
        .target(
            name: "TraceDoctorCore",
            dependencies: [
                "CZlib",
                "CSQLiteTuning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: [
                // The ingest path walks bytes through class state; dynamic exclusivity checks
                // cost a third of its instructions (callgrind). Static checks stay on.
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
            ]
        ),
        // Spans where the OpenTelemetry Collector's clickhouseexporter wrote them: the HTTP client
        // and the ClickHouse SQL dialect (docs/clickhouse.md), behind Core's SpanSource.
        .target(
            name: "TraceDoctorClickHouse",
            dependencies: ["TraceDoctorCore"]
        ),
        .executableTarget(
            name: "tracedoctor",
            dependencies: [
                "TraceDoctorCore",
                "TraceDoctorClickHouse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The benchmark's insert-only reference (make bench); not installed.
        .executableTarget(
            name: "tracedoctor-bench",
            dependencies: ["TraceDoctorCore"],
            path: "Sources/tracedoctor-bench"
        ),
        .testTarget(
            name: "TraceDoctorCoreTests",
            dependencies: ["TraceDoctorCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Tests/TraceDoctorCoreTests"
        ),
        .testTarget(
            name: "TraceDoctorClickHouseTests",
            dependencies: ["TraceDoctorClickHouse", "TraceDoctorCore"],
            path: "Tests/TraceDoctorClickHouseTests"
        ),
        .testTarget(
            name: "TraceDoctorCLITests",
            dependencies: ["tracedoctor"],
            path: "Tests/TraceDoctorCLITests",
            exclude: ["Golden"]
        ),
    ]
)
