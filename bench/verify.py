#!/usr/bin/env python3
"""Independent check of a generated file against its FILE.truth.json: parse it with
Python's json (no code shared with the generators) and recompute the counts.

    verify.py FILE [--otlp OTLP_FILE]    exit 0 when every count matches, 1 otherwise
    verify.py FILE --orphans ORPHANS_JSON  also score `tracedoctor orphans --format json`


The format comes from the truth file (gen_otlp / gen_jaeger / gen_zipkin / gen_logs).
Spans: valid JSON of the expected shape, hex IDs of the right length; spans, traces, root
spans, spans whose parent is missing (= missing_parent_spans + remote_parent_missing),
child_before_parent / child_after_parent over resolved parents (Zipkin: children of a
shared server span resolve to that server span, as span-cleaners do); OTLP also events,
links, error spans, lines, resourceSpans. Logs: line counts per key spelling and without
IDs; with --otlp (the gen_otlp.py file the logs were made for, via --traces-from) also
linked vs dangling lines. Keeps all IDs in memory: use on files up to a few hundred MB.
"""

import json
import re
import sys

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
KINDS = {"SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER",
         "SPAN_KIND_CONSUMER", 1, 2, 3, 4, 5}
ANY_VALUE_KEYS = {"stringValue", "intValue", "doubleValue", "boolValue", "arrayValue"}


def json_lines(path):
    """JSON Lines; a --single-document file is one (long) line, so the same loop reads it."""
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def tree_counts(spans, parent_of):
    """spans: {(trace, id): (start, end)}; parent_of: [(trace, id, parent_key_or_None)]."""
    roots = missing = before = after = 0
    for t, s, p in parent_of:
        if p is None:
            roots += 1
            continue
        ps = spans.get(p)
        if ps is None:
            missing += 1
            continue
        cs = spans[(t, s)]
        if cs[0] is not None and ps[0] is not None:
            if cs[0] < ps[0]:
                before += 1
            if cs[1] is not None and ps[1] is not None and cs[1] > ps[1]:
                after += 1
    return roots, missing, before, after


def check_otlp(path, truth):
    spans, parent_of, traces = {}, [], set()
    events = links = errors = bad = lines = rs_count = 0
    for doc in json_lines(path):
        lines += 1
        for rs in doc["resourceSpans"]:
            rs_count += 1
            attrs = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
            if "stringValue" not in attrs.get("service.name", {}):
                bad += 1
            for ss in rs["scopeSpans"]:
                if "name" not in ss["scope"]:
                    bad += 1
                for sp in ss["spans"]:
                    t, s = sp["traceId"], sp["spanId"]
                    if not HEX32.match(t) or not HEX16.match(s) or sp["kind"] not in KINDS:
                        bad += 1
                    start, end = int(sp["startTimeUnixNano"]), int(sp["endTimeUnixNano"])
                    if end < start:
                        bad += 1
                    for a in sp["attributes"]:
                        if set(a["value"]) - ANY_VALUE_KEYS:
                            bad += 1
                    traces.add(t)
                    spans[(t, s)] = (start, end)
                    p = sp.get("parentSpanId") or None
                    if p is not None and not HEX16.match(p):
                        bad += 1
                    parent_of.append((t, s, (t, p) if p else None))
                    events += len(sp.get("events", ()))
                    links += len(sp.get("links", ()))
                    if sp["status"].get("code", 0) in (2, "STATUS_CODE_ERROR"):
                        errors += 1
    roots, missing, before, after = tree_counts(spans, parent_of)
    return {
        "spans": (len(spans), truth["spans"]), "traces": (len(traces), truth["traces"]),
        "root_spans": (roots, truth["root_spans"]), "events": (events, truth["events"]),
        "links": (links, truth["links"]), "error_spans": (errors, truth["error_spans"]),
        "resource_spans": (rs_count, truth["resource_spans"]), "lines": (lines, truth["lines"]),
    }, (missing, before, after), bad


