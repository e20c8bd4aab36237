// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "tracedoctor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tracedoctor", targets: ["tracedoctor"]),
        .library(name: "TraceDoctorCore", targets: ["TraceDoctorCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The OTLP receiver (`receive`, `record`); swift-nio also `clickhouses://`. Core and its tests do not depend on these.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // `clickhouses://` (TLS with a CA of the user's choosing) as well as the receiver.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
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
            dependencies: [
                "TraceDoctorCore",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Networking for `receive` and `record`: OTLP/HTTP (Hummingbird) and OTLP/gRPC
        // (grpc-swift-2). It hands request bodies to Core's ingest path and holds no parser.
        .target(
            name: "TraceDoctorReceiver",
            dependencies: [
                "TraceDoctorCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "tracedoctor",
            dependencies: [
                "TraceDoctorCore",
                "TraceDoctorClickHouse",
                "TraceDoctorReceiver",
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
            name: "TraceDoctorReceiverTests",
            dependencies: [
                "TraceDoctorReceiver", "TraceDoctorCore",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            path: "Tests/TraceDoctorReceiverTests"
        ),
        .testTarget(
            name: "TraceDoctorCLITests",
            dependencies: ["tracedoctor"],
            path: "Tests/TraceDoctorCLITests",
            exclude: ["Golden"]
        ),
    ]
)
