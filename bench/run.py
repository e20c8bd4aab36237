#!/usr/bin/env python3
"""make bench: run tracedoctor and the alternatives a user would reach for on the same
generated inputs, in the same run, and print wall time, throughput, peak RSS and the ratio to
tracedoctor. Ratios, not absolute times, are what to quote: the machine is shared and noisy.

usage: bench/run.py [--size 1G] [--seed 1] [--data bench-data] [--repeat 1] [--cases a,b,...] [--bin PATH]

(--bin .build/debug/tracedoctor runs the cases with another build, e.g. to try a case quickly.)
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_size(text):
    text = text.strip()
    units = {"K": 10**3, "M": 10**6, "G": 10**9, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}
    for suffix in sorted(units, key=len, reverse=True):
        if text.upper().endswith(suffix):
            return int(float(text[: -len(suffix)]) * units[suffix])
    return int(text)


def log(message):
    print(message, file=sys.stderr, flush=True)


def measure(command, label, stdout=None):
    """Runs command under bench/measure.py; returns its JSON (wall_s, peak_rss_mb, exit). With
    stdout, the command's stdout goes to that file (as `> FILE`)."""
    redirect = ["--stdout", stdout] if stdout else []
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "measure.py"), "--label", label] + redirect + ["--"] + command,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        result = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise SystemExit(f"bench: cannot measure {label}: {out.stderr[-2000:]}")
    result["stderr_tail"] = out.stderr[-2000:]
    return result


