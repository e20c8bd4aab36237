#!/usr/bin/env bash
# Creates (or reuses) the cached venv that runs emit.py; it is rebuilt only when requirements.txt changes.
#
# Usage: tests/realsdk/setup-venv.sh      -> prints the venv's path as the last line of stdout.
# The venv lives at <repo>/.cache/realsdk-venv (override with REALSDK_VENV); the sha256 of
# requirements.txt is stored in it, and a mismatch (or a broken venv) rebuilds it from scratch.
# Needs python3 (>= 3.9, with the venv module) and network access to PyPI on the first run only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${REALSDK_VENV:-$root/.cache/realsdk-venv}"
req="$here/requirements.txt"
python="${PYTHON:-python3}"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"

mkdir -p "$(dirname "$venv")"
# Serialise concurrent callers (parallel test runs) on one lock file beside the venv.
exec 9>"$venv.lock"
flock 9

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
    && "$venv/bin/python" -c 'import opentelemetry.sdk.trace, py_zipkin, chdb' 2>/dev/null; then
    echo "realsdk venv: cached ($venv)" >&2
    echo "$venv"
    exit 0
fi

echo "realsdk venv: creating $venv from $req" >&2
rm -rf "$venv"
if ! "$python" -m venv "$venv" >&2; then
    rm -rf "$venv"
    echo "realsdk venv: '$python -m venv' failed (on Debian: apt-get install python3-venv)" >&2
    exit 1
fi
if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --no-input -q -r "$req" >&2; then
    rm -rf "$venv"
    echo "realsdk venv: pip install -r $req failed" >&2
    exit 1
fi
echo "$want" >"$stamp"   # written last: a half-built venv never looks cached
echo "realsdk venv: ready ($venv)" >&2
echo "$venv"
