#!/usr/bin/env python3
"""Baseline: the script a user would write by hand to load an OTLP/JSON dump into SQLite.

    baseline_python.py FILE DB

Python's json + sqlite3, nothing tuned: read the file line by line (JSON Lines of
{"resourceSpans":[...]}; a single-document file is one line), flatten
resourceSpans -> scopeSpans -> spans into rows, executemany into `spans` in one transaction,
with the (trace_id, parent_span_id) index the tool has. Attributes become a JSON object
{"key": value}, events [{"time_ns","name","attributes"}], links [{"trace_id","span_id",
"attributes"}] -- the same shapes the tool stores. DB is replaced if it exists.
"""

import json
import os
import sqlite3
import sys

KINDS = {"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2,
         "SPAN_KIND_CLIENT": 3, "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5}
STATUS = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}

SCHEMA = """
CREATE TABLE spans (
    id INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    service TEXT NOT NULL,
    start_ns INTEGER,
    end_ns INTEGER,
    status_code INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    events TEXT NOT NULL,
    links TEXT NOT NULL
);
CREATE INDEX spans_by_trace_parent ON spans(trace_id, parent_span_id);
"""


def value(v):
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        return int(v["intValue"])
    if "doubleValue" in v:
        return v["doubleValue"]
    if "boolValue" in v:
        return v["boolValue"]
    if "arrayValue" in v:
        return [value(x) for x in v["arrayValue"].get("values", [])]
    if "kvlistValue" in v:
        return attributes(v["kvlistValue"].get("values", []))
    if "bytesValue" in v:
        return v["bytesValue"]
    return None


def attributes(kvs):
    return {kv["key"]: value(kv.get("value", {})) for kv in kvs or []}


def dumps(x):
    return json.dumps(x, separators=(",", ":"))


def rows(path):
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            doc = json.loads(line)
            for rs in doc.get("resourceSpans", []):
                res = attributes(rs.get("resource", {}).get("attributes"))
                service = res.get("service.name", "unknown_service")
                for ss in rs.get("scopeSpans", []):
                    for sp in ss.get("spans", []):
                        kind = sp.get("kind", 0)
                        status = sp.get("status", {}).get("code", 0)
                        yield (
                            sp["traceId"],
                            sp["spanId"],
                            sp.get("parentSpanId") or None,
                            sp.get("name", ""),
                            KINDS.get(kind, 0) if isinstance(kind, str) else kind,
                            service,
                            int(sp["startTimeUnixNano"]) if "startTimeUnixNano" in sp else None,
                            int(sp["endTimeUnixNano"]) if "endTimeUnixNano" in sp else None,
                            STATUS.get(status, 0) if isinstance(status, str) else status,
                            dumps(attributes(sp.get("attributes"))),
                            dumps([{"time_ns": int(e.get("timeUnixNano", 0)), "name": e.get("name", ""),
                                    "attributes": attributes(e.get("attributes"))}
                                   for e in sp.get("events", [])]),
                            dumps([{"trace_id": l["traceId"], "span_id": l["spanId"],
                                    "attributes": attributes(l.get("attributes"))}
                                   for l in sp.get("links", [])]),
                        )


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: baseline_python.py FILE DB")
    path, db = sys.argv[1], sys.argv[2]
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db)
    con.executescript(SCHEMA)
    n = 0
    batch = []
    with con:  # one transaction
        for row in rows(path):
            batch.append(row)
            if len(batch) == 10000:
                con.executemany("INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, service, "
                                "start_ns, end_ns, status_code, attributes, events, links) "
                                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", batch)
                n += len(batch)
                batch = []
        con.executemany("INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, service, "
                        "start_ns, end_ns, status_code, attributes, events, links) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", batch)
        n += len(batch)
    con.close()
    print("baseline_python: %d spans" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
