#!/usr/bin/env bash
# Single entry point for the tests: ensure the cached venv, emit every scenario into OUTDIR, then self-check it.
#
# Usage: tests/realsdk/run.sh OUTDIR     (exit 0 only if emitting and verifying both succeeded)
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 64
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$("$here/setup-venv.sh" | tail -n 1)"
mkdir -p "$1"
"$venv/bin/python" "$here/emit.py" "$1"
"$venv/bin/python" "$here/verify.py" "$1"
