#!/usr/bin/env bash
# make demo: ingest the bundled demo dump (fixtures/demo) into a temporary database and show
# what tracedoctor finds in it.
set -euo pipefail
bin=${1:-.build/debug/tracedoctor}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/demo.db"

echo "\$ tracedoctor ingest --db demo.db fixtures/demo/traces.otlp.jsonl"
"$bin" ingest --db "$db" fixtures/demo/traces.otlp.jsonl | sed "s|$tmp/||g"
