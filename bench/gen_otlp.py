#!/usr/bin/env python3
"""Deterministic OTLP/JSON trace dump, shaped like the OpenTelemetry Collector file exporter.

JSON Lines: one ExportTraceServiceRequest `{"resourceSpans":[...]}` per line, each line a
batch of ~50-200 spans of one service instance (resource), grouped in scopeSpans by
instrumentation scope. IDs are lowercase hex, times decimal strings, `kind` a number except
in ~10% of batches, which use enum names (`"SPAN_KIND_SERVER"`, `"STATUS_CODE_ERROR"`).
With --single-document, one `{"resourceSpans":[...]}` value (a single line) holds everything.

Writes FILE and FILE.truth.json (span/trace counts and planted defects, see tracemodel.py).
Same --seed/--size/--defect-rate give byte-identical output.

    gen_otlp.py --size 100M --seed 1 --out /tmp/t.jsonl
"""

import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tracemodel  # noqa: E402
from tracemodel import TraceGen, parse_size  # noqa: E402

KIND_ENUM = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
             "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
KIND_NUM = [str(i) for i in range(6)]
KIND_STR = ['"%s"' % k for k in KIND_ENUM]
SCHEMA_URL = "https://opentelemetry.io/schemas/1.26.0"


def render_kv(k, t, v):
    if t == "s":
        return '{"key":"%s","value":{"stringValue":"%s"}}' % (k, v)
    if t == "i":
        return '{"key":"%s","value":{"intValue":"%d"}}' % (k, v)
    if t == "e":
        return '{"key":"%s","value":{"stringValue":%s}}' % (k, json.dumps(v))
    if t == "d":
        return '{"key":"%s","value":{"doubleValue":%r}}' % (k, v)
    if t == "b":
        return '{"key":"%s","value":{"boolValue":%s}}' % (k, "true" if v else "false")
    return ('{"key":"%s","value":{"arrayValue":{"values":[%s]}}}'
            % (k, ",".join('{"stringValue":"%s"}' % x for x in v)))


_KV_CACHE = {}


def render_kvs(attrs):
    """OTLP KeyValue list body; renders of repeated (key, type, value) tuples are cached."""
    cache = _KV_CACHE
    out = []
    for a in attrs:
        s = cache.get(a)
        if s is None:
            s = render_kv(*a)
            if len(cache) < 300_000:
                cache[a] = s
        out.append(s)
    return ",".join(out)


class Batch:
    __slots__ = ("scopes", "count", "nbytes", "target", "enum")

    def __init__(self, rng):
        self.scopes = {}
        self.count = 0
        self.nbytes = 0
        self.target = 50 + int(rng.random() * 151)
        self.enum = rng.random() < 0.10


