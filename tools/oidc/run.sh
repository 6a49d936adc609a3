#!/usr/bin/env bash
# Runs flow.py — an OpenID Connect relying party written with authlib — against a running
# service, in a venv of its own installed on first use from requirements.lock (pinned with
# hashes). Usage: run.sh <flow.py arguments>.
set -euo pipefail
cd "$(dirname "$0")"
venv=.venv
# Two tests may start at once: one installs, the other waits for it.
exec 9>.venv.lock
flock 9
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import authlib, requests" 2>/dev/null; then
  echo "installing authlib (pip, pinned by tools/oidc/requirements.lock)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r requirements.lock >&2
fi
flock -u 9
exec "$venv/bin/python" flow.py "$@"
