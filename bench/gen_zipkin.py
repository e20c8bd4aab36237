#!/usr/bin/env python3
"""Deterministic Zipkin v2 JSON trace dump: one JSON array of spans, one span per line.

Same traces and planted defects as gen_otlp.py for the same seed (tracemodel.py), written
as Zipkin v2 spans: traceId (32 hex; 16 hex -- the low 64 bits -- for traces whose ID
starts with 0-4, ~31%), id, parentId (absent on roots), name (lowercase), kind
(CLIENT/SERVER/PRODUCER/CONSUMER; absent for local spans), timestamp/duration in
microseconds, localEndpoint {serviceName, ipv4, port}, remoteEndpoint, tags (all strings;
error spans carry an "error" tag), annotations [{timestamp, value}] from span events.

Shared spans: a SERVER span of a java/go callee joins its caller's span (B3 style): it
reuses the CLIENT span's id and parentId and has "shared": true; its children name that id
as parent. Such pairs are normal, not duplicate_span_id defects. ~0.3% of leaf spans lack
"duration" and ~0.05% lack "timestamp" too (both optional in Zipkin v2).
Span links have no Zipkin form and are dropped. Writes FILE.truth.json (with zipkin
counts: shared_server_spans, spans_64bit_trace_id, spans_without_duration/timestamp).

    gen_zipkin.py --size 100M --seed 1 --out /tmp/zipkin.json
"""

import argparse
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tracemodel import TraceGen, parse_size, recount_timing, SERVER, CLIENT  # noqa: E402

KIND = [None, None, "SERVER", "CLIENT", "PRODUCER", "CONSUMER"]
JOINS = ("java", "go")
DB_PORTS = {"postgresql": 5432, "mysql": 3306, "mongodb": 27017, "redis": 6379}


def tag_value(t, v):
    if t == "b":
        return "true" if v else "false"
    if t == "a":
        return ",".join(v)
    return str(v)


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
    rng = random.Random(args.seed * 104729 + 3)
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    written = 0
    shared = ids64 = nodur = nots = 0

    def us_start(s):
        return s.start // 1000

    def us_end(s):
        return max(s.end // 1000, s.start // 1000 + 1)

    tag_cache = {}
    local_ep = {}
    with open(args.out, "w", encoding="ascii", newline="\n", buffering=1 << 22) as f:
        f.write("[\n")
        written += 2
        first = True
        while written < size:
            group = gen.group()
            recount_timing(gen.truth, group, us_start, us_end)
            # ids as written: joined SERVER spans take their CLIENT parent's id
            eff = {}
            joined = set()
            for sp in group:
                q = sp.pref
                if (sp.kind == SERVER and q is not None and q.kind == CLIENT and sp.parent == q.sid
                        and sp.svc.lang in JOINS):
                    eff[sp.sid] = q.sid
                    joined.add(sp.sid)
            parts = []
            for sp in group:
                trace = sp.trace if sp.trace[0] not in "01234" else sp.trace[16:]
                if len(trace) == 16:
                    ids64 += 1
                if sp.sid in joined:
                    pid = sp.pref.parent
                    sid = sp.pref.sid
                else:
                    pid = sp.parent
                    sid = sp.sid
                if pid is not None:
                    pid = eff.get(pid, pid)
                out = ['{"traceId":"', trace, '"']
                if pid is not None:
                    out.append(',"parentId":"%s"' % pid)
                out.append(',"id":"%s"' % sid)
                k = KIND[sp.kind]
                if k:
                    out.append(',"kind":"%s"' % k)
                out.append(',"name":"%s"' % sp.name.lower())
                x = rng.random() if not sp.children else 1.0
                if x >= 0.0005:
                    out.append(',"timestamp":%d' % us_start(sp))
                else:
                    nots += 1
                if x >= 0.003:
                    out.append(',"duration":%d' % (us_end(sp) - us_start(sp)))
                else:
                    nodur += 1
                inst = sp.inst
                le = local_ep.get(inst.idx)
                if le is None:
                    le = local_ep[inst.idx] = ',"localEndpoint":%s' % dumps(
                        {"serviceName": sp.svc.name, "ipv4": inst.ip, "port": sp.svc.port})
                out.append(le)
                attrs = gen.all_attrs(sp)
                if sp.peer is not None:
                    out.append(',"remoteEndpoint":{"serviceName":"%s","port":%d}' % (sp.peer.name, sp.peer.port))
                elif sp.scope == "db" or sp.scope == "redis":
                    out.append(',"remoteEndpoint":{"serviceName":"%s","port":%d}'
                               % (attrs[0][2], DB_PORTS[attrs[0][2]]))
                elif sp.kind == SERVER:
                    out.append(',"remoteEndpoint":{"ipv4":"10.42.%d.%d"}'
                               % (int(sp.sid[:2], 16) % 16, 2 + int(sp.sid[2:4], 16) % 250))
                if sp.events:
                    out.append(',"annotations":[%s]' % ",".join(
                        '{"timestamp":%d,"value":"%s"}' % (ts // 1000, name) for ts, name, _ in sp.events))
                tags = []
                for a in attrs:
                    ts_ = tag_cache.get(a)
                    if ts_ is None:
                        ts_ = '"%s":%s' % (a[0], dumps(tag_value(a[1], a[2])))
                        if len(tag_cache) < 300_000:
                            tag_cache[a] = ts_
                    tags.append(ts_)
                if sp.status == 2:
                    tags.append('"error":"%s"' % sp.msg)
                out.append(',"tags":{%s}' % ",".join(tags))
                if sp.sid in joined:
                    out.append(',"shared":true}')
                    shared += 1
                else:
                    out.append("}")
                parts.append("".join(out))
            s = ",\n".join(parts)
            if not first:
                s = ",\n" + s
            first = False
            f.write(s)
            written += len(s)
        f.write("\n]\n")
        written += 3
    dt = time.time() - t0
    truth = {"generator": "gen_zipkin.py", "format": "zipkin-v2-json", "seed": args.seed,
             "size_requested": size, "defect_rate": args.defect_rate, "bytes": written,
             "shared_server_spans": shared, "spans_64bit_trace_id": ids64,
             "spans_without_duration": nodur, "spans_without_timestamp": nots}
    truth.update(gen.truth.as_dict())
    truth["links_dropped"] = truth["links"]
    truth["links"] = 0
    with open(args.out + ".truth.json", "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    if not args.quiet:
        print("gen_zipkin: %s: %d bytes, %d spans, %d traces in %.1f s (%.1f MB/s)"
              % (args.out, written, truth["spans"], truth["traces"], dt, written / dt / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
