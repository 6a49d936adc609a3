#!/usr/bin/env bash
# Keeps the layers honest: the domain depends on no framework and no database crate, the
# persistence layer on no HTTP crate. Reads the real dependency graph (cargo tree).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
check() {
  local crate=$1 forbidden=$2
  local found
  found=$(cargo tree -p "$crate" -e normal --prefix none --format '{p}' 2>/dev/null \
    | awk '{print $1}' | sort -u | grep -E "^(${forbidden})$" || true)
  if [ -n "$found" ]; then
    echo "layer check: $crate must not depend on: $(echo "$found" | tr '\n' ' ')" >&2
    fail=1
  else
    echo "layer check: $crate is clean"
  fi
}
check mcp-domain 'diesel|diesel_migrations|libsqlite3-sys|pq-sys|actix-web|actix-http|actix-rt|tokio|hyper|reqwest|utoipa|jsonwebtoken|argon2|r2d2|mcp-persistence|mcp-api'
check mcp-persistence 'actix-web|actix-http|actix-rt|hyper|reqwest|utoipa|utoipa-swagger-ui|jsonwebtoken|mcp-api'
exit $fail
