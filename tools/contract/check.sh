#!/usr/bin/env bash
# Checks the checked-in contract with the tools integrators use, at the versions pinned in
# package-lock.json (installed on first use): Redocly CLI and Spectral lint it (any error or
# warning fails), openapi-typescript generates the TypeScript client types a municipal software
# vendor would, and tsc checks, strictly, a scenario written against them (typescript/); and
# openapi-python-client generates the Python client, whose operations and models a scenario
# checks (python/).
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

# openapi-python-client, pinned with hashes in python/requirements.lock, in a venv of its own:
# the client it generates must hold every operation and read the answers (python/scenario.py).
venv=python/.venv
if [ ! -x "$venv/bin/openapi-python-client" ]; then
  echo "installing openapi-python-client (pip, pinned by tools/contract/python/requirements.lock)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r python/requirements.lock
fi
rm -rf generated/python
PATH="$PWD/$venv/bin:$PATH" "$venv/bin/openapi-python-client" generate --path ../../openapi.yaml \
  --meta none --output-path generated/python/mcp_client > generated/python.log 2>&1 \
  || { cat generated/python.log; exit 1; }
"$venv/bin/python" python/scenario.py ../../openapi.yaml generated/python
