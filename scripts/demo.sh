#!/usr/bin/env bash
# make demo: ingest the bundled demo dump (fixtures/demo: spans from the real OpenTelemetry SDK and
# the application's JSON log lines) into a temporary database, show what tracedoctor finds in it,
# and end with `explain` of the most broken trace — a 200 ms wait no span covers, with the log
# line that explains it printed at the gap.
set -euo pipefail
bin=${1:-.build/debug/tracedoctor}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/demo.db"
for file in fixtures/demo/traces.otlp.jsonl fixtures/demo/app.log.jsonl; do
    [ -f "$file" ] || { echo "demo: $file is missing" >&2; exit 2; }
done

step() {
    echo
    echo "\$ tracedoctor $*"
}

echo "\$ tracedoctor ingest --db demo.db fixtures/demo/traces.otlp.jsonl fixtures/demo/app.log.jsonl"
"$bin" ingest --db "$db" fixtures/demo/traces.otlp.jsonl fixtures/demo/app.log.jsonl | sed "s|$tmp/||g"
step traces --db demo.db --limit 5
"$bin" traces --db "$db" --limit 5
step orphans --db demo.db
"$bin" orphans --db "$db"
step explain --db demo.db --most-broken
"$bin" explain --db "$db" --most-broken
