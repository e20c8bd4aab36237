// Fails when the committed OTLP protobuf code is stale: edited by hand, generated from other
// descriptors than the pinned opentelemetry-proto wheel's, or from a protoc-gen-swift newer
// than the linked runtime. The fix is always `scripts/generate-protos.sh` and a commit.
//
// generated code = protoc-gen-swift(version, options)(descriptor set). Offline, the test checks
// each input and the output against the stamp the script wrote (GeneratedProtos.swift):
// - the output: every *.pb.swift file has the sha256 the script recorded, and no file is
//   missing or extra;
// - the descriptor set: rebuilt now from the wheel that tests/realsdk/requirements.txt pins (the
//   cached venv the real-SDK tests use) by the same scripts/otlp_descriptor_set.py, its sha256
//   must equal the recorded one, so bumping the pin without regenerating fails here;
// - the generator: its version must be one the linked SwiftProtobuf runtime supports (same
//   major, not newer).
// What it cannot check without building protoc-gen-swift (~70 s, kept out of `make test`) is
// that running the generator again gives the same bytes; the script's stamp vouches for that.

import Foundation
import SwiftProtobuf
import Testing

@testable import TraceDoctorCore

@Suite struct GeneratedProtosTests {
    static let root = "/" + #filePath.split(separator: "/").dropLast(4).joined(separator: "/")
    static let generated = root + "/Sources/TraceDoctorCore/Generated"
    static let regenerate = "run scripts/generate-protos.sh and commit what it writes"

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `executable args...`; returns stdout, or throws with stderr on a non-zero exit.
    func run(_ executable: String, _ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "\(executable) failed: \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func theGeneratedFilesAreExactlyTheOnesTheScriptWrote() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.generated).filter { $0.hasSuffix(".pb.swift") }
        #expect(Set(onDisk) == Set(GeneratedProtos.files.map(\.name)), "files added or removed by hand; \(Self.regenerate)")
        for (name, recorded) in GeneratedProtos.files {
            let line = try run("/usr/bin/sha256sum", [Self.generated + "/" + name])
            let actual = String(line.prefix(64))
            #expect(actual == recorded, "\(name) was changed after it was generated; \(Self.regenerate)")
        }
    }

    @Test func theCodeComesFromTheOpenTelemetryProtoVersionTheTestsPin() throws {
        let requirements = try String(contentsOfFile: Self.root + "/tests/realsdk/requirements.txt", encoding: .utf8)
        let pin = requirements.split(separator: "\n").first { $0.hasPrefix("opentelemetry-proto==") }
        #expect(pin.map { String($0.dropFirst("opentelemetry-proto==".count)) } == GeneratedProtos.opentelemetryProtoVersion,
            "tests/realsdk/requirements.txt pins \(pin ?? "no opentelemetry-proto"); \(Self.regenerate)")
    }

    @Test func thePinnedWheelsDescriptorsAreTheOnesTheCodeWasGeneratedFrom() throws {
        let venv = try run(Self.root + "/tests/realsdk/setup-venv.sh", [])
            .split(separator: "\n").last.map(String.init) ?? ""
        let output = try run(venv + "/bin/python", [Self.root + "/scripts/otlp_descriptor_set.py"])
        let set = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        #expect(set["opentelemetry_proto"] as? String == GeneratedProtos.opentelemetryProtoVersion)
        #expect(set["sha256"] as? String == GeneratedProtos.descriptorSetSHA256,
            "the pinned opentelemetry-proto's descriptors differ from the ones the code was generated from; \(Self.regenerate)")
        // One generated file per .proto in the set (FileNaming=PathToUnderscores).
        let protos = (set["files"] as? [String] ?? []).map {
            $0.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ".proto", with: ".pb.swift")
        }
        #expect(Set(protos) == Set(GeneratedProtos.files.map(\.name)))
    }

    @Test func theLinkedRuntimeSupportsTheGeneratorThatWroteTheCode() throws {
        let generator = GeneratedProtos.protocGenSwiftVersion.split(separator: ".").compactMap { Int($0) }
        let runtime = [SwiftProtobuf.Version.major, SwiftProtobuf.Version.minor, SwiftProtobuf.Version.revision]
        #expect(generator.count == 3)
        #expect(generator.first == runtime.first, "generated by protoc-gen-swift \(GeneratedProtos.protocGenSwiftVersion) for another major version; \(Self.regenerate)")
        #expect(generator.lexicographicallyPrecedes(runtime) || generator == runtime,
            "generated by protoc-gen-swift \(GeneratedProtos.protocGenSwiftVersion), newer than the linked SwiftProtobuf \(SwiftProtobuf.Version.versionString)")
        #expect(GeneratedProtos.protocGenSwiftOptions == "Visibility=Public,FileNaming=PathToUnderscores")
    }

    /// The generated types are the ones the readers use: a round trip through them works.
    @Test func theGeneratedTypesRoundTrip() throws {
        let bytes: [UInt8] = try OTLPMessages.traceRequest().serializedBytes()
        let again: [UInt8] = try TraceRequest(serializedBytes: bytes).serializedBytes()
        #expect(again == bytes)
        #expect(Opentelemetry_Proto_Trace_V1_Span.protoMessageName == "opentelemetry.proto.trace.v1.Span")
        #expect(Opentelemetry_Proto_Logs_V1_LogRecord.protoMessageName == "opentelemetry.proto.logs.v1.LogRecord")
    }
}
