#!/usr/bin/env bash
# Runs a Python tool of this folder in a venv of its own, installed on first use from the tool's
# requirements.lock (pinned with hashes) and reinstalled when that file changes.
# Usage: venv-run.sh <tool folder> <script.py> [arguments…]
set -euo pipefail
cd "$(dirname "$0")/$1"
script=$2
shift 2
venv=.venv
# Two tests may start at once: one installs, the other waits for it.
exec 9>.venv.lock
flock 9
want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
  echo "installing $(basename "$PWD")'s Python packages (pip, pinned by requirements.lock)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r requirements.lock >&2
  echo "$want" > "$venv/.installed"
fi
flock -u 9
exec "$venv/bin/python" "$script" "$@"
