#!/usr/bin/env bash
# What `make test`, `make demo` and `make bench` need beyond Swift, installed when missing
# (Debian packages via apt-get). Quick when everything is already there.
#
# usage: scripts/setup.sh [test|demo|bench]   (chromium is only tried for test)
set -euo pipefail
need=(sqlite3 libsqlite3-dev zlib1g-dev python3 python3-venv)
if [ "${1:-test}" = bench ]; then
    need+=(lnav hyperfine)
fi
missing=()
for package in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# python3 may come from elsewhere (pyenv): then only the venv module matters.
if command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null; then
    filtered=()
    for package in "${missing[@]}"; do
        case "$package" in python3|python3-venv) ;; *) filtered+=("$package") ;; esac
    done
    missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq >&2 || true
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# Optional for `make test`: Debian's chromium renders the `explain --format html` page headless.
# Without it that test is skipped and says why, so a failed install does not fail the setup.
# Only what headless rendering needs: --no-install-recommends keeps out the ~100 packages the
# desktop browser recommends (a print server, upower, the sandbox helper: the test runs
# --no-sandbox); a font comes with fontconfig, which chromium depends on.
if [ "${1:-test}" = test ] && ! command -v chromium >/dev/null 2>&1; then
    echo "setup: installing chromium (optional: renders the explain HTML page in a test)" >&2
    if ! { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq --no-install-recommends chromium >&2; }; then
        echo "setup: could not install chromium; the HTML rendering test will be skipped" >&2
    fi
fi
exit 0
