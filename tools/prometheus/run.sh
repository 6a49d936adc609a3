#!/usr/bin/env bash
# Parses Prometheus text on stdin with prometheus_client (see parse.py), in a venv installed on
# first use from requirements.lock (pinned with hashes).
exec "$(dirname "$0")/../venv-run.sh" prometheus parse.py "$@"
