#!/usr/bin/env bash
# Runs flow.py — an OpenID Connect relying party written with authlib — against a running
# service, in a venv installed on first use from requirements.lock (pinned with hashes).
# Usage: run.sh <flow.py arguments>.
exec "$(dirname "$0")/../venv-run.sh" oidc flow.py "$@"
