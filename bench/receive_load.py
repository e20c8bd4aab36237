#!/usr/bin/env python3
"""Load for `tracedoctor receive` (make bench's `receive` case): OTLP/HTTP protobuf exports of
--batch spans each from --clients concurrent keep-alive connections, as an SDK's batch processor
sends them; a 503 is retried after its Retry-After, as exporters do. Only the standard library:
the requests are encoded by hand (the OTLP trace protobuf is small).

usage: receive_load.py --port P --spans N [--batch 512] [--clients 4] [--rate SPANS_PER_S]
                       [--write-pb FILE] [--seed 1]

--rate 0 (default) sends as fast as the receiver acknowledges (throughput); --rate R paces the
requests to R spans/s in all (acknowledgement latency at a steady load). --write-pb writes the
same requests, length-delimited, to FILE (and sends nothing): `tracedoctor ingest` of that file
is the reference. Prints one JSON line: spans, seconds, spans_per_s, p50_ms, p99_ms, retries.
"""

import argparse
import http.client
import json
import random
import struct
import sys
import threading
import time


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field_bytes(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_fixed64(number, value):
    return varint(number << 3 | 1) + struct.pack("<Q", value)


def attribute(key, value):
    any_value = field_bytes(1, value.encode()) if isinstance(value, str) else field_varint(3, value)
    return field_bytes(1, key.encode()) + field_bytes(2, any_value)


def span(trace_id, span_id, parent_id, name, kind, start, end, attrs):
    body = field_bytes(1, trace_id) + field_bytes(2, span_id)
    if parent_id:
        body += field_bytes(4, parent_id)
    body += field_bytes(5, name.encode()) + field_varint(6, kind)
    body += field_fixed64(7, start) + field_fixed64(8, end)
    for key, value in attrs:
        body += field_bytes(9, attribute(key, value))
    return body


def request(batch_index, batch, rng):
    """One ExportTraceServiceRequest: traces of 8 spans (a root and 7 children), one service."""
    spans = []
    base = 1_700_000_000_000_000_000 + batch_index * 1_000_000_000
    for i in range(batch):
        trace_no, position = divmod(batch_index * batch + i, 8)
        trace_id = struct.pack(">QQ", 0x7472616365, trace_no + 1)
        span_id = struct.pack(">Q", (trace_no << 4 | position) + 1)
        parent = struct.pack(">Q", (trace_no << 4) + 1) if position else b""
        start = base + i * 1000 + position * 10
        attrs = [("http.route", f"/api/v1/items/{rng.randrange(50)}"), ("http.response.status_code", 200),
                 ("net.peer.name", f"backend-{rng.randrange(8)}")]
        spans.append(span(trace_id, span_id, parent, "GET /api/v1/items/{id}" if not position else f"step-{position}",
                          2 if not position else 1, start, start + 900 - position * 50, attrs))
    scope = field_bytes(1, field_bytes(1, b"bench") + field_bytes(2, b"1.0"))
    scope_spans = scope + b"".join(field_bytes(2, s) for s in spans)
    resource = field_bytes(1, attribute("service.name", f"svc-{batch_index % 4}"))
    resource_spans = field_bytes(1, resource) + field_bytes(2, scope_spans)
    return field_bytes(1, resource_spans)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=4318)
    parser.add_argument("--spans", type=int, required=True)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--write-pb")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    count = max(1, args.spans // args.batch)
    bodies = [request(b, args.batch, rng) for b in range(count)]
    if args.write_pb:
        with open(args.write_pb, "wb") as f:
            for body in bodies:
                f.write(varint(len(body)) + body)
        print(json.dumps({"spans": count * args.batch, "requests": count, "bytes": sum(map(len, bodies))}))
        return 0

    lock = threading.Lock()
    state = {"next": 0, "latencies": [], "retries": 0, "errors": []}
    interval = args.batch / args.rate if args.rate else 0
    started = time.monotonic()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        while True:
            with lock:
                index = state["next"]
                state["next"] += 1
            if index >= count:
                break
            if interval:
                delay = started + index * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            while True:
                sent = time.monotonic()
                connection.request("POST", "/v1/traces", body=bodies[index],
                                   headers={"Content-Type": "application/x-protobuf"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    with lock:
                        state["latencies"].append(time.monotonic() - sent)
                    break
                if response.status in (429, 503):
                    with lock:
                        state["retries"] += 1
                    time.sleep(float(response.getheader("Retry-After", "1")))
                    continue
                with lock:
                    state["errors"].append(response.status)
                break
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    latencies = sorted(state["latencies"])
    if state["errors"] or not latencies:
        print(f"receive_load: failed requests: {state['errors'][:10]}", file=sys.stderr)
        return 1

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(json.dumps({
        "spans": count * args.batch, "requests": count, "seconds": seconds,
        "spans_per_s": count * args.batch / seconds, "p50_ms": percentile(0.50), "p99_ms": percentile(0.99),
        "retries": state["retries"],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
