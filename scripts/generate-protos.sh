#!/usr/bin/env bash
# Regenerates the committed OTLP protobuf Swift code (Sources/TraceDoctorCore/Generated) and its
# stamp, GeneratedProtos.swift, from the opentelemetry-proto version pinned in
# tests/realsdk/requirements.txt. Run it after changing that pin or swift-protobuf's version, and
# commit what it writes; the staleness test fails until you do.
#
# Needs: protoc (Debian: apt-get install protobuf-compiler), python3 with venv and PyPI on first
# use (the cached tests/realsdk venv), and ~70 s to build protoc-gen-swift from the swift-protobuf
# checkout (or PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift to use one you have).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/Sources/TraceDoctorCore/Generated"
options="Visibility=Public,FileNaming=PathToUnderscores"
cd "$root"

if ! command -v protoc >/dev/null; then
    echo "generate-protos: protoc not found (Debian: apt-get install protobuf-compiler)" >&2
    exit 1
fi

venv="$(tests/realsdk/setup-venv.sh | tail -n 1)"

plugin="${PROTOC_GEN_SWIFT:-}"
if [[ -z "$plugin" ]]; then
    echo "generate-protos: building protoc-gen-swift from the swift-protobuf checkout" >&2
    swift build --product protoc-gen-swift >&2
    plugin="$(swift build --show-bin-path)/protoc-gen-swift"
fi
generator_version="$("$plugin" --version | awk '{print $NF}')"
protoc_version="$(protoc --version)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" scripts/otlp_descriptor_set.py --out "$work/otlp.binpb" >"$work/set.json"
read_json() { "$venv/bin/python" -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$work/set.json"; }
otel_version="$(read_json "d['opentelemetry_proto']")"
set_sha="$(read_json "d['sha256']")"
mapfile -t protos < <(read_json "'\n'.join(d['files'])")

mkdir -p "$work/swift"
protoc --plugin="protoc-gen-swift=$plugin" --descriptor_set_in="$work/otlp.binpb" \
    --swift_out="$work/swift" --swift_opt="$options" "${protos[@]}"

mkdir -p "$out"
rm -f "$out"/*.pb.swift
cp "$work/swift"/*.pb.swift "$out/"

{
    echo "// Written by scripts/generate-protos.sh together with the *.pb.swift files beside it; do not"
    echo "// edit. It records what the generated code was made from, for the staleness test."
    echo ""
    echo "/// The inputs and outputs of the last run of scripts/generate-protos.sh."
    echo "enum GeneratedProtos {"
    echo "    /// The opentelemetry-proto wheel whose descriptors were compiled."
    echo "    static let opentelemetryProtoVersion = \"$otel_version\""
    echo "    /// sha256 of the FileDescriptorSet scripts/otlp_descriptor_set.py rebuilt from it."
    echo "    static let descriptorSetSHA256 = \"$set_sha\""
    echo "    static let protocVersion = \"$protoc_version\""
    echo "    static let protocGenSwiftVersion = \"$generator_version\""
    echo "    static let protocGenSwiftOptions = \"$options\""
    echo "    /// The generated files and the sha256 of each, as written."
    echo "    static let files: [(name: String, sha256: String)] = ["
    for f in "$out"/*.pb.swift; do
        echo "        (\"$(basename "$f")\", \"$(sha256sum "$f" | cut -d' ' -f1)\"),"
    done
    echo "    ]"
    echo "}"
} >"$out/GeneratedProtos.swift"

echo "generate-protos: opentelemetry-proto $otel_version, protoc-gen-swift $generator_version -> $out" >&2