class Data:
    """Generated inputs, cached under --data by size and seed (deterministic)."""

    def __init__(self, directory, size, seed):
        self.directory = directory
        self.size = size
        self.seed = seed
        os.makedirs(directory, exist_ok=True)

    def file(self, kind):
        names = {
            "otlp": ("gen_otlp.py", [], f"otlp-{self.size}-s{self.seed}.jsonl"),
            "otlp-doc": ("gen_otlp.py", ["--single-document"], f"otlp-doc-{self.size}-s{self.seed}.json"),
            "jaeger": ("gen_jaeger.py", [], f"jaeger-{self.size}-s{self.seed}.json"),
            "zipkin": ("gen_zipkin.py", [], f"zipkin-{self.size}-s{self.seed}.json"),
            # 5 M lines for 1 GB of spans, as issue #7 asks; proportionally fewer for a smaller SIZE.
            "logs": ("gen_logs.py", ["--lines", str(max(50_000, self.size * 5 // 1000))],
                     f"logs-{self.size}-s{self.seed}.jsonl"),
        }
        script, extra, name = names[kind]
        path = os.path.join(self.directory, name)
        if not os.path.exists(path + ".truth.json"):
            log(f"bench: generating {path} ...")
            started = time.time()
            size = [] if kind == "logs" else ["--size", str(self.size)]
            subprocess.run(
                [sys.executable, os.path.join(HERE, script)] + size + ["--seed", str(self.seed), "--out", path] + extra,
                check=True, stdout=subprocess.DEVNULL)
            log(f"bench: generated {path} in {time.time() - started:.0f} s")
        return path

    def truth(self, kind):
        with open(self.file(kind) + ".truth.json") as f:
            return json.load(f)


    def small_files(self, count):
        """The OTLP dump's first spans re-cut into `count` one-request files (each line split into
        as many requests as needed, resource and scope kept), and the same requests as the lines
        of one file. Cached; returns (directory, single file, spans)."""
        source = self.file("otlp")
        base = os.path.join(self.directory, f"small-{self.size}-s{self.seed}-n{count}")
        directory, single, done = base, base + ".jsonl", base + ".done"
        if os.path.exists(done):
            with open(done) as f:
                return directory, single, int(f.read())
        log(f"bench: cutting {source} into {count:,} files under {directory} ...")
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        with open(source, "rb") as f:
            lines = sum(1 for _ in f)
        per_line = max(1, -(-count // lines))
        written = spans = 0
        with open(source) as f, open(single, "w") as out:
            for text in f:
                if written >= count:
                    break
                flat = []
                rs_all = json.loads(text)["resourceSpans"]
                for r, rs in enumerate(rs_all):
                    for s, ss in enumerate(rs.get("scopeSpans", [])):
                        flat += [(r, s, span) for span in ss.get("spans", [])]
                pieces = min(per_line, len(flat), count - written)
                for p in range(pieces):
                    chunk = flat[p * len(flat) // pieces:(p + 1) * len(flat) // pieces]
                    request = {"resourceSpans": []}
                    for r, s, span in chunk:
                        if not request["resourceSpans"] or request["resourceSpans"][-1][0] != r:
                            request["resourceSpans"].append((r, {k: v for k, v in rs_all[r].items() if k != "scopeSpans"}
                                                             | {"scopeSpans": []}))
                        body = request["resourceSpans"][-1][1]
                        if not body["scopeSpans"] or body["scopeSpans"][-1][0] != s:
                            scope = rs_all[r]["scopeSpans"][s]
                            body["scopeSpans"].append((s, {k: v for k, v in scope.items() if k != "spans"} | {"spans": []}))
                        body["scopeSpans"][-1][1]["spans"].append(span)
                    for _, body in request["resourceSpans"]:
                        body["scopeSpans"] = [b for _, b in body["scopeSpans"]]
                    request["resourceSpans"] = [b for _, b in request["resourceSpans"]]
                    line = json.dumps(request, separators=(",", ":"))
                    with open(os.path.join(directory, f"export-{written:06d}.json"), "w") as one:
                        one.write(line + "\n")
                    out.write(line + "\n")
                    written += 1
                    spans += len(chunk)
        if written < count:
            raise SystemExit(f"bench: {source} holds too few spans for {count:,} files")
        with open(done, "w") as f:
            f.write(str(spans))
        return directory, single, spans


class Bench:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.abspath(args.bin)
        self.bench_bin = os.path.abspath(args.bench_bin)
        self.data = Data(args.data, parse_size(args.size), args.seed)
        self.rows = []
        self.verdicts = []
        # "PASS/MISS  what: measured (target …)" lines, printed after the tables.
        self.targets = []
        self.tmp = tempfile.mkdtemp(prefix="tracedoctor-bench-", dir=args.tmp)

    def fresh_db(self, name):
        path = os.path.join(self.tmp, name + ".db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return path

    def run(self, group, label, command, input_path, records, record_word, reference=False, repeat=None,
            median=False, expect_exit=(0,), stdout=None):
        """Runs a case repeat times and keeps the fastest run (median=True: the median run)."""
        results = []
        repeat = repeat or (self.args.repeat if label.startswith("tracedoctor") or reference else 1)
        for attempt in range(repeat):
            log(f"bench: {label} (run {attempt + 1}/{repeat})")
            result = measure(command(), label, stdout)
            if result.get("exit") not in expect_exit:
                raise SystemExit(f"bench: {label} failed (exit {result.get('exit')}):\n{result['stderr_tail']}")
            results.append(result)
        results.sort(key=lambda r: r["wall_s"])
        best = results[len(results) // 2] if median else results[0]
        if median:
            label += f" (median of {repeat})"
        size = os.path.getsize(input_path) if input_path else 0
        row = {
            "group": group, "case": label, "wall_s": best["wall_s"], "peak_rss_mb": best["peak_rss_mb"],
            "bytes": size, "records": records, "record_word": record_word,
            "mb_per_s": size / 1e6 / best["wall_s"] if size else None,
            "records_per_s": records / best["wall_s"] if records else None,
            "reference": reference, "user_s": best.get("user_s"), "sys_s": best.get("sys_s"),
        }
        self.rows.append(row)
        return row

    # The cases -------------------------------------------------------------------------------

    def ingest_otlp(self):
        path = self.data.file("otlp")
        truth = self.data.truth("otlp")
        spans = truth["spans"]
        group = f"OTLP/JSON Lines, {os.path.getsize(path) / 1e9:.2f} GB, {spans:,} spans"
        td = self.run(group, "tracedoctor ingest", lambda: [self.bin, "ingest", "--db", self.fresh_db("td"), path],
                      path, spans, "spans")
        self.check_count(self.tmp + "/td.db", "spans", spans)
        self.run(group, "parse only (tracedoctor ingest --dry-run)",
                 lambda: [self.bin, "ingest", "--dry-run", path], path, spans, "spans", reference=True)
        self.run(group, "insert only (tracedoctor-bench insert-only)",
                 lambda: [self.bench_bin, "insert-only", path, self.fresh_db("insert"), str(spans)],
                 None, spans, "spans", reference=True)
        self.run(group, "Python json + sqlite3 (bench/baseline_python.py)",
                 lambda: [sys.executable, os.path.join(HERE, "baseline_python.py"), path, self.fresh_db("py")],
                 path, spans, "spans")
        self.run(group, "sqlite3 CLI .import + json_each (bench/baseline_sqlite.sh)",
                 lambda: [os.path.join(HERE, "baseline_sqlite.sh"), path, self.fresh_db("sq")],
                 path, spans, "spans")
        return td

    def ingest_single_document(self):
        path = self.data.file("otlp-doc")
        spans = self.data.truth("otlp-doc")["spans"]
        group = f"OTLP/JSON single document, {os.path.getsize(path) / 1e9:.2f} GB, {spans:,} spans"
        self.run(group, "tracedoctor ingest", lambda: [self.bin, "ingest", "--db", self.fresh_db("doc"), path],
                 path, spans, "spans")
        self.check_count(self.tmp + "/doc.db", "spans", spans)

    def ingest_other_formats(self):
        for kind, name in (("jaeger", "Jaeger JSON"), ("zipkin", "Zipkin v2 JSON")):
            path = self.data.file(kind)
            spans = self.data.truth(kind)["spans"]
            group = f"{name}, {os.path.getsize(path) / 1e9:.2f} GB, {spans:,} spans"
            self.run(group, "tracedoctor ingest", lambda: [self.bin, "ingest", "--db", self.fresh_db(kind), path],
                     path, spans, "spans")
            self.check_count(os.path.join(self.tmp, kind + ".db"), "spans", spans)
            self.run(group, "parse only (tracedoctor ingest --dry-run)",
                     lambda: [self.bin, "ingest", "--dry-run", path], path, spans, "spans", reference=True)

    def analysis(self):
        """The diagnosis commands on a database of the OTLP input (~1 M spans at 1 GB)."""
        path = self.data.file("otlp")
        spans = self.data.truth("otlp")["spans"]
        db = self.fresh_db("analysis")
        log("bench: building the analysis database ...")
        subprocess.run([self.bin, "ingest", "--quiet", "--db", db, path], check=True)
        group = f"Analysis of a {spans:,}-span database"
        for command in (["orphans"], ["gaps"], ["stats"], ["traces", "--limit", "50"]):
            label = "tracedoctor " + " ".join(command)
            self.run(group, label, lambda: [self.bin] + command + ["--db", db, "--format", "json"], None, spans,
                     "spans", expect_exit=(0, 1))
        # explain: the largest trace, the worst case for one trace's tree, gaps and neighbours.
        trace = subprocess.run(
            ["sqlite3", db, "SELECT trace_id FROM spans GROUP BY trace_id ORDER BY count(*) DESC LIMIT 1"],
            stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        for fmt in ("text", "json", "html"):
            self.run(group, f"tracedoctor explain {trace[:8]} --format {fmt}",
                     lambda fmt=fmt: [self.bin, "explain", trace, "--db", db, "--format", fmt, "--no-color"], None, None,
                     "spans", repeat=max(9, self.args.repeat), median=True)
        # check, end to end: ingest into a temporary database, diagnose, evaluate the default policy.
        self.run(f"check end to end on the {os.path.getsize(path) / 1e9:.2f} GB OTLP/JSON Lines file",
                 "tracedoctor check (ingest + diagnose + default policy)",
                 lambda: [self.bin, "check", path, "--format", "json"], path, spans, "spans", expect_exit=(0, 1))

    def small_files(self):
        """Many small files: the spans of the OTLP dump re-cut into N one-request files (one collector
        or SDK export each) in one directory, against the same requests as the lines of one file;
        both ingested in the same run. Target: the directory <= 1.5x the single file. Then the
        directory again into its own database: every file is recognised as already ingested."""
        n = self.args.small_files
        directory, single, spans = self.data.small_files(n)
        group = f"{n:,} small files (one export request each), {spans:,} spans"
        one = self.run(group, "tracedoctor ingest FILE (the same requests as lines of one file)",
                       lambda: [self.bin, "ingest", "--db", self.fresh_db("small-one"), single],
                       single, spans, "spans")
        self.check_count(os.path.join(self.tmp, "small-one.db"), "spans", spans)
        many = self.run(group, f"tracedoctor ingest DIR ({n:,} files)",
                        lambda: [self.bin, "ingest", "--db", self.fresh_db("small-dir"), directory],
                        single, spans, "spans")
        db = os.path.join(self.tmp, "small-dir.db")
        self.check_count(db, "spans", spans)
        self.check_count(db, "sources", n)
        # Idempotent: the same directory again adds nothing (each file is found by its content hash).
        self.run(group, f"tracedoctor ingest DIR again (all {n:,} already ingested)",
                 lambda: [self.bin, "ingest", "--db", db, directory], single, spans, "spans", repeat=1)
        self.check_count(db, "spans", spans)
        ratio = many["wall_s"] / one["wall_s"]
        per_file = (many["wall_s"] - one["wall_s"]) / n * 1000
        verdict = "PASS" if ratio <= 1.5 else "MISS"
        line = (f"bench: small files: {n:,} files {many['wall_s']:.3f} s, one file {one['wall_s']:.3f} s: "
                f"{ratio:.2f}x (target <= 1.5x) {verdict}; {per_file:.2f} ms per file above the single file")
        self.verdicts.append(line)
        log(line)

    @staticmethod
    def chdb_python(case):
        """The Python of the venv with chdb (tests/realsdk/setup-venv.sh makes it), or None: the
        case is skipped with a line saying why."""
        try:
            venv = subprocess.run([os.path.join(ROOT, "tests/realsdk/setup-venv.sh")], stdout=subprocess.PIPE, text=True,
                                  check=True).stdout.strip().splitlines()[-1]
        except (subprocess.CalledProcessError, IndexError):
            log(f"bench: skipping {case}: the venv with chdb could not be made (tests/realsdk/setup-venv.sh)")
            return None
        return os.path.join(venv, "bin", "python")

    def clickhouse(self):
        """The diagnoses with --source clickhouse://… (chDB behind tests/clickhouse/chdb_front.py, the
        OTLP input converted to the clickhouseexporter's tables) against the same on SQLite."""
        path = self.data.file("otlp")
        spans = self.data.truth("otlp")["spans"]
        python = self.chdb_python("clickhouse")
        if python is None:
            return
        front = os.path.join(ROOT, "tests/clickhouse/chdb_front.py")
        store = os.path.join(self.args.data, f"chdb-otlp-{self.data.size}-s{self.data.seed}")
        if not os.path.exists(store + ".done"):
            shutil.rmtree(store, ignore_errors=True)
            log(f"bench: loading {path} into chDB at {store} ...")
            subprocess.run([python, front, "load", "--path", store, f"otel={path}"], check=True, stdout=subprocess.DEVNULL)
            open(store + ".done", "w").close()
        table_bytes = int(subprocess.run(
            [python, front, "sql", "--path", store,
             "SELECT sum(data_compressed_bytes) FROM system.parts WHERE database = 'otel' AND table = 'otel_traces' AND active"],
            stdout=subprocess.PIPE, text=True, check=True).stdout.strip() or 0)
        db = self.fresh_db("clickhouse")
        subprocess.run([self.bin, "ingest", "--quiet", "--db", db, path], check=True)
        server = subprocess.Popen([python, front, "serve", "--path", store, "--exit-with-stdin"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline().split()[1])
            source = ["--source", f"clickhouse://127.0.0.1:{port}/otel", "--since", "1970-01-01", "--until", "2200-01-01"]
            table = f"{table_bytes / 1e6:.1f} MB" if table_bytes >= 1e6 else f"{table_bytes / 1e3:.0f} KB"
            group = f"Analysis of {spans:,} spans: ClickHouse (chDB 26.9, otel_traces {table} compressed) against SQLite"
            for command in (["stats"], ["orphans"], ["gaps"]):
                name = " ".join(command)
                self.run(group, f"tracedoctor {name} --db", lambda: [self.bin] + command + ["--db", db, "--format", "json"],
                         None, spans, "spans", expect_exit=(0, 1))
                probe = subprocess.run([self.bin] + command + source + ["--format", "json", "--verbose"],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                local = subprocess.run([self.bin] + command + ["--db", db, "--format", "json"], stdout=subprocess.PIPE,
                                       text=True)
                if probe.stdout != local.stdout:
                    raise SystemExit(f"bench: tracedoctor {name}: --source and --db disagree")
                received = self.received(probe.stderr) + " received"
                self.run(group, f"tracedoctor {name} --source ({received})",
                         lambda: [self.bin] + command + source + ["--format", "json"], None, spans, "spans",
                         expect_exit=(0, 1))
        finally:
            server.stdin.close()
            server.wait(timeout=30)

    # Spans generated inside ClickHouse (the 10 M-span case): traces of 4 spans, frontend
    # SERVER -> CLIENT -> backend SERVER -> INTERNAL, one a millisecond; every 1000th trace (t % 1000
    # = 7) lost its CLIENT span (a missing parent), every 1000th (t % 1000 = 500) has a backend
    # SERVER whose only child covers 10 of its 80 ms (unaccounted time).
    GENERATE_SPANS = """
        INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
                                      ResourceAttributes, SpanAttributes, Duration, StatusCode)
        SELECT fromUnixTimestamp64Nano(toInt64(1796083200000000000 + t * 1000000 + [0, 5, 10, 12][k] * 1000000)),
          concat(leftPad(lower(hex(t)), 16, '0'), leftPad(lower(hex(cityHash64(t))), 16, '0')) AS trace,
          leftPad(lower(hex(t * 4 + k)), 16, '0'),
          if(k = 1, '', leftPad(lower(hex(t * 4 + k - 1)), 16, '0')),
          ['GET /', 'GET backend', 'GET backend', 'query'][k], ['Server', 'Client', 'Server', 'Internal'][k],
          if(k <= 2, 'frontend', 'backend') AS service,
          map('service.name', service, 'host.name', concat(service, '-1')),
          if(k = 2, map('peer.service', 'backend'), map()),
          toUInt64([100, 90, 80, if(t % 1000 = 500, 10, 76)][k] * 1000000), 'Unset'
        FROM (SELECT number AS t, arrayJoin([1, 2, 3, 4]) AS k FROM numbers({traces}))
        WHERE NOT (k = 2 AND t % 1000 = 7)
        """

    # The same spans as OTLP/JSON Lines for the SQLite side: one line per trace, one resourceSpans per
    # service (its resource attributes), every span with its kind, times, attributes and status, for
    # the traces of IDs in [lo, hi) (the export runs in slices so that chDB never holds them all).
    EXPORT_OTLP = """
        SELECT concat('{"resourceSpans":[', arrayStringConcat(groupArray(resource), ','), ']}')
        FROM (
          SELECT TraceId, concat('{"resource":{"attributes":[', any(resource_attributes), ']},"scopeSpans":[{"spans":[',
                                 arrayStringConcat(groupArray(span), ','), ']}]}') AS resource
          FROM (
            SELECT TraceId, ServiceName,
              arrayStringConcat(arrayMap((k, v) -> concat('{"key":"', k, '","value":{"stringValue":"', v, '"}}'),
                                         mapKeys(ResourceAttributes), mapValues(ResourceAttributes)), ',') AS resource_attributes,
              concat('{"traceId":"', TraceId, '","spanId":"', SpanId, '"', if(ParentSpanId = '', '', concat(',"parentSpanId":"', ParentSpanId, '"')),
                     ',"name":"', SpanName, '","kind":',
                     toString(multiIf(SpanKind IN ('Internal', 'SPAN_KIND_INTERNAL'), 1, SpanKind IN ('Server', 'SPAN_KIND_SERVER'), 2,
                                      SpanKind IN ('Client', 'SPAN_KIND_CLIENT'), 3, SpanKind IN ('Producer', 'SPAN_KIND_PRODUCER'), 4,
                                      SpanKind IN ('Consumer', 'SPAN_KIND_CONSUMER'), 5, 0)),
                     ',"startTimeUnixNano":"', toString(toUnixTimestamp64Nano(Timestamp)),
                     '","endTimeUnixNano":"', toString(toUnixTimestamp64Nano(Timestamp) + Duration), '","attributes":[',
                     arrayStringConcat(arrayMap((k, v) -> concat('{"key":"', k, '","value":{"stringValue":"', v, '"}}'),
                                                mapKeys(SpanAttributes), mapValues(SpanAttributes)), ','),
                     '],"status":{"code":', toString(multiIf(StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 2,
                                                             StatusCode IN ('Ok', 'STATUS_CODE_OK'), 1, 0)), '}}') AS span
            FROM otel.otel_traces WHERE TraceId >= '{lo}' AND TraceId < '{hi}')
          GROUP BY TraceId, ServiceName)
        GROUP BY TraceId
        """

    def clickhouse_scale_sqlite(self, python, front, store, traces, count):
        """The generated spans in a SQLite database (cached beside the chDB store): exported from chDB
        as OTLP/JSON Lines in slices of 100,000 traces, then `tracedoctor ingest`."""
        db = store + ".sqlite"
        if os.path.exists(db + ".done"):
            return db
        jsonl = store + ".otlp.jsonl"
        log(f"bench: exporting {count:,} spans from chDB to {jsonl} ...")
        started = time.time()
        step = 100_000
        with open(jsonl, "w") as out:
            for lo in range(0, traces, step):
                hi = format(lo + step, "016x") if lo + step < traces else "g"
                subprocess.run([python, front, "sql", "--path", store, "--format", "TSVRaw",
                                self.EXPORT_OTLP.replace("{lo}", format(lo, "016x")).replace("{hi}", hi)],
                               check=True, stdout=out)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        subprocess.run([self.bin, "ingest", "--quiet", "--db", db, jsonl], check=True)
        os.remove(jsonl)
        open(db + ".done", "w").close()
        log(f"bench: exported and ingested in {time.time() - started:.0f} s")
        return db

    def clickhouse_scale(self):
        """orphans, gaps, stats (in ClickHouse and not) and check with --source over spans generated in
        chDB with numbers() (--clickhouse-spans, 10M = 10 million), through the HTTP front; the
        bytes each receives against the spans and the table's size; the planted findings checked;
        stats, orphans and gaps also with --db on a SQLite database of the same spans (same output
        required), and the issue's targets: time ≤ 1× SQLite's, < 100 MB RSS, < 1 % of the table."""
        spans = parse_size(self.args.clickhouse_spans)
        traces = spans // 4
        planted = {"missing_parent": len(range(7, traces, 1000)), "unaccounted_time": len(range(500, traces, 1000))}
        python = self.chdb_python("clickhouse-scale")
        if python is None:
            return
        front = os.path.join(ROOT, "tests/clickhouse/chdb_front.py")
        store = os.path.join(self.args.data, f"chdb-generated-{traces * 4}")
        if not os.path.exists(store + ".done"):
            shutil.rmtree(store, ignore_errors=True)
            log(f"bench: generating {traces:,} traces in chDB at {store} ...")
            started = time.time()
            subprocess.run([python, front, "load", "--path", store, "otel="], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([python, front, "sql", "--path", store, self.GENERATE_SPANS.replace("{traces}", str(traces))],
                           check=True)
            open(store + ".done", "w").close()
            log(f"bench: generated in {time.time() - started:.0f} s")
        count, table_bytes = (int(x) for x in subprocess.run(
            [python, front, "sql", "--path", store,
             "SELECT (SELECT count() FROM otel.otel_traces), (SELECT sum(data_compressed_bytes) FROM system.parts "
             "WHERE database = 'otel' AND table = 'otel_traces' AND active)"],
            stdout=subprocess.PIPE, text=True, check=True).stdout.split())
        db = self.clickhouse_scale_sqlite(python, front, store, traces, count)
        server = subprocess.Popen([python, front, "serve", "--path", store, "--exit-with-stdin"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline().split()[1])
            source = ["--source", f"clickhouse://127.0.0.1:{port}/otel", "--since", "2026-12-01", "--until", "2026-12-08"]
            sqlite_group = f"The same {count:,} spans: --source against --db (a SQLite database of them), in the same run"
            for command in (["stats"], ["orphans"], ["gaps"]):
                name = " ".join(command)
                local = subprocess.run([self.bin] + command + ["--db", db, "--format", "json"], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
                probe = subprocess.run([self.bin] + command + source + ["--format", "json", "--verbose"],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                if probe.stdout != local.stdout or probe.returncode != local.returncode:
                    raise SystemExit(f"bench: clickhouse-scale: tracedoctor {name}: --source and --db disagree:\n"
                                     f"{probe.stderr[-2000:]}{local.stderr[-2000:]}")
                received = self.received(probe.stderr)
                sq = self.run(sqlite_group, f"tracedoctor {name} --db", lambda: [self.bin] + command + ["--db", db, "--format", "json"],
                              None, count, "spans", expect_exit=(0, 1))
                ch = self.run(sqlite_group, f"tracedoctor {name} --source ({received} received)",
                              lambda: [self.bin] + command + source + ["--format", "json"], None, count, "spans",
                              expect_exit=(0, 1))
                ratio = ch["wall_s"] / sq["wall_s"]
                self.targets.append(f"{'PASS' if ratio <= 1 else 'MISS'}  clickhouse-scale {name} --source: {ch['wall_s']:.2f} s "
                                    f"= {ratio:.2f}× the SQLite path's {sq['wall_s']:.2f} s (target ≤ 1×)")
                self.targets.append(f"{'PASS' if ch['peak_rss_mb'] < 100 else 'MISS'}  clickhouse-scale {name} --source: "
                                    f"{ch['peak_rss_mb']:.0f} MB peak RSS (target < 100 MB)")
                got = self.parse_received(received)
                if got is not None and table_bytes:
                    share = got / table_bytes
                    self.targets.append(f"{'PASS' if share < 0.01 else 'MISS'}  clickhouse-scale {name} --source: {received} "
                                        f"received = {share * 100:.2f} % of otel_traces' {table_bytes / 1e6:.1f} MB "
                                        f"compressed (target < 1 %)")
            group = (f"{count:,} spans generated in chDB (otel_traces {table_bytes / 1e6:.1f} MB compressed), "
                     f"--source through the HTTP front")
            for command in (["orphans"], ["gaps"], ["traces", "--limit", "20"], ["stats", "--in-database"], ["stats"], ["check"]):
                name = " ".join(command)
                probe = subprocess.run([self.bin] + command + source + ["--format", "json", "--verbose"],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                if probe.returncode not in (0, 1):
                    raise SystemExit(f"bench: tracedoctor {name} --source failed:\n{probe.stderr[-2000:]}")
                received = self.received(probe.stderr)
                if command[0] in ("orphans", "gaps"):
                    counts = json.loads(probe.stdout).get("counts", {})
                    for key, expected in planted.items():
                        if command[0] == "orphans" and key == "unaccounted_time":
                            continue
                        if counts.get(key, 0) != expected:
                            raise SystemExit(f"bench: {name}: {key} {counts.get(key, 0)}, planted {expected}")
                row = self.run(group, f"tracedoctor {name} --source ({received} received)",
                               lambda: [self.bin] + command + source + ["--format", "json"], None, count, "spans",
                               expect_exit=(0, 1))
                inflated = re.search(r"\(gzip; ([0-9.]+ [KMG]?B) uncompressed\)", probe.stderr)
                line = (f"bench: clickhouse-scale: {name}: {row['wall_s']:.2f} s, {row['peak_rss_mb']:.0f} MB RSS, "
                        f"{received} received{f' (gzip of {inflated.group(1)})' if inflated else ''} for {count:,} spans "
                        f"({table_bytes / 1e6:.1f} MB compressed)")
                self.verdicts.append(line)
                log(line)
        finally:
            server.stdin.close()
            server.wait(timeout=60)

    @staticmethod
    def received(stderr):
        """What `--verbose`'s last line says was received, as sent on the wire ("27.7 KB"; with gzip
        replies "N queries, 4.1 KB received (gzip; 27.7 KB uncompressed)"), or "?"."""
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        m = re.search(r", ([0-9.]+ [KMG]?B) received", last)
        return m.group(1) if m else "?"

    @staticmethod
    def parse_received(text):
        """`27.7 KB` as bytes, or None."""
        units = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9}
        parts = text.split()
        if len(parts) != 2 or parts[1] not in units:
            return None
        try:
            return float(parts[0]) * units[parts[1]]
        except ValueError:
            return None

    def logs(self):
        """Log ingest against lnav, the tool a user opens on a log file, on the same JSON Lines file."""
        path = self.data.file("logs")
        lines = self.data.truth("logs")["lines"]
        group = f"JSON Lines application logs, {os.path.getsize(path) / 1e9:.2f} GB, {lines:,} lines"
        db = self.fresh_db("logs")
        self.run(group, "tracedoctor ingest", lambda: [self.bin, "ingest", "--quiet", "--db", self.fresh_db("logs"),
                                                      path], path, lines, "lines")
        self.check_count(db, "logs", lines)
        home = os.path.join(self.tmp, "lnav-home")
        if not os.path.isdir(os.path.join(home, ".lnav")):
            os.makedirs(home, exist_ok=True)
            subprocess.run(["lnav", "-i", os.path.join(HERE, "lnav-json-logs.json")], env=dict(os.environ, HOME=home),
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env = ["env", f"HOME={home}", "lnav", "-n"]
        self.run(group, "lnav -n (load and count, bench/lnav-json-logs.json)",
                 lambda: env + ["-c", ";SELECT count(*) FROM bench_json_log", path], path, lines, "lines")
        # One question a user asks of the logs: the lines of one trace. lnav loads the file again
        # for each; tracedoctor answers from the database it built once.
        trace = subprocess.run(["sqlite3", db, "SELECT trace_id FROM logs WHERE trace_id IS NOT NULL LIMIT 1"],
                               stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        query = f"SELECT count(*) FROM {{table}} WHERE trace_id = '{trace}'"
        self.run(group, "lnav -n: the lines of one trace", lambda: env + ["-c", ";" + query.format(
            table="bench_json_log"), path], path, lines, "lines")
        self.run(group, "tracedoctor sql: the lines of one trace (after ingest)",
                 lambda: [self.bin, "sql", "--db", db, query.format(table="logs")], None, None, "lines")

    def receive(self):
        """tracedoctor receive under load (OTLP/HTTP protobuf, 512 spans a request, 4 clients on
        loopback) against tracedoctor ingest of the same requests from one protobuf file, in the
        same run; then the acknowledgement latency at a steady 10 k spans/s; peak RSS of receive."""
        spans = max(51_200, self.data.size // 1000 // 512 * 512)
        load = os.path.join(HERE, "receive_load.py")
        pb = os.path.join(self.tmp, "receive-load.pb")
        subprocess.run([sys.executable, load, "--spans", str(spans), "--write-pb", pb], check=True,
                       stdout=subprocess.DEVNULL)
        group = f"OTLP/HTTP protobuf exports, 512 spans a request, {spans:,} spans"
        ingest = self.run(group, "tracedoctor ingest (the same requests from a file)",
                          lambda: [self.bin, "ingest", "--db", self.fresh_db("recv-ingest"), pb], pb, spans, "spans")
        results = {}
        for mode, rate, total in (("throughput", 0, spans), ("steady 10k spans/s", 10_000, min(spans, 100_000))):
            db = self.fresh_db("recv-" + mode.split()[0])
            port = free_port()
            server = subprocess.Popen([self.bin, "receive", "--db", db, "--http", f"127.0.0.1:{port}", "--grpc", "off",
                                       "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            wait_for_port(port)
            log(f"bench: tracedoctor receive, {mode}")
            out = subprocess.run([sys.executable, load, "--port", str(port), "--spans", str(total), "--clients", "4",
                                  "--rate", str(rate)], stdout=subprocess.PIPE, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["peak_rss_mb"] = peak_rss_mb(server.pid)
            server.terminate()
            if server.wait(timeout=120) != 0:
                raise SystemExit(f"bench: receive exited {server.returncode}: {server.stderr.read()[-2000:]}")
            self.check_count(db, "spans", total)
            results[mode] = result
            self.rows.append({
                "group": group, "case": f"tracedoctor receive, {mode}", "wall_s": result["seconds"],
                "peak_rss_mb": result["peak_rss_mb"], "bytes": 0, "records": total, "record_word": "spans",
                "mb_per_s": None, "records_per_s": result["spans_per_s"], "reference": False,
                "user_s": None, "sys_s": None,
            })
        throughput = results["throughput"]["spans_per_s"] / ingest["records_per_s"]
        steady = results["steady 10k spans/s"]
        log(f"bench: receive {throughput:.2f}x ingest's spans/s (target >= 0.7); at 10k spans/s ack latency "
            f"p50 {steady['p50_ms']:.1f} ms, p99 {steady['p99_ms']:.1f} ms (target < 50); peak RSS "
            f"{max(r['peak_rss_mb'] for r in results.values()):.0f} MB (target < 200)")

    def huge(self):
        """explain on one huge trace (issue 21): 100,000 spans, wide (a batch: one root, 99,999 like
        children) and deep (a chain, each span the parent of the next), in every format and with
        --most-broken; `ingest` and `stats` of the same file in the same run are the references.
        Targets per explain run: < 1 s, < 200 MB peak RSS; text <= 500 lines; HTML <= 5 MB."""
        spans = 100_000
        for shape in ("wide", "deep"):
            path = os.path.join(self.args.data, f"huge-{shape}-{spans}.json")
            if not os.path.exists(path):
                log(f"bench: generating {path} ...")
                subprocess.run([sys.executable, os.path.join(HERE, "gen_huge_trace.py"), "--spans", str(spans),
                                "--shape", shape, "--out", path + ".part"], check=True)
                os.replace(path + ".part", path)
            what = "one root and 99,999 children `item 0` … `item 49`" if shape == "wide" else "a chain 100,000 deep"
            group = f"One {spans:,}-span trace, {shape} ({what}), OTLP/JSON {os.path.getsize(path) / 1e6:.1f} MB"
            db = os.path.join(self.tmp, f"huge-{shape}.db")
            # The last run's database stays for the commands below.
            self.run(group, "tracedoctor ingest", lambda: [self.bin, "ingest", "--quiet", "--db", self.fresh_db(f"huge-{shape}"),
                                                          path], path, spans, "spans", reference=True)
            self.check_count(db, "spans", spans)
            self.run(group, "tracedoctor stats", lambda: [self.bin, "stats", "--db", db, "--format", "json"], None, spans,
                     "spans", reference=True, expect_exit=(0, 1))
            trace = subprocess.run(["sqlite3", db, "SELECT trace_id FROM spans LIMIT 1"], stdout=subprocess.PIPE,
                                   text=True, check=True).stdout.strip()
            out = os.path.join(self.tmp, "huge-explain.out")
            # The report goes to stdout redirected to a file (`> out.json`, what a user pipes to jq);
            # `-o FILE` adds an fsync of the file before its rename, measured once for JSON.
            runs = [("text", [trace, "--format", "text"], False), ("json", [trace, "--format", "json"], False),
                    ("json", [trace, "--format", "json"], True), ("html", [trace, "--format", "html"], False),
                    ("text", ["--most-broken", "--format", "text"], False)]
            for fmt, args, to_file in runs:
                label = "tracedoctor explain " + " ".join(a if a != trace else trace[:8] for a in args)
                if to_file:
                    label += " -o FILE"
                row = self.run(group, label, lambda args=args, to_file=to_file: [self.bin, "explain", "--db", db,
                               "--no-color"] + (["-o", out] if to_file else []) + args, None, spans, "spans",
                               expect_exit=(0, 1), stdout=None if to_file else out)
                with open(out, "rb") as f:
                    data = f.read()
                row["output_bytes"] = len(data)
                row["output_lines"] = data.count(b"\n")
                size = f"{len(data) / 1e6:.2f} MB" if len(data) >= 1e6 else f"{len(data) / 1e3:.1f} KB"
                row["case"] += f" → {size}, {row['output_lines']:,} lines"
                os.remove(out)
                if to_file:
                    continue  # the fsync of ~100 MB is the disk's time, not explain's: no target
                checks = [(f"{row['wall_s']:.3f} s", row["wall_s"] < 1.0, "< 1 s"),
                          (f"{row['peak_rss_mb']:.0f} MB RSS", row["peak_rss_mb"] < 200, "< 200 MB")]
                if fmt == "text":
                    checks.append((f"{row['output_lines']:,} lines", row["output_lines"] <= 500, "<= 500 lines"))
                if fmt == "html":
                    checks.append((f"{size} of HTML", len(data) <= 5e6, "<= 5 MB"))
                for got, ok, target in checks:
                    self.targets.append(f"{'PASS' if ok else 'MISS'}  {shape} {label}: {got} (target {target})")
        for line in self.targets:
            log("bench: " + line)

    def check_count(self, db, table, expected):
        out = subprocess.run(["sqlite3", db, f"SELECT count(*) FROM {table}"], stdout=subprocess.PIPE, text=True,
                             check=True)
        got = int(out.stdout.strip())
        if got != expected:
            raise SystemExit(f"bench: {db} has {got} {table}, expected {expected}")

    # Output ----------------------------------------------------------------------------------

    def table(self):
        lines = []
        groups = []
        for row in self.rows:
            if row["group"] not in groups:
                groups.append(row["group"])
        for group in groups:
            rows = [r for r in self.rows if r["group"] == group]
            td = next((r for r in rows if r["case"].startswith("tracedoctor")), rows[0])
            lines.append(f"\n{group}\n")
            lines.append("| case | wall | CPU (user+sys) | throughput | peak RSS | time vs tracedoctor |")
            lines.append("|---|---:|---:|---:|---:|---:|")
            for r in rows:
                rate = []
                if r["records_per_s"]:
                    rate.append(f"{r['records_per_s'] / 1e3:,.0f} k {r['record_word']}/s")
                if r["mb_per_s"]:
                    rate.append(f"{r['mb_per_s']:,.0f} MB/s")
                ratio = r["wall_s"] / td["wall_s"]
                name = r["case"] + (" (reference)" if r["reference"] else "")
                cpu = f"{r['user_s'] + r['sys_s']:.2f} s" if r.get("user_s") is not None else ""
                lines.append(f"| {name} | {r['wall_s']:.3f} s | {cpu} | {', '.join(rate)} | {r['peak_rss_mb']:.0f} MB | "
                             f"{ratio:.2f}× |")
        return "\n".join(lines) + "\n"

    def machine(self):
        cpu = ""
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        load = os.getloadavg()
        return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
                f"SQLite {subprocess.run(['sqlite3', '--version'], stdout=subprocess.PIPE, text=True).stdout.split()[0]}, "
                f"load average before the run {load[0]:.2f}")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, seconds=60):
    import socket
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: nothing listens on {port}")


def peak_rss_mb(pid):
    """VmHWM of a running process, in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default=os.environ.get("SIZE", "1G"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=os.path.join(ROOT, "bench-data"))
    parser.add_argument("--tmp", default=None, help="where the databases go (default: the system temp dir)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each tracedoctor and reference case (the fastest is kept); baselines run once")
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/tracedoctor"))
    parser.add_argument("--bench-bin", default=os.path.join(ROOT, ".build/release/tracedoctor-bench"))
    parser.add_argument("--cases", default="ingest,document,formats,logs,analysis,small-files,clickhouse,clickhouse-scale,receive,huge")
    parser.add_argument("--clickhouse-spans", default="10M",
                        help="spans the clickhouse-scale case generates in chDB (10M = 10 million; default 10M)")
    parser.add_argument("--small-files", type=int, default=10_000,
                        help="how many one-request files the small-files case cuts the OTLP dump into")
    parser.add_argument("--json", default=os.path.join(ROOT, "bench-data", "results.json"))
    args = parser.parse_args()
    bench = Bench(args)
    machine = bench.machine()
    try:
        cases = args.cases.split(",")
        if "ingest" in cases:
            bench.ingest_otlp()
        if "document" in cases:
            bench.ingest_single_document()
        if "formats" in cases:
            bench.ingest_other_formats()
        if "logs" in cases:
            bench.logs()
        if "analysis" in cases:
            bench.analysis()
        if "small-files" in cases:
            bench.small_files()
        if "clickhouse" in cases:
            bench.clickhouse()
        if "clickhouse-scale" in cases:
            bench.clickhouse_scale()
        if "receive" in cases:
            bench.receive()
        if "huge" in cases:
            bench.huge()
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    print(f"machine: {machine}")
    print(f"reproduce: make bench SIZE={args.size}")
    print(bench.table())
    for line in bench.verdicts:
        print(line.removeprefix("bench: "))
    if bench.targets:
        print("targets:\n" + "\n".join("  " + line for line in bench.targets))
    with open(args.json, "w") as f:
        json.dump({"machine": machine, "size": args.size, "rows": bench.rows, "targets": bench.targets}, f, indent=1)


if __name__ == "__main__":
    main()
