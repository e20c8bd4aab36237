#!/usr/bin/env python3
"""Deterministic JSON Lines application logs for the traces of tracemodel.py.

One JSON object per line: {"time": RFC 3339 UTC with microseconds, "level", "msg",
"service", "host", <trace/span IDs>, <a few context fields>}. The logs belong to the spans
of the same traces gen_otlp.py writes for the same --seed (and --defect-rate): lines lie
inside their span's [start, end]. About 70% of lines carry a trace ID:

  trace_id / span_id        most services (hex)
  traceId / spanId          cart
  trace.id / span.id        shipping
  otelTraceID / otelSpanID  recommendation (Python logging instrumentation)
  dd.trace_id / dd.span_id  fraud-check: decimal strings of the IDs' low 64 bits

The rest have none: ~15% are written inside a span of their service without its IDs
(log_unlinked candidates), ~15% are background lines (health checks, pool stats, GC), and
~1% of the ID-carrying lines name a trace that does not exist (log_dangling).
Lines are time-ordered within a trace group, not globally. Writes FILE.truth.json.

    gen_logs.py --lines 5000000 --seed 1 --out /tmp/app.log.jsonl
    gen_logs.py --traces-from /tmp/t.jsonl.truth.json --lines 1000000 --out /tmp/app.jsonl
      (logs for exactly the traces of that gen_otlp.py file: same seed/defect rate/groups)
"""

import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tracemodel import TraceGen, parse_size, MS  # noqa: E402
from tracemodel import INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER  # noqa: E402

SPELLINGS = {
    "cart": ("traceId", "spanId", False),
    "shipping": ("trace.id", "span.id", False),
    "recommendation": ("otelTraceID", "otelSpanID", False),
    "fraud-check": ("dd.trace_id", "dd.span_id", True),
}
DEFAULT_SPELLING = ("trace_id", "span_id", False)
KIND_WEIGHT = {SERVER: 1.6, CONSUMER: 1.6, INTERNAL: 1.0, CLIENT: 0.6, PRODUCER: 0.6}
BACKGROUND = [
    ("health check ok", "debug", ""),
    ("connection pool stats", "debug", ',"pool.active":%d,"pool.idle":%d'),
    ("GC pause", "info", ',"gc.pause_ms":%d.%d'),
    ("config reloaded", "info", ""),
    ("slow consumer lag", "warn", ',"lag":%d,"partition":%d'),
    ("cache eviction", "debug", ',"evicted":%d,"size":%d'),
]


