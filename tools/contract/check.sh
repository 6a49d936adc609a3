#!/usr/bin/env bash
# Lints the checked-in contract with the tools integrators use (Redocly CLI, Spectral), at the
# versions pinned in package-lock.json; installs them on first use. Fails on any error or
# warning.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x node_modules/.bin/redocly ] || [ ! -x node_modules/.bin/spectral ]; then
  echo "installing the contract checkers (npm ci, pinned by tools/contract/package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
node_modules/.bin/redocly lint ../../openapi.yaml --config redocly.yaml --max-problems 50
node_modules/.bin/spectral lint ../../openapi.yaml --ruleset .spectral.yaml --fail-severity warn
