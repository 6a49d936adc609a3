#!/usr/bin/env bash
# Checks the checked-in contract with the tools integrators use, at the versions pinned in
# package-lock.json (installed on first use): Redocly CLI and Spectral lint it (any error or
# warning fails), openapi-typescript generates the TypeScript client types a municipal software
# vendor would, and tsc checks, strictly, a scenario written against them (typescript/).
set -euo pipefail
cd "$(dirname "$0")"
tools=(redocly spectral openapi-typescript tsc)
for t in "${tools[@]}"; do
  if [ ! -x "node_modules/.bin/$t" ]; then
    echo "installing the contract checkers (npm ci, pinned by tools/contract/package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    break
  fi
done
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
node_modules/.bin/redocly lint ../../openapi.yaml --config redocly.yaml --max-problems 50
node_modules/.bin/spectral lint ../../openapi.yaml --ruleset .spectral.yaml --fail-severity warn
mkdir -p generated
node_modules/.bin/openapi-typescript ../../openapi.yaml -o generated/api.d.ts --silent
node_modules/.bin/tsc -p typescript/tsconfig.json
echo "openapi-typescript: the generated client types check the integrator's scenario"
