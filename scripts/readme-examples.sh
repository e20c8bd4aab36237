#!/usr/bin/env bash
# Prints the example outputs the README shows, made by the commands themselves on the demo dump
# (fixtures/demo): re-run after changing an output and paste what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/tracedoctor}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r fixtures/demo "$tmp/demo"
cd "$tmp"
run() {
    echo "\$ tracedoctor $*"
    "$OLDPWD/$bin" "$@" 2>&1 || true
    echo
}
export TRACEDOCTOR_DB=demo.db
run ingest demo/traces.otlp.jsonl demo/app.log.jsonl
run traces --limit 5
run orphans
run gaps
run stats
run explain --most-broken
run explain 529aa23a --logs none
run logs bf576df7
run logs --unlinked
run sql "SELECT service, count(*) AS spans, count(DISTINCT trace_id) AS traces, round(max(end_ns - start_ns) / 1e6, 1) AS max_ms FROM spans GROUP BY service ORDER BY spans DESC"
