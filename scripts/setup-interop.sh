#!/usr/bin/env bash
# Creates the Python virtual environments the Tweepy interop tests run in:
#   target/interop/venv-4.12  Tweepy 4.12.1 (API v1.1 `Stream`)
#   target/interop/venv-4.14  Tweepy 4.14.0 (API v2 `StreamingClient`)
# Idempotent: a venv whose installed requirements match its file is left
# alone. Needs python3 (3.8 or later) with the venv module, and PyPI.
# Usage: scripts/setup-interop.sh [python-interpreter]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-${PYTHON:-python3}}"
base="${REHOSE_INTEROP_DIR:-$root/target/interop}"
mkdir -p "$base"

# Test binaries may call this at the same time: one runs, the others wait
# and then find the venvs up to date.
if command -v flock >/dev/null; then
    exec 9>"$base/.lock"
    flock 9
fi

for version in 4.12 4.14; do
    requirements="$root/tests/interop/requirements-$version.txt"
    venv="$base/venv-$version"
    stamp="$venv/.requirements"
    if [ -x "$venv/bin/python" ] && cmp -s "$requirements" "$stamp"; then
        echo "venv-$version: up to date"
        continue
    fi
    echo "venv-$version: installing $(grep -m1 '^tweepy==' "$requirements")"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-deps --requirement "$requirements"
    # --no-deps installs exactly the pins; check they are complete.
    "$venv/bin/python" -m pip check --disable-pip-version-check
    cp "$requirements" "$stamp"
done
