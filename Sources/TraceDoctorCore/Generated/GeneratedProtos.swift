// Written by scripts/generate-protos.sh together with the *.pb.swift files beside it; do not
// edit. It records what the generated code was made from, for the staleness test.

/// The inputs and outputs of the last run of scripts/generate-protos.sh.
enum GeneratedProtos {
    /// The opentelemetry-proto wheel whose descriptors were compiled.
    static let opentelemetryProtoVersion = "1.45.2"
    /// sha256 of the FileDescriptorSet scripts/otlp_descriptor_set.py rebuilt from it.
    static let descriptorSetSHA256 = "fdf96ff668682fdf16d985ebdc2e5daf9c2e207d5a50d07a27b94c82b717c4b4"
    static let protocVersion = "libprotoc 3.21.12"
    static let protocGenSwiftVersion = "1.39.0"
    static let protocGenSwiftOptions = "Visibility=Public,FileNaming=PathToUnderscores"
    /// The generated files and the sha256 of each, as written.
    static let files: [(name: String, sha256: String)] = [
        ("opentelemetry_proto_collector_logs_v1_logs_service.pb.swift", "11e6ced8c0109f3fd8e732e44d11a22cb72c2b52c69a6187d8943a6711c1e994"),
        ("opentelemetry_proto_collector_trace_v1_trace_service.pb.swift", "4729d6c73e4e3d313e2f7ed9cd23b5e6292e4c230da8d4676e326d41c4a18b22"),
        ("opentelemetry_proto_common_v1_common.pb.swift", "0751449199475430aa03f2e0ef7dfde54d7622b882d97bca521ba30fc6ff5f24"),
        ("opentelemetry_proto_logs_v1_logs.pb.swift", "794d31c75a3bbbba9670dab648416745d6f0c7d1e52c944673e4423655f3ad5b"),
        ("opentelemetry_proto_resource_v1_resource.pb.swift", "f2125a7f517d9a50e64d2067c411734686911a3d4ae5e6c9c8f7dcde8872d85d"),
        ("opentelemetry_proto_trace_v1_trace.pb.swift", "1233c04409651d132f9f389e98af4245ad6fb0e083ff1a3bf7bb62673f8eb9d2"),
    ]
}
