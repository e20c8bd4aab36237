#!/usr/bin/env python3
"""Runs emit.py's scenarios and ALSO exports every span and log record they produce with the real
OpenTelemetry OTLP exporters (opentelemetry-exporter-otlp-proto-http / -proto-grpc) to a running
`tracedoctor receive`, so that the test can compare what the receiver stored with what ingesting
the same spans from the scenario's files (traces.pb, logs.pb) stores.

Usage: export.py OUTDIR PROTOCOL ENDPOINT SCENARIO...
  PROTOCOL  http/protobuf | http/protobuf+gzip | grpc | grpc+gzip
  ENDPOINT  http://127.0.0.1:PORT (OTLP/HTTP base URL) or 127.0.0.1:PORT (gRPC)
  SCENARIO  healthy broken propagated unpropagated uninjected
Exits non-zero when an export is not acknowledged with success.
"""

from __future__ import annotations

import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)

import emit  # noqa: E402  (emit removes OTEL_* variables from the environment on import)
from opentelemetry.sdk._logs.export import LogRecordExportResult  # noqa: E402
from opentelemetry.sdk.trace.export import SpanExportResult  # noqa: E402

SCENARIOS = {
    "healthy": emit.scenario_healthy,
    "broken": emit.scenario_broken,
    "propagated": lambda o: emit.scenario_orders(o, True),
    "unpropagated": lambda o: emit.scenario_orders(o, False),
    "uninjected": emit.scenario_uninjected,
}


def exporters(protocol: str, endpoint: str):
    gzip = protocol.endswith("+gzip")
    if protocol.startswith("http/protobuf"):
        from opentelemetry.exporter.otlp.proto.http import Compression
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        compression = Compression.Gzip if gzip else Compression.NoCompression
        return (OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces", compression=compression),
                OTLPLogExporter(endpoint=f"{endpoint}/v1/logs", compression=compression))
    if protocol.startswith("grpc"):
        from grpc import Compression
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        compression = Compression.Gzip if gzip else Compression.NoCompression
        return (OTLPSpanExporter(endpoint=endpoint, insecure=True, compression=compression),
                OTLPLogExporter(endpoint=endpoint, insecure=True, compression=compression))
    raise SystemExit(f"export.py: unknown protocol {protocol!r}")


def main(argv: list[str]) -> int:
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 64
    outdir, protocol, endpoint, names = argv[1], argv[2], argv[3], argv[4:]
    span_exporter, log_exporter = exporters(protocol, endpoint)
    failures = []
    original_write = emit.Scenario.write

    def write(self, out, extra):
        # The very objects the scenario's files are encoded from, through the real exporters.
        spans, records = self.finished_spans(), self.log_records()
        if span_exporter.export(spans) != SpanExportResult.SUCCESS:
            failures.append(f"{self.name}: span export failed")
        if records and log_exporter.export(records) != LogRecordExportResult.SUCCESS:
            failures.append(f"{self.name}: log export failed")
        print(f"export.py: {self.name}: exported {len(spans)} spans and {len(records)} log records over {protocol}",
              file=sys.stderr)
        return original_write(self, out, extra)

    emit.Scenario.write = write
    os.makedirs(outdir, exist_ok=True)
    for name in names:
        SCENARIOS[name](outdir)
    span_exporter.shutdown()
    log_exporter.shutdown()
    for failure in failures:
        print(f"export.py: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
