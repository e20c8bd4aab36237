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
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "TraceDoctorCore",
            dependencies: [
                "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "tracedoctor",
            dependencies: [
                "TraceDoctorCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "TraceDoctorCoreTests",
            dependencies: ["TraceDoctorCore"],
            path: "Tests/TraceDoctorCoreTests"
        ),
        .testTarget(
            name: "TraceDoctorCLITests",
            dependencies: ["tracedoctor"],
            path: "Tests/TraceDoctorCLITests"
        ),
    ]
)
