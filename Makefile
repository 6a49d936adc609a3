# What the README tells people to type.
CARGO ?= cargo
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432

.PHONY: run test lint fmt openapi examples bench check-layers check-postgres check-contract build setup

## Builds and runs the service on an embedded SQLite file (./data/mcp.db), migrating it.
run:
	$(CARGO) run --release -p mcp-api --bin mcp -- serve

build:
	$(CARGO) build --workspace --all-targets

## What the suite needs beyond Rust: Debian's Chromium and its WebDriver, for the browser tests
## of the served pages (installed once, with apt), and axe-core, which those tests run in each
## page (npm, pinned by tools/a11y/package-lock.json).
setup:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  echo "installing chromium and chromium-driver (Debian packages) for the browser test"; \
	  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	@if [ ! -f tools/a11y/node_modules/axe-core/axe.min.js ]; then \
	  echo "installing axe-core (npm ci, pinned by tools/a11y/package-lock.json)"; \
	  cd tools/a11y && npm ci --no-audit --no-fund --loglevel=error; \
	fi

## The whole suite: layer check, unit tests, repository tests, end-to-end HTTP scenarios and
## the browser test, each on SQLite and on the PostgreSQL server at $(PG_HOST):$(PG_PORT).
test: setup check-layers check-postgres check-contract
	$(CARGO) test --workspace --all-targets

## openapi.yaml as integrators' tools read it: Redocly CLI and Spectral, pinned, 0 errors and 0
## warnings; openapi-typescript's generated types checked by tsc against an integrator's
## scenario (tools/contract; needs Node.js and npm).
check-contract:
	./tools/contract/check.sh

check-layers:
	./scripts/check-layers.sh

check-postgres:
	@pg_isready -q -h $(PG_HOST) -p $(PG_PORT) || { echo "PostgreSQL is not answering on $(PG_HOST):$(PG_PORT); the suite runs on it too (set MCP_TEST_POSTGRES_URL to use another)." >&2; exit 1; }

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## Regenerates the checked-in contract and the catalogue of error codes from the code.
openapi:
	$(CARGO) run -q -p mcp-api --bin mcp -- openapi > openapi.yaml
	$(CARGO) run -q -p mcp-api --bin mcp -- error-codes > docs/ERRORS.md

## The contract's response examples: the first answer of each response schema the suite meets
## on SQLite, recorded, merged into api/src/openapi/examples.json; then `make openapi`.
examples:
	rm -rf target/examples && mkdir -p target/examples
	MCP_RECORD_EXAMPLES=$(CURDIR)/target/examples $(CARGO) test -p mcp-integration-tests --tests -- sqlite::
	./scripts/merge-examples.py target/examples api/src/openapi/examples.json

## Throughput and latency figures, written to docs/bench/REPORT.md, INSTANCES.md (two service
## processes), TRACES.md (reading ten million traces, MCP_BENCH_TRACES to change) and SCALE.md
## (the registry's reads at 50,000 partners and a million accounts).
bench:
	$(CARGO) run --release -p mcp-integration-tests --bin bench -- --sections registry,cdap --report docs/bench/REPORT.md
	$(CARGO) build --release -p mcp-integration-tests --bins
	./target/release/bench --sections instances --report docs/bench/INSTANCES.md
	./target/release/bench --sections logins --report docs/bench/LOGINS.md
	$(CARGO) run --release -p mcp-integration-tests --bin bench -- --sections traces --report docs/bench/TRACES.md
	./target/release/bench --sections scale --report docs/bench/SCALE.md
