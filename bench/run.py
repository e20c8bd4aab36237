#!/usr/bin/env python3
"""make bench: run tracedoctor and the alternatives a user would reach for on the same
generated inputs, in the same run, and print wall time, throughput, peak RSS and the ratio to
tracedoctor. Ratios, not absolute times, are what to quote: the machine is shared and noisy.

usage: bench/run.py [--size 1G] [--seed 1] [--data bench-data] [--repeat 1] [--cases a,b,...]
"""

import argparse
import json
import os
import platform
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


def measure(command, label):
    """Runs command under bench/measure.py; returns its JSON (wall_s, peak_rss_mb, exit)."""
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "measure.py"), "--label", label, "--"] + command,
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
        }
        script, extra, name = names[kind]
        path = os.path.join(self.directory, name)
        if not os.path.exists(path + ".truth.json"):
            log(f"bench: generating {path} ...")
            started = time.time()
            subprocess.run(
                [sys.executable, os.path.join(HERE, script), "--size", str(self.size), "--seed", str(self.seed),
                 "--out", path] + extra, check=True, stdout=subprocess.DEVNULL)
            log(f"bench: generated {path} in {time.time() - started:.0f} s")
        return path

    def truth(self, kind):
        with open(self.file(kind) + ".truth.json") as f:
            return json.load(f)


class Bench:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.abspath(args.bin)
        self.bench_bin = os.path.abspath(args.bench_bin)
        self.data = Data(args.data, parse_size(args.size), args.seed)
        self.rows = []
        self.tmp = tempfile.mkdtemp(prefix="tracedoctor-bench-", dir=args.tmp)

    def fresh_db(self, name):
        path = os.path.join(self.tmp, name + ".db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return path

    def run(self, group, label, command, input_path, records, record_word, reference=False, repeat=None):
        best = None
        repeat = repeat or (self.args.repeat if label.startswith("tracedoctor") or reference else 1)
        for attempt in range(repeat):
            log(f"bench: {label} (run {attempt + 1}/{repeat})")
            result = measure(command(), label)
            if result.get("exit") != 0:
                raise SystemExit(f"bench: {label} failed (exit {result.get('exit')}):\n{result['stderr_tail']}")
            if best is None or result["wall_s"] < best["wall_s"]:
                best = result
        size = os.path.getsize(input_path) if input_path else 0
        row = {
            "group": group, "case": label, "wall_s": best["wall_s"], "peak_rss_mb": best["peak_rss_mb"],
            "bytes": size, "records": records, "record_word": record_word,
            "mb_per_s": size / 1e6 / best["wall_s"] if size else None,
            "records_per_s": records / best["wall_s"] if records else None,
            "reference": reference,
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
            lines.append("| case | wall | throughput | peak RSS | time vs tracedoctor |")
            lines.append("|---|---:|---:|---:|---:|")
            for r in rows:
                rate = []
                if r["records_per_s"]:
                    rate.append(f"{r['records_per_s'] / 1e3:,.0f} k {r['record_word']}/s")
                if r["mb_per_s"]:
                    rate.append(f"{r['mb_per_s']:,.0f} MB/s")
                ratio = r["wall_s"] / td["wall_s"]
                name = r["case"] + (" (reference)" if r["reference"] else "")
                lines.append(f"| {name} | {r['wall_s']:.2f} s | {', '.join(rate)} | {r['peak_rss_mb']:.0f} MB | "
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
    parser.add_argument("--cases", default="ingest,document,formats")
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
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    print(f"machine: {machine}")
    print(f"reproduce: make bench SIZE={args.size}")
    print(bench.table())
    with open(args.json, "w") as f:
        json.dump({"machine": machine, "size": args.size, "rows": bench.rows}, f, indent=1)


if __name__ == "__main__":
    main()