class OTLPWriter:
    def __init__(self, gen, seed, f, single):
        self.gen = gen
        self.rng = random.Random(seed * 7919 + 17)  # renderer's own RNG, independent of the model
        self.f = f
        self.single = single
        self.written = 0
        self.buffered = 0
        self.lines = 0
        self.resource_spans = 0
        self.first = True
        self.extra_cache = {}
        self.res_prefix = {}
        self.scope_prefix = {}
        self.batches = {}
        for inst in gen.instances:
            self.res_prefix[inst.idx] = '{"resource":{"attributes":[%s]},"scopeSpans":[' % render_kvs(inst.attrs)
        if single:
            self.emit('{"resourceSpans":[')

    def emit(self, s):
        self.f.write(s)
        self.written += len(s)

    def scope_json(self, svc, cat):
        key = (svc.idx, cat)
        p = self.scope_prefix.get(key)
        if p is None:
            if cat == "manual":
                name, ver = "shop.%s" % svc.name, svc.version
            else:
                name, ver = svc.scopes[cat], tracemodel.LANG_SDK[svc.lang]
            p = '{"scope":{"name":"%s","version":"%s"},"spans":[' % (name, ver)
            self.scope_prefix[key] = p
        return p

    def span_json(self, sp, enum):
        if sp.xn:
            key = sp.xi * 16 + sp.xn
            extra = self.extra_cache.get(key)
            if extra is None:
                extra = "," + render_kvs(self.gen.extra_pool[sp.xi][:sp.xn])
                self.extra_cache[key] = extra
            attrs = render_kvs(sp.attrs) + extra
        else:
            attrs = render_kvs(sp.attrs)
        if sp.parent is not None:
            parent = ',"parentSpanId":"%s"' % sp.parent
        elif self.rng.random() < 0.05:
            parent = ',"parentSpanId":""'
        else:
            parent = ""
        tail = ""
        if sp.events:
            tail = ',"events":[%s]' % ",".join(
                '{"timeUnixNano":"%d","name":"%s","attributes":[%s]}' % (e[0], e[1], render_kvs(e[2]))
                for e in sp.events)
        if sp.links:
            tail += ',"links":[%s]' % ",".join(
                '{"traceId":"%s","spanId":"%s","attributes":[%s],"flags":256}' % (tr, sid, render_kvs(a))
                for tr, sid, a in sp.links)
        if sp.status == 2:
            status = ('{"code":"STATUS_CODE_ERROR","message":"%s"}' if enum else '{"code":2,"message":"%s"}') % sp.msg
        else:
            status = "{}"
        return ('{"traceId":"%s","spanId":"%s"%s,"flags":%d,"name":"%s","kind":%s,'
                '"startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[%s]%s,"status":%s}'
                % (sp.trace, sp.sid, parent, sp.flags, sp.name, (KIND_STR if enum else KIND_NUM)[sp.kind],
                   sp.start, sp.end, attrs, tail, status))

    def add(self, spans):
        batches = self.batches
        for sp in spans:
            idx = sp.inst.idx
            b = batches.get(idx)
            if b is None:
                b = batches[idx] = Batch(self.rng)
            s = self.span_json(sp, b.enum)
            lst = b.scopes.get(sp.scope)
            if lst is None:
                lst = b.scopes[sp.scope] = [self.scope_json(sp.svc, sp.scope)]
            lst.append(s)
            n = len(s) + 1
            b.nbytes += n
            self.buffered += n
            b.count += 1
            if b.count >= b.target:
                self.flush(idx)

    def flush(self, idx):
        b = self.batches.pop(idx)
        self.buffered -= b.nbytes
        body = ",".join(lst[0] + ",".join(lst[1:]) + "]}" for lst in b.scopes.values())
        rs = "%s%s],\"schemaUrl\":\"%s\"}" % (self.res_prefix[idx], body, SCHEMA_URL)
        self.resource_spans += 1
        if self.single:
            if self.first:
                self.emit(rs)
                self.first = False
            else:
                self.emit("," + rs)
        else:
            self.emit('{"resourceSpans":[%s]}\n' % rs)
            self.lines += 1

    def close(self):
        for idx in sorted(self.batches):
            self.flush(idx)
        if self.single:
            self.emit("]}\n")
            self.lines = 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", required=True, help="target bytes (e.g. 20M, 1G, 1GiB); the file ends "
                    "after the trace group that reaches it, so it is slightly larger")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--single-document", action="store_true",
                    help="write one {\"resourceSpans\":[...]} JSON value instead of JSON Lines")
    ap.add_argument("--defect-rate", type=float, default=1.0,
                    help="multiplier on the planted-defect probabilities (0 = clean data)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    size = parse_size(args.size)
    t0 = time.time()
    gen = TraceGen(args.seed, args.defect_rate)
    with open(args.out, "w", encoding="ascii", newline="\n", buffering=1 << 22) as f:
        w = OTLPWriter(gen, args.seed, f, args.single_document)
        group = gen.group
        add = w.add
        while w.written + w.buffered < size:
            add(group())
        w.close()
    dt = time.time() - t0
    truth = {
        "generator": "gen_otlp.py",
        "format": "otlp-json-single-document" if args.single_document else "otlp-jsonl",
        "seed": args.seed,
        "size_requested": size,
        "defect_rate": args.defect_rate,
        "bytes": w.written,
        "lines": w.lines,
        "resource_spans": w.resource_spans,
        "resources": len(gen.instances),
        "services": len(gen.services),
    }
    truth.update(gen.truth.as_dict())
    with open(args.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1, sort_keys=False)
        f.write("\n")
    if not args.quiet:
        print("gen_otlp: %s: %d bytes, %d spans, %d traces, %d lines in %.1f s (%.1f MB/s, %d spans/s)"
              % (args.out, w.written, truth["spans"], truth["traces"], w.lines, dt, w.written / dt / 1e6,
                 truth["spans"] / dt), file=sys.stderr)


if __name__ == "__main__":
    main()
