#!/bin/sh
# Self-test of the bench scripts on small files (default 20M each):
#   - every generator twice with the same seed -> byte-identical output and truth
#   - verify.py: an independent json parse agrees with every truth file
#   - both baselines load the OTLP files (JSONL and single document) with the truth's
#     span count, and produce identical rows
#   - measure.py reports exit status and a sane RSS
# Usage: bench/selftest.sh [SIZE]     (temporary files under ${TMPDIR:-/tmp}, removed after)
set -eu
SIZE=${1:-20M}
B=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/tdbench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== determinism"
for seed in 1 2; do
    for run in a b; do
        python3 "$B/gen_otlp.py" --size "$SIZE" --seed $seed --out "$T/o$seed$run.jsonl" --quiet
        python3 "$B/gen_otlp.py" --size "$SIZE" --seed $seed --single-document --out "$T/s$seed$run.json" --quiet
        python3 "$B/gen_jaeger.py" --size "$SIZE" --seed $seed --out "$T/j$seed$run.json" --quiet
        python3 "$B/gen_zipkin.py" --size "$SIZE" --seed $seed --out "$T/z$seed$run.json" --quiet
        python3 "$B/gen_logs.py" --size "$SIZE" --seed $seed --out "$T/l$seed$run.jsonl" --quiet
    done
    for f in o$seed.jsonl s$seed.json j$seed.json z$seed.json l$seed.jsonl; do
        a=$(echo "$f" | sed "s/$seed\./${seed}a./")
        b=$(echo "$f" | sed "s/$seed\./${seed}b./")
        cmp -s "$T/$a" "$T/$b" || fail "$a and $b differ"
        cmp -s "$T/$a.truth.json" "$T/$b.truth.json" || fail "$a.truth.json and $b.truth.json differ"
    done
done
cmp -s "$T/o1a.jsonl" "$T/o2a.jsonl" && fail "seeds 1 and 2 give the same file"
echo "ok: same seed -> identical bytes (otlp, otlp single, jaeger, zipkin, logs)"

echo "== verify (independent parse vs truth)"
python3 "$B/gen_logs.py" --traces-from "$T/o1a.jsonl.truth.json" --lines 50000 --out "$T/lo.jsonl" --quiet
for f in o1a.jsonl s1a.json j1a.json z1a.json l1a.jsonl; do
    python3 "$B/verify.py" "$T/$f" > "$T/verify.out" || { cat "$T/verify.out"; fail "verify $f"; }
done
python3 "$B/verify.py" "$T/lo.jsonl" --otlp "$T/o1a.jsonl" > "$T/verify.out" || { cat "$T/verify.out"; fail "verify logs"; }
echo "ok"

echo "== baselines"
for f in o1a.jsonl s1a.json; do
    want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spans"])' "$T/$f.truth.json")
    python3 "$B/baseline_python.py" "$T/$f" "$T/py.db" 2>/dev/null
    "$B/baseline_sqlite.sh" "$T/$f" "$T/sq.db"
    got_py=$(sqlite3 "$T/py.db" "SELECT count(*) FROM spans")
    got_sq=$(sqlite3 "$T/sq.db" "SELECT count(*) FROM spans")
    [ "$got_py" = "$want" ] || fail "baseline_python $f: $got_py spans, truth $want"
    [ "$got_sq" = "$want" ] || fail "baseline_sqlite $f: $got_sq spans, truth $want"
    diff=$(sqlite3 "$T/py.db" "ATTACH '$T/sq.db' AS q;
        SELECT (SELECT count(*) FROM (SELECT trace_id, span_id, parent_span_id, name, kind, service,
                start_ns, end_ns, status_code, attributes, events, links FROM main.spans
            EXCEPT SELECT trace_id, span_id, parent_span_id, name, kind, service,
                start_ns, end_ns, status_code, attributes, events, links FROM q.spans))
             + (SELECT count(*) FROM (SELECT trace_id, span_id, parent_span_id, name, kind, service,
                start_ns, end_ns, status_code, attributes, events, links FROM q.spans
            EXCEPT SELECT trace_id, span_id, parent_span_id, name, kind, service,
                start_ns, end_ns, status_code, attributes, events, links FROM main.spans));")
    [ "$diff" = 0 ] || fail "baselines differ on $diff rows ($f)"
    echo "ok: $f: $want spans in both, identical rows"
done

echo "== measure.py"
out=$(python3 "$B/measure.py" -- sh -c 'exit 3')
echo "$out" | grep -q '"exit": 3' || fail "measure.py exit: $out"
out=$(python3 "$B/measure.py" -- python3 -c 'b = bytearray(200 * 1024 * 1024)')
python3 -c 'import json,sys; r = json.loads(sys.argv[1]); assert 200 < r["peak_rss_mb"] < 300 and r["exit"] == 0, r' "$out" \
    || fail "measure.py rss: $out"
echo "ok"
echo "selftest passed"
