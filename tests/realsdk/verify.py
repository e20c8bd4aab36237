#!/usr/bin/env python3
"""Checks an emit.py output folder against its manifests (files parse, IDs are hex, protobuf round-trips,
the planted defects are really in the data), so a broken generator fails loudly instead of feeding bad
fixtures to tracedoctor's tests.

Usage: verify.py OUTDIR      (run with the realsdk venv; exits 1 listing every failed check)
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from datetime import datetime

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

HEX32, HEX16 = re.compile(r"^[0-9a-f]{32}$"), re.compile(r"^[0-9a-f]{16}$")
SCENARIOS = ("healthy", "broken", "propagated", "unpropagated", "uninjected", "queue", "links", "celery", "celery-instrumented",
             "workflow")
COMMON_FILES = ("traces.otlp.json", "traces.otlp.jsonl", "traces.otlp.b64ids.json", "traces.pb",
                "logs.otlp.json", "logs.pb", "app.log.jsonl", "manifest.json")

failures: list[str] = []


def check(cond: bool, msg: str) -> None:
    if not cond:
        failures.append(msg)


def spans_of(doc: dict) -> list[dict]:
    return [s for rs in doc.get("resourceSpans", []) for ss in rs.get("scopeSpans", []) for s in ss.get("spans", [])]


def logs_of(doc: dict) -> list[dict]:
    return [r for rl in doc.get("resourceLogs", []) for sl in rl.get("scopeLogs", []) for r in sl.get("logRecords", [])]


def check_hex_ids(where: str, items: list[dict]) -> None:
    for it in items:
        for key, rx in (("traceId", HEX32), ("spanId", HEX16), ("parentSpanId", HEX16)):
            if key in it:
                check(bool(rx.match(it[key])), f"{where}: {key}={it[key]!r} is not lowercase hex of the right length")


def verify(outdir: str, name: str) -> None:
    d = os.path.join(outdir, name)
    for f in COMMON_FILES + (("traces.zipkin.json",) if name == "healthy" else ()):
        check(os.path.isfile(os.path.join(d, f)), f"{name}: missing {f}")
    if failures:
        return
    read = lambda f: open(os.path.join(d, f), encoding="utf-8").read()  # noqa: E731
    m = json.loads(read("manifest.json"))
    c = m["counts"]

    doc = json.loads(read("traces.otlp.json"))
    spans = spans_of(doc)
    check_hex_ids(f"{name}/traces.otlp.json", spans)
    check(len(spans) == c["spans"], f"{name}: traces.otlp.json has {len(spans)} spans, manifest {c['spans']}")
    check(len({s['traceId'] for s in spans}) == c["traces"], f"{name}: distinct trace count differs")
    check(all(s["kind"] in (1, 2, 3, 4, 5) for s in spans), f"{name}: kind should be an enum number")
    check(all(isinstance(s["startTimeUnixNano"], str) for s in spans), f"{name}: startTimeUnixNano not a string")
    remote = sum(1 for s in spans if s.get("flags", 0) & 512)
    check(remote == c["spans_with_remote_parent"], f"{name}: {remote} spans with is-remote flag, manifest differs")
    check(all("parentSpanId" in s or s.get("flags") == 256 for s in spans), f"{name}: root flags should be 256")

    lines = [json.loads(line) for line in read("traces.otlp.jsonl").splitlines()]
    check(len(lines) == sum(1 for s in m["services"] if s["spans"]), f"{name}: jsonl should have one line per service")
    jl_spans = [s for line in lines for s in spans_of(line)]
    check_hex_ids(f"{name}/traces.otlp.jsonl", jl_spans)
    check(len(jl_spans) == c["spans"], f"{name}: traces.otlp.jsonl span count differs")
    for line in lines:
        check(len(line["resourceSpans"]) == 1, f"{name}: a jsonl line should hold one service")

    b64 = spans_of(json.loads(read("traces.otlp.b64ids.json")))
    check(len(b64) == c["spans"], f"{name}: b64ids span count differs")
    check(sorted(base64.b64decode(s["spanId"]).hex() for s in b64) == sorted(s["spanId"] for s in spans),
          f"{name}: base64 and hex IDs disagree")

    req = ExportTraceServiceRequest()
    req.ParseFromString(open(os.path.join(d, "traces.pb"), "rb").read())
    pb = [s for rs in req.resource_spans for ss in rs.scope_spans for s in ss.spans]
    check(len(pb) == c["spans"], f"{name}: traces.pb decodes to {len(pb)} spans, manifest {c['spans']}")
    check(sorted(s.span_id.hex() for s in pb) == sorted(s["spanId"] for s in spans), f"{name}: pb IDs differ")

    logs = logs_of(json.loads(read("logs.otlp.json")))
    check_hex_ids(f"{name}/logs.otlp.json", logs)
    check(len(logs) == c["otlp_log_records"], f"{name}: logs.otlp.json record count differs")
    check(sum(1 for r in logs if r.get("traceId")) == c["otlp_log_records_with_trace_id"],
          f"{name}: OTLP log records with trace id differ")
    lreq = ExportLogsServiceRequest()
    lreq.ParseFromString(open(os.path.join(d, "logs.pb"), "rb").read())
    check(sum(len(sl.log_records) for rl in lreq.resource_logs for sl in rl.scope_logs) == c["otlp_log_records"],
          f"{name}: logs.pb record count differs")

    app = [json.loads(line) for line in read("app.log.jsonl").splitlines()]
    check(len(app) == c["app_log_lines"], f"{name}: app.log.jsonl line count differs")
    linked = [a for a in app if a["otelTraceID"] != "0"]
    check(len(linked) == c["app_log_lines_with_trace_id"], f"{name}: app.log lines with trace id differ")
    check(len(linked) < len(app), f"{name}: app.log should contain lines without trace context")
    for a in linked:
        check(bool(HEX32.match(a["otelTraceID"]) and HEX16.match(a["otelSpanID"])), f"{name}: bad app.log ids {a}")
    check(all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", a["time"]) for a in app), f"{name}: bad time")
    # Every linked line names an exported span, except lines written inside a span that was never
    # exported (broken/'s "compute-tax"): those name the orphans' missing parent.
    ids = {s["spanId"] for s in spans} | {mp["missing_parent_span_id"] for mp in m["missing_parents"]}
    check(all(a["otelSpanID"] in ids for a in linked), f"{name}: an app.log line names an unknown span")

    by_id = {(s["traceId"], s["spanId"]): s for s in spans}
    start = lambda s: int(s["startTimeUnixNano"])  # noqa: E731
    end = lambda s: int(s["endTimeUnixNano"])  # noqa: E731

    if name == "healthy":
        check(not m["missing_parents"], "healthy: should have no missing parents")
        check(c["traces"] == m["requests"], "healthy: one trace per request")
        z = json.loads(read("traces.zipkin.json"))
        zt = m["zipkin"]
        check(len(z) == zt["spans"], "healthy: zipkin span count differs")
        check(len({s["localEndpoint"]["serviceName"] for s in z}) == 3, "healthy: zipkin should have 3 services")
        check(zt["shared_span_id_pairs"] >= 1, "healthy: zipkin should have a shared CLIENT/SERVER span id")
        check(all(s.get("shared") for s in z if s.get("kind") == "SERVER" and s.get("parentId")),
              "healthy: zipkin server spans joined by B3 should be shared")

    if name == "broken":
        fr = m["fragment"]
        root = by_id.get((fr["trace_id"], fr["root_span_id"]))
        check(root is not None and "parentSpanId" not in root, "broken: fragment root missing or has a parent")
        sp = fr["suspected_parent"]
        rag = by_id.get((sp["trace_id"], sp["span_id"]))
        check(rag is not None and rag["name"] == "rag.retrieve", "broken: suspected parent is not rag.retrieve")
        check(fr["trace_id"] != sp["trace_id"], "broken: fragment must be a separate trace")
        if root and rag:
            check(start(rag) <= start(root) <= end(rag), "broken: fragment root does not start inside rag.retrieve")
            res = {tuple(sorted((a["key"], json.dumps(a["value"])) for a in rs["resource"]["attributes"]
                                if a["key"] in ("service.name", "host.name", "process.pid")))
                   for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]
                   if s["spanId"] in (root["spanId"], rag["spanId"])}
            check(len(res) == 1, "broken: fragment and rag.retrieve should share service/host/process")
        op = m["orphan_pair"]
        check(len(op["span_ids"]) == 2, "broken: orphan pair should have 2 spans")
        check(all(s["spanId"] != op["missing_parent_span_id"] for s in spans), "broken: orphan parent is exported")
        for sid in op["span_ids"]:
            s = by_id.get((op["trace_id"], sid))
            check(s is not None and s.get("parentSpanId") == op["missing_parent_span_id"],
                  f"broken: orphan {sid} does not point at the missing parent")
        check([mp["missing_parent_span_id"] for mp in m["missing_parents"]] == [op["missing_parent_span_id"]],
              "broken: the orphan pair should be the only missing parent")
        h = m["handler"]
        hs = by_id.get((h["trace_id"], h["span_id"]))
        check(hs is not None and hs["name"] == "POST /v1/chat-messages" and hs["kind"] == 2, "broken: handler span")
        w = h["uninstrumented_wait"]
        check(195_000_000 <= w["end_offset_ns"] - w["start_offset_ns"] < 400_000_000, "broken: wait is not ~200 ms")
        check(any(g["span_id"] == op["root"]["span_id"] for g in m["gaps"]),
              "broken: the invoice root should show the missing parent's time as a gap")
        g = m["gaps"][0] if m["gaps"] else {}
        check(g.get("span_id") == h["span_id"], "broken: largest gap should be in the handler")
        check(g.get("start_offset_ns", 1 << 62) <= w["start_offset_ns"] and w["end_offset_ns"] <= g.get("end_offset_ns", 0),
              "broken: largest gap should contain the measured wait")
        sk = m["skew"]
        sr = by_id.get((sk["trace_id"], sk["skewed_root"]["span_id"]))
        par = by_id.get((sk["trace_id"], sk["parent"]["span_id"]))
        check(sr is not None and par is not None and sr.get("parentSpanId") == par["spanId"], "broken: skew link")
        if sr and par:
            check(start(sr) > end(par), "broken: skewed child should start after its parent ends")
            check(end(sr) > end(hs), "broken: skewed child should end after the handler ends")
            check(sr.get("flags") == 768, "broken: skewed SERVER span should carry the remote-parent flag")
        check(any(a["msg"] == "waiting for LLM rate-limit token" and a["otelSpanID"] == h["span_id"] for a in app),
              "broken: the rate-limit log should carry the handler's context")
        check(any(a["msg"] == "rate-limit token granted" and a["otelTraceID"] == "0" for a in app),
              "broken: the rate-limiter log should have no trace context")

    if name in ("propagated", "unpropagated"):
        workers = [s for s in spans if s["name"] == m["worker"]["name"]]
        check(len(workers) == m["requests"], f"{name}: one worker span per request")
        roots = [s for s in workers if "parentSpanId" not in s]
        if name == "propagated":
            check(not roots and not m["fragments"] and c["traces"] == m["requests"], "propagated: worker lost context")
        else:
            check(len(roots) == m["requests"] == len(m["fragments"]), "unpropagated: workers should be roots")
            check(c["traces"] == 2 * m["requests"], "unpropagated: a fragment trace per request")

    if name == "uninjected":
        calls = m["unpropagated_calls"]
        check(len(calls) == m["requests"] and c["traces"] == 2 * m["requests"], "uninjected: a callee trace per request")
        check(c["spans_with_remote_parent"] == 0, "uninjected: no span should have a remote parent")
        for call in calls:
            cl = by_id.get((call["client"]["trace_id"], call["client"]["span_id"]))
            ce = by_id.get((call["callee"]["trace_id"], call["callee"]["span_id"]))
            check(cl is not None and cl["kind"] == 3, "uninjected: the client span is exported as CLIENT")
            check(ce is not None and ce["kind"] == 2 and "parentSpanId" not in ce, "uninjected: the callee is a SERVER root")
            check(not any(s.get("parentSpanId") == call["client"]["span_id"] for s in spans),
                  "uninjected: the client span should have no child")
            if cl and ce:
                check(start(cl) <= start(ce) and end(ce) <= end(cl), "uninjected: the callee should run inside the call")


    if name == "workflow":
        for f in ("api.log.jsonl", "worker.log.jsonl", "worker-shanghai.log.jsonl"):
            check(os.path.isfile(os.path.join(d, f)), f"workflow: missing {f}")
        if failures:
            return
        worker = [json.loads(line) for line in read("worker.log.jsonl").splitlines()]
        shanghai = [json.loads(line) for line in read("worker-shanghai.log.jsonl").splitlines()]
        apilog = [json.loads(line) for line in read("api.log.jsonl").splitlines()]
        check(len(worker) == m["worker_log_lines"] == len(shanghai), "workflow: worker line counts differ")
        check(len(apilog) == m["api_log_lines"], "workflow: api line count differs")
        check(all(re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}$", a["asctime"]) for a in worker + apilog),
              "workflow: asctime should be Python's naive `YYYY-MM-DD HH:MM:SS,mmm`")
        check(not any(k.startswith("otel") or k in ("trace_id", "span_id") for a in worker + apilog for k in a),
              "workflow: python-json-logger lines should carry no trace context")
        for u, t in zip(worker, shanghai):
            fmt = "%Y-%m-%d %H:%M:%S,%f"
            delta = datetime.strptime(t["asctime"], fmt) - datetime.strptime(u["asctime"], fmt)
            check(delta.total_seconds() == m["shanghai_offset_s"] and u["message"] == t["message"],
                  "workflow: the +08:00 file should be the UTC one 8 h later")
        for r in m["requests"]:
            server = by_id.get((r["trace_id"], r["span_id"]))
            check(server is not None and server["kind"] == 2 and "parentSpanId" not in server, "workflow: SERVER root")
            if server:
                attrs = {a["key"]: a["value"].get("stringValue") for a in server.get("attributes", [])}
                check(attrs.get("request_id") == r["request_id"] and attrs.get("workflow.run_id") == r["execution_id"],
                      "workflow: the SERVER span should carry request_id and workflow.run_id")
            check(sum(1 for a in apilog if a.get("request_id") == r["request_id"]) == 3, "workflow: 3 api lines per request")
            mine = [a for a in worker if a.get("execution_id") == r["execution_id"]]
            check(len(mine) == 2 + 2 * len(m["worker_nodes"]), "workflow: worker lines per execution")
            check(r["gap"]["start_ns"] <= r["workflow"]["start_ns"] and r["workflow"]["end_ns"] <= r["gap"]["end_ns"],
                  "workflow: the workflow should run inside the server span's gap")
        check(c["traces"] == len(m["requests"]), "workflow: the worker made no trace")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: verify.py OUTDIR", file=sys.stderr)
        return 64
    for name in SCENARIOS:
        try:
            verify(argv[1], name)
        except Exception as e:  # a crash is a failed check, reported with the others
            failures.append(f"{name}: {type(e).__name__}: {e}")
    if failures:
        print("verify.py: FAILED\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print(f"verify.py: {len(SCENARIOS)} scenarios OK in {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
