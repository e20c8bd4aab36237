#!/usr/bin/env python3
"""One huge trace as OTLP/JSON (one document), for `explain` on what no one would read.

Shapes (--shape):
  deep   a chain: every span the parent of the next (recursive instrumentation, a hostile dump)
  wide   a batch job: one root and SPANS-1 children `item 0` … `item 49` repeated, one an error
  mixed  (default) both under one root: half the spans a batch of items (`item 0` … `item 49`,
         each item with a `db query` child), half a chain of `resolve` spans, one item failing
         and one unaccounted gap in the root

    gen_huge_trace.py --spans 100000 --shape mixed --out /tmp/huge.json
"""

import argparse

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
BASE = 1_764_000_000_000_000_000  # 2025-11-24, ns


def span_id(n):
    return "%016x" % (n + 1)


def span(out, n, parent, name, service_index, start, end, error=False):
    out.append(
        '{"traceId":"%s","spanId":"%s",%s"name":"%s","kind":1,"startTimeUnixNano":"%d","endTimeUnixNano":"%d"%s}'
        % (TRACE, span_id(n), '"parentSpanId":"%s",' % span_id(parent) if parent is not None else "", name,
           start, end, ',"status":{"code":2,"message":"item failed"}' if error else ""))


def generate(spans, shape):
    by_service = {0: [], 1: []}
    if shape == "deep":
        for n in range(spans):
            span(by_service[0], n, n - 1 if n else None, "resolve", 0, BASE + n * 1000, BASE + 2 * spans * 1000 - n * 1000)
        return by_service
    if shape == "wide":
        span(by_service[0], 0, None, "batch", 0, BASE, BASE + spans * 10_000 + 1000)
        for n in range(1, spans):
            start = BASE + n * 10_000
            span(by_service[1], n, 0, "item %d" % ((n - 1) % 50), 1, start, start + 8_000, error=(n == spans // 2))
        return by_service
    # mixed: root (0), "process batch" (1) with items and their queries, "resolve" chain under the root.
    items = spans // 4
    chain = spans - 2 - 2 * items
    total = BASE + (2 * items + 2) * 10_000 + 20_000_000
    span(by_service[0], 0, None, "run job", 0, BASE, total)
    span(by_service[0], 1, 0, "process batch", 0, BASE + 1000, BASE + (2 * items + 1) * 10_000)
    n = 2
    for k in range(items):
        start = BASE + (2 * k + 1) * 10_000
        item = n
        span(by_service[1], item, 1, "item %d" % (k % 50), 1, start, start + 8_000, error=(k == items // 2))
        span(by_service[1], item + 1, item, "db query", 1, start + 1000, start + 6000)
        n += 2
    # The chain starts after a 10 ms unaccounted gap in the root.
    chain_start = BASE + (2 * items + 1) * 10_000 + 10_000_000
    for d in range(chain):
        span(by_service[0], n, 0 if d == 0 else n - 1, "resolve", 0, chain_start + d * 10, total - 1000 - d * 10)
        n += 1
    return by_service


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=100_000)
    parser.add_argument("--shape", choices=("deep", "wide", "mixed"), default="mixed")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    by_service = generate(args.spans, args.shape)
    names = {0: "job", 1: "worker"}
    with open(args.out, "w") as f:
        f.write('{"resourceSpans":[')
        first = True
        for s, spans in by_service.items():
            if not spans:
                continue
            f.write(("" if first else ",") + '{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"%s"}},'
                    '{"key":"host.name","value":{"stringValue":"node-1"}}]},"scopeSpans":[{"scope":{"name":"gen"},'
                    '"spans":[' % names[s])
            f.write(",".join(spans))
            f.write("]}]}")
            first = False
        f.write("]}\n")


if __name__ == "__main__":
    main()
