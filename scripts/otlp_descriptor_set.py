#!/usr/bin/env python3
"""Rebuilds the OTLP FileDescriptorSet that tracedoctor's generated Swift code comes from.

The opentelemetry-proto wheel ships compiled descriptors (`*_pb2.py`) but no .proto files. This
collects the serialized FileDescriptorProto of the trace and logs collector services and of every
file they import, dependencies first (the order protoc wants), exactly as the wheel embeds them.

Usage: otlp_descriptor_set.py [--out SET.pb]
Prints one JSON object: the opentelemetry-proto and protobuf versions, the sha256 of the
serialized set, and the .proto names in it. scripts/generate-protos.sh feeds the set to protoc;
the staleness test (Tests/TraceDoctorCoreTests/Generated) recomputes the sha256 and compares it
with the one recorded when the code was generated.
"""

import argparse
import hashlib
import json
import sys
from importlib.metadata import version

from google.protobuf import descriptor_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

ROOTS = [trace_service_pb2.DESCRIPTOR, logs_service_pb2.DESCRIPTOR]


def in_dependency_order(roots):
    """Every file reachable from `roots`, each after all the files it imports."""
    ordered, seen = [], set()

    def visit(fd):
        if fd.name in seen:
            return
        seen.add(fd.name)
        for dep in fd.dependencies:
            visit(dep)
        ordered.append(fd)

    for root in roots:
        visit(root)
    return ordered


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the serialized FileDescriptorSet here")
    args = parser.parse_args(argv)

    files = in_dependency_order(ROOTS)
    descriptor_set = descriptor_pb2.FileDescriptorSet()
    for fd in files:
        descriptor_set.file.append(descriptor_pb2.FileDescriptorProto.FromString(fd.serialized_pb))
    data = descriptor_set.SerializeToString(deterministic=True)
    if args.out:
        with open(args.out, "wb") as f:
            f.write(data)
    json.dump(
        {
            "opentelemetry_proto": version("opentelemetry-proto"),
            "protobuf": version("protobuf"),
            "sha256": hashlib.sha256(data).hexdigest(),
            "files": [fd.name for fd in files],
        },
        sys.stdout,
        indent=2,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
