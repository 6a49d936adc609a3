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

# The HTTP layer parses, calls one use case and shapes the answer: it never queries.
if grep -rlnE '(^|[^a-z_])diesel::|use diesel' api/src >/dev/null; then
  echo "layer check: api/src must not use diesel: $(grep -rlnE '(^|[^a-z_])diesel::|use diesel' api/src | tr '\n' ' ')" >&2
  fail=1
else
  echo "layer check: api/src uses no diesel"
fi

# The store holds rows and queries; the use cases are built on it, never the other way round.
if grep -rlnE 'use_cases' persistence/src/store >/dev/null; then
  echo "layer check: persistence/src/store must not import a use case: $(grep -rlnE 'use_cases' persistence/src/store | tr '\n' ' ')" >&2
  fail=1
else
  echo "layer check: the store imports no use case"
fi

# Store modules build on one another without a cycle (a cycle means a step lives in the wrong
# module): the graph of `crate::store::<module>` references outside comments.
cycle=$(python3 - <<'PY'
import pathlib, re
root = pathlib.Path("persistence/src/store")
graph = {}
for f in root.glob("*.rs"):
    code = "\n".join(l for l in f.read_text().splitlines() if not l.lstrip().startswith("//"))
    deps = set(re.findall(r"(?:crate::store::|super::)([a-z_]+)::", code))
    deps |= set(re.findall(r"(?:crate::store::|super::)([a-z_]+)\b", code))
    graph[f.stem] = {d for d in deps if d != f.stem and (root / f"{d}.rs").exists()}
seen, stack = set(), []
def visit(m):
    if m in stack:
        return stack[stack.index(m):] + [m]
    if m in seen:
        return None
    seen.add(m); stack.append(m)
    for d in sorted(graph.get(m, ())):
        c = visit(d)
        if c:
            return c
    stack.pop()
    return None
for m in sorted(graph):
    c = visit(m)
    if c:
        print(" -> ".join(c))
        break
PY
)
if [ -n "$cycle" ]; then
  echo "layer check: store modules import each other in a cycle: $cycle" >&2
  fail=1
else
  echo "layer check: the store modules import each other without a cycle"
fi

# A file holds one thing: none over 700 lines in api/src or persistence/src. The files listed
# here, if any, are still to be split; each may shrink, never grow.
declare -A still_to_split=()
while read -r lines file; do
  [ "$file" = total ] && continue
  cap=${still_to_split[$file]:-700}
  if [ "$lines" -gt "$cap" ]; then
    echo "layer check: $file has $lines lines (at most $cap): split it by what it holds" >&2
    fail=1
  fi
done < <(find api/src persistence/src -name '*.rs' -print0 | xargs -0 wc -l)
echo "layer check: file sizes checked"
exit $fail
