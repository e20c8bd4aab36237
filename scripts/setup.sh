#!/usr/bin/env bash
# What `make test`, `make demo` and `make bench` need beyond Swift, installed when missing
# (Debian packages via apt-get). Quick when everything is already there.
#
# usage: scripts/setup.sh [test|bench]
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
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
$SUDO apt-get install -y -qq "${missing[@]}" >&2
