#!/usr/bin/env python3
"""Deterministic Jaeger UI/API v1 JSON trace dump: one document
{"data":[{traceID, spans:[...], processes:{p1:{serviceName, tags}}, warnings:null}, ...],
 "total":0, "limit":0, "offset":0, "errors":null}
with one trace object per line inside "data" (the whole file is still a single JSON value).

Same traces and planted defects as gen_otlp.py for the same seed (tracemodel.py). Spans:
traceID/spanID hex (32/16), references [{refType:"CHILD_OF", traceID, spanID}] (roots: []),
startTime/duration in microseconds, tags [{key, type: string|int64|float64|bool, value}]
(span.kind, otel.scope.*, error/otel.status_* on errors, array attributes as JSON strings),
logs [{timestamp, fields}] from span events, processID, warnings:null. Span links become
FOLLOWS_FROM references to a span of another trace (Kafka consumer -> producer); a span's
parent is its CHILD_OF reference. Writes FILE.truth.json too.

    gen_jaeger.py --size 100M --seed 1 --out /tmp/jaeger.json
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tracemodel import TraceGen, parse_size, recount_timing, LANG_SDK  # noqa: E402

KIND_TAG = [None, "internal", "server", "client", "producer", "consumer"]
TYPES = {"s": "string", "e": "string", "i": "int64", "d": "float64", "b": "bool", "a": "string"}


def tags(attrs):
    out = []
    for k, t, v in attrs:
        if t == "a":
            v = json.dumps(list(v), separators=(",", ":"))
        out.append({"key": k, "type": TYPES[t], "value": v})
    return out


def process(inst):
    svc = inst.svc
    return {"serviceName": svc.name, "tags": [
        {"key": "hostname", "type": "string", "value": inst.host},
        {"key": "ip", "type": "string", "value": inst.ip},
        {"key": "service.instance.id", "type": "string", "value": inst.instance_id},
        {"key": "service.version", "type": "string", "value": svc.version},
        {"key": "process.pid", "type": "int64", "value": inst.pid},
        {"key": "telemetry.sdk.language", "type": "string", "value": svc.lang},
        {"key": "telemetry.sdk.name", "type": "string", "value": "opentelemetry"},
        {"key": "telemetry.sdk.version", "type": "string", "value": LANG_SDK[svc.lang]},
    ]}


def span_obj(gen, sp, pid):
    refs = []
    if sp.parent is not None:
        refs.append({"refType": "CHILD_OF", "traceID": sp.trace, "spanID": sp.parent})
    if sp.links:
        for tr, sid, _ in sp.links:
            refs.append({"refType": "FOLLOWS_FROM", "traceID": tr, "spanID": sid})
    tg = tags(gen.all_attrs(sp))
    if sp.kind != 1:
        tg.append({"key": "span.kind", "type": "string", "value": KIND_TAG[sp.kind]})
    scope = sp.svc.scopes.get(sp.scope, "shop.%s" % sp.svc.name)
    tg.append({"key": "otel.scope.name", "type": "string", "value": scope})
    if sp.status == 2:
        tg.append({"key": "error", "type": "bool", "value": True})
        tg.append({"key": "otel.status_code", "type": "string", "value": "ERROR"})
        tg.append({"key": "otel.status_description", "type": "string", "value": sp.msg})
    logs = []
    if sp.events:
        for ts, name, attrs in sp.events:
            logs.append({"timestamp": ts // 1000,
                         "fields": [{"key": "event", "type": "string", "value": name}] + tags(attrs)})
    s_us = sp.start // 1000
    return {"traceID": sp.trace, "spanID": sp.sid, "flags": 1, "operationName": sp.name,
            "references": refs, "startTime": s_us, "duration": sp.end // 1000 - s_us,
            "tags": tg, "logs": logs, "processID": pid, "warnings": None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", required=True, help="target bytes (20M, 1G, 1GiB)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--defect-rate", type=float, default=1.0)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    size = parse_size(args.size)
    t0 = time.time()
    gen = TraceGen(args.seed, args.defect_rate)
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    written = 0
    ntraces = 0
    us = lambda s: s.start // 1000  # noqa: E731
    ue = lambda s: s.end // 1000  # noqa: E731
    with open(args.out, "w", encoding="ascii", newline="\n", buffering=1 << 22) as f:
        head = '{"data":[\n'
        f.write(head)
        written += len(head)
        first = True
        while written < size:
            group = gen.group()
            recount_timing(gen.truth, group, us, ue)
            by_trace = {}
            for sp in group:
                by_trace.setdefault(sp.trace, []).append(sp)
            for trace, spans in by_trace.items():
                pids = {}
                procs = {}
                objs = []
                for sp in spans:
                    pid = pids.get(sp.inst.idx)
                    if pid is None:
                        pid = pids[sp.inst.idx] = "p%d" % (len(pids) + 1)
                        procs[pid] = process(sp.inst)
                    objs.append(span_obj(gen, sp, pid))
                s = dumps({"traceID": trace, "spans": objs, "processes": procs, "warnings": None})
                if not first:
                    s = ",\n" + s
                first = False
                f.write(s)
                written += len(s)
                ntraces += 1
        tail = '\n],"total":0,"limit":0,"offset":0,"errors":null}\n'
        f.write(tail)
        written += len(tail)
    dt = time.time() - t0
    truth = {"generator": "gen_jaeger.py", "format": "jaeger-api-v1-json", "seed": args.seed,
             "size_requested": size, "defect_rate": args.defect_rate, "bytes": written,
             "trace_objects": ntraces}
    truth.update(gen.truth.as_dict())
    with open(args.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    if not args.quiet:
        print("gen_jaeger: %s: %d bytes, %d spans, %d traces in %.1f s (%.1f MB/s)"
              % (args.out, written, truth["spans"], truth["traces"], dt, written / dt / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