def check_jaeger(path, truth):
    doc = json.load(open(path))
    spans, parent_of, traces = {}, [], set()
    bad = 0
    for tr in doc["data"]:
        for sp in tr["spans"]:
            t, s = sp["traceID"], sp["spanID"]
            if t != tr["traceID"] or sp["processID"] not in tr["processes"] or not HEX16.match(s):
                bad += 1
            traces.add(t)
            spans[(t, s)] = (sp["startTime"], sp["startTime"] + sp["duration"])
            p = next((r["spanID"] for r in sp["references"] if r["refType"] == "CHILD_OF"
                      and r["traceID"] == t), None)
            parent_of.append((t, s, (t, p) if p else None))
    roots, missing, before, after = tree_counts(spans, parent_of)
    return {"spans": (len(spans), truth["spans"]), "traces": (len(traces), truth["traces"]),
            "trace_objects": (len(doc["data"]), truth["trace_objects"]),
            "root_spans": (roots, truth["root_spans"])}, (missing, before, after), bad


def check_zipkin(path, truth):
    doc = json.load(open(path))
    times, traces = {}, set()
    bad = shared = nodur = nots = 0
    for sp in doc:
        t, s = sp["traceId"], sp["id"]
        if not (HEX32.match(t) or HEX16.match(t)) or not HEX16.match(s):
            bad += 1
        traces.add(t)
        ts, dur = sp.get("timestamp"), sp.get("duration")
        nots += ts is None
        nodur += dur is None
        shared += bool(sp.get("shared"))
        key = (t, s, "server") if sp.get("shared") else (t, s)
        times[key] = (ts, ts + dur if ts is not None and dur is not None else None)
    roots = missing = before = after = 0
    for sp in doc:
        t, s = sp["traceId"], sp["id"]
        if sp.get("shared"):
            me, p = (t, s, "server"), (t, s)  # a shared server span's parent is its client
        else:
            me = (t, s)
            pid = sp.get("parentId")
            if pid is None:
                roots += 1
                continue
            # children of a shared server span attach to the server side (span-cleaner style)
            p = (t, pid, "server") if (t, pid, "server") in times else (t, pid)
        ps = times.get(p)
        if ps is None:
            missing += 1
            continue
        cs = times[me]
        if cs[0] is not None and ps[0] is not None:
            before += cs[0] < ps[0]
            if cs[1] is not None and ps[1] is not None:
                after += cs[1] > ps[1]
    return {"spans": (len(doc), truth["spans"]), "traces": (len(traces), truth["traces"]),
            "root_spans": (roots, truth["root_spans"]),
            "shared_server_spans": (shared, truth["shared_server_spans"]),
            "spans_without_duration": (nodur, truth["spans_without_duration"]),
            "spans_without_timestamp": (nots, truth["spans_without_timestamp"])}, \
        (missing, before, after), bad


KEYS = [("trace_id", "span_id"), ("traceId", "spanId"), ("trace.id", "span.id"),
        ("otelTraceID", "otelSpanID"), ("dd.trace_id", "dd.span_id")]