class TimeFmt:
    """RFC 3339 UTC with microseconds, caching the seconds part."""

    def __init__(self):
        self.sec = None
        self.prefix = ""

    def __call__(self, ns):
        s, rem = divmod(ns, 1_000_000_000)
        if s != self.sec:
            self.sec = s
            self.prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
        return "%s.%06dZ" % (self.prefix, rem // 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=None, help="target line count (default 5,000,000)")
    ap.add_argument("--size", default=None, help="target bytes instead of --lines (20M, 1G)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defect-rate", type=float, default=1.0)
    ap.add_argument("--traces-from", metavar="TRUTH_JSON",
                    help="a gen_otlp.py FILE.truth.json: use its seed/defect rate and cover exactly its "
                         "trace groups, spreading --lines over them")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    max_lines = args.lines if args.lines is not None else (None if args.size else 5_000_000)
    max_bytes = parse_size(args.size) if args.size else None
    seed, rate, groups = args.seed, args.defect_rate, None
    per_span = 3.0
    if args.traces_from:
        ot = json.load(open(args.traces_from))
        seed, rate, groups = ot["seed"], ot["defect_rate"], ot["trace_groups"]
        target = max_lines if max_lines is not None else 5_000_000
        per_span = target / (ot["spans"] * 1.12)  # 1.12: measured lines per span per unit
        max_lines = max_bytes = None
    t0 = time.time()
    gen = TraceGen(seed, rate)
    rng = random.Random(seed * 31337 + 5)
    r = rng.random
    fmt = TimeFmt()
    counts = {"lines": 0, "with_trace_id": 0, "without_trace_id": 0, "unlinked_inside_span": 0,
              "background": 0, "dangling_trace_id": 0, "linked_to_span": 0, "by_key": {}}
    by_key = counts["by_key"]
    written = 0
    nlines = 0
    with open(args.out, "w", encoding="ascii", newline="\n", buffering=1 << 22) as f:
        g = 0
        while True:
            if groups is not None and g >= groups:
                break
            if max_lines is not None and nlines >= max_lines:
                break
            if max_bytes is not None and written >= max_bytes:
                break
            g += 1
            recs = []
            for sp in gen.group():
                svc = sp.svc
                k = int(per_span * KIND_WEIGHT[sp.kind] + r())
                if k == 0:
                    continue
                tkey, skey, dd = SPELLINGS.get(svc.name, DEFAULT_SPELLING)
                if dd:
                    tid = '"%d"' % int(sp.trace[16:], 16)
                    sid = '"%d"' % int(sp.sid, 16)
                else:
                    tid = '"%s"' % sp.trace
                    sid = '"%s"' % sp.sid
                host = sp.inst.host
                d = sp.end - sp.start
                for i in range(k):
                    # the message
                    if sp.status == 2 and i == k - 1:
                        level, msg, extra = "error", sp.msg, ',"error.kind":"%s"' % (
                            "timeout" if "deadline" in sp.msg or "timeout" in sp.msg else "internal")
                        t = sp.end - int(d * 0.01 * r())
                    elif sp.kind == SERVER:
                        if i == 0:
                            level, msg, extra = "info", "request started", ',"route":"%s"' % sp.name
                            t = sp.start + int(d * 0.02 * r())
                        elif i == k - 1:
                            level, msg, extra = "info", "request completed", ',"duration_ms":%.1f' % (d / MS)
                            t = sp.end - int(d * 0.02 * r())
                        else:
                            level, msg, extra = "debug", "handler step", ',"step":%d' % i
                            t = sp.start + int(d * r())
                    elif sp.kind == CONSUMER:
                        level, msg, extra = "info", ("processing message" if i == 0 else "message processed"), \
                            ',"topic":"orders.created"'
                        t = sp.start + int(d * r())
                    elif sp.scope == "db":
                        level, msg, extra = "debug", "query executed", ',"db.operation":"%s"' % sp.name
                        t = sp.end - int(d * 0.05 * r())
                    elif sp.scope == "redis":
                        hit = r() < 0.7
                        level, msg, extra = "debug", ("cache hit" if hit else "cache miss"), ',"cache":"redis"'
                        t = sp.end - int(d * 0.05 * r())
                    elif sp.kind == CLIENT or sp.kind == PRODUCER:
                        level, msg, extra = "debug", "calling downstream", ',"peer":"%s"' % (
                            sp.peer.name if sp.peer is not None else sp.name)
                        t = sp.start + int(d * 0.05 * r())
                    else:
                        x = r()
                        level = "warn" if x < 0.04 else "info"
                        msg = "%s slow" % sp.name if x < 0.04 else "%s done" % sp.name
                        extra = ',"elapsed_ms":%.1f' % (d / MS)
                        t = sp.start + int(d * r())
                    if t < sp.start:
                        t = sp.start
                    if t > sp.end:
                        t = sp.end
                    x = r()
                    if x < 0.18:
                        ids = ""
                        counts["unlinked_inside_span"] += 1
                    elif x < 0.188:
                        ids = ',"%s":"%032x","%s":"%016x"' % (tkey, rng.getrandbits(128), skey, rng.getrandbits(64)) \
                            if not dd else ',"%s":"%d","%s":"%d"' % (tkey, rng.getrandbits(64), skey,
                                                                     rng.getrandbits(64))
                        counts["dangling_trace_id"] += 1
                        by_key[tkey] = by_key.get(tkey, 0) + 1
                    else:
                        ids = ',"%s":%s,"%s":%s' % (tkey, tid, skey, sid)
                        counts["linked_to_span"] += 1
                        by_key[tkey] = by_key.get(tkey, 0) + 1
                    recs.append((t, '{"time":"%s","level":"%s","msg":"%s","service":"%s","host":"%s"%s%s}\n'
                                 % (fmt(t), level, msg, svc.name, host, ids, extra)))
                    if r() < 0.176:
                        bm, bl, bx = BACKGROUND[int(r() * len(BACKGROUND))]
                        if bx:
                            bx = bx % (int(r() * 50), int(r() * 50))
                        bt = sp.start + int((r() - 0.3) * 50 * MS)
                        recs.append((bt, '{"time":"%s","level":"%s","msg":"%s","service":"%s","host":"%s"%s}\n'
                                     % (fmt(bt), bl, bm, svc.name, host, bx)))
                        counts["background"] += 1
            recs.sort(key=lambda x: x[0])
            s = "".join(x[1] for x in recs)
            f.write(s)
            written += len(s)
            nlines += len(recs)
    dt = time.time() - t0
    counts["lines"] = nlines
    counts["with_trace_id"] = counts["linked_to_span"] + counts["dangling_trace_id"]
    counts["without_trace_id"] = counts["unlinked_inside_span"] + counts["background"]
    truth = {"generator": "gen_logs.py", "format": "jsonl-logs", "seed": seed, "defect_rate": rate,
             "bytes": written, "trace_groups": g, "spans_covered": gen.truth.spans,
             "traces_covered": gen.truth.traces}
    truth.update(counts)
    with open(args.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    if not args.quiet:
        print("gen_logs: %s: %d bytes, %d lines in %.1f s (%.1f MB/s, %d lines/s)"
              % (args.out, written, nlines, dt, written / dt / 1e6, nlines / dt), file=sys.stderr)


if __name__ == "__main__":
    main()