def check_logs(path, truth, otlp):
    known_spans = None
    if otlp:
        known_spans = set()
        low = {}
        for doc in json_lines(otlp):
            for rs in doc["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    for sp in ss["spans"]:
                        known_spans.add((sp["traceId"], sp["spanId"]))
                        low[sp["traceId"][16:]] = sp["traceId"]
    by_key, without, linked, dangling, n = {}, 0, 0, 0, 0
    bad = 0
    for rec in json_lines(path):
        n += 1
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", rec["time"]) or "msg" not in rec:
            bad += 1
        for tk, sk in KEYS:
            if tk in rec:
                by_key[tk] = by_key.get(tk, 0) + 1
                if known_spans is not None:
                    t, s = rec[tk], rec[sk]
                    if tk == "dd.trace_id":
                        t = low.get("%016x" % int(t), "?")
                        s = "%016x" % int(s)
                    if (t, s) in known_spans:
                        linked += 1
                    else:
                        dangling += 1
                break
        else:
            without += 1
    got = {"lines": (n, truth["lines"]), "without_trace_id": (without, truth["without_trace_id"])}
    for k, v in sorted(truth["by_key"].items()):
        got["key " + k] = (by_key.get(k, 0), v)
    if known_spans is not None:
        got["linked_to_span"] = (linked, truth["linked_to_span"])
        got["dangling_trace_id"] = (dangling, truth["dangling_trace_id"])
    return got, None, bad


def score_messages(truth, orphans_path):
    """Precision of unpropagated_message against the planted queue hand-offs (truth
    `queue_handoffs`): each planted continuation is linked to the right producer, to a wrong
    one, listed only as a candidate of an ambiguous hand-off (`ambiguous_messages`: queue order
    alone could not pair it, so the tool links nothing), or left unlinked. A link is exactly what
    `orphans` reports under `unpropagated_message` (a producer with a continuation), whatever its
    confidence. Findings whose continuation was not planted are counted apart. Also split by the
    finding's evidence (`match`) and, for unlinked ones, by whether the hand-off carried a message
    ID. Returns True when wrong links are rarer than planted continuations left without a link
    (unlinked or ambiguous), or there are none."""
    planted = {(h["consumer_trace_id"], h["consumer_root_span_id"]): h for h in truth.get("queue_handoffs", [])}
    report = json.load(open(orphans_path))
    found = report.get("unpropagated_message", [])
    by_root = {}
    for f in found:
        c = f.get("continuation")
        if c:
            by_root[(c.get("trace_id"), c.get("span_id"))] = f
    in_ambiguous = set()
    for f in report.get("ambiguous_messages", []):
        if f.get("continuation"):
            sys.exit("verify: an ambiguous_messages entry has a continuation")
        for c in f.get("candidates", []):
            in_ambiguous.add((c.get("trace_id"), c.get("span_id")))
    right = wrong = unlinked = ambiguous = 0
    by_match = {}
    unlinked_by = {"with message id": 0, "without message id": 0}
    for key, h in planted.items():
        f = by_root.get(key)
        if f is None:
            if key in in_ambiguous:
                ambiguous += 1
                continue
            unlinked += 1
            unlinked_by["with message id" if h["message_id"] else "without message id"] += 1
            continue
        p = f["producer"]
        ok = p["trace_id"] == h["producer_trace_id"] and p["span_id"] == h["producer_span_id"]
        row = by_match.setdefault(f.get("match"), [0, 0])
        row[0 if ok else 1] += 1
        if ok:
            right += 1
        else:
            wrong += 1
    spurious = sum(1 for k in by_root if k not in planted)
    spurious_ambiguous = sum(1 for k in in_ambiguous if k not in planted)
    print("unpropagated_message: planted=%d linked right=%d wrong=%d, ambiguous (not linked)=%d, unlinked=%d "
          "(links on unplanted roots: %d; unplanted roots in ambiguous sets: %d)"
          % (len(planted), right, wrong, ambiguous, unlinked, spurious, spurious_ambiguous))
    for m, (a, b) in sorted(by_match.items(), key=lambda x: str(x[0])):
        print("  match=%-26s right=%-5d wrong=%d" % (m, a, b))
    for k, n in unlinked_by.items():
        print("  unlinked %-20s %d" % (k, n))
    return wrong < unlinked + ambiguous or wrong == 0


def main():
    args = sys.argv[1:]
    otlp = None
    orphans = None
    if "--orphans" in args:
        i = args.index("--orphans")
        orphans = args[i + 1]
        del args[i:i + 2]
    if "--otlp" in args:
        i = args.index("--otlp")
        otlp = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit("usage: verify.py FILE [--otlp OTLP_FILE] [--orphans ORPHANS_JSON]")
    path = args[0]
    truth = json.load(open(path + ".truth.json"))
    gen = truth["generator"]
    if gen == "gen_otlp.py":
        got, tree, bad = check_otlp(path, truth)
    elif gen == "gen_jaeger.py":
        got, tree, bad = check_jaeger(path, truth)
    elif gen == "gen_zipkin.py":
        got, tree, bad = check_zipkin(path, truth)
    elif gen == "gen_logs.py":
        got, tree, bad = check_logs(path, truth, otlp)
    else:
        sys.exit("unknown generator %r" % gen)
    if tree is not None:
        d = truth["defects"]
        got["missing parent (all)"] = (tree[0], d["missing_parent_spans"] + d["remote_parent_missing"])
        got["child_before_parent"] = (tree[1], d["child_before_parent"])
        got["child_after_parent"] = (tree[2], d["child_after_parent"])
    got["malformed"] = (bad, 0)
    ok = True
    for k, (a, b) in got.items():
        ok &= a == b
        print("%-24s file=%-9d truth=%-9d %s" % (k, a, b, "ok" if a == b else "MISMATCH"))
    if orphans is not None:
        precise = score_messages(truth, orphans)
        print("unpropagated_message precision: %s" % ("ok (wrong links rarer than unlinked ones)" if precise
                                                       else "POOR (wrong links not rarer than unlinked ones)"))
        ok &= precise
    print("%s: %s" % (path, "OK" if ok else "MISMATCH"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
