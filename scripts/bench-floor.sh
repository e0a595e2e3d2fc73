#!/usr/bin/env bash
# One paja-load --floor run against a fresh floor server (examples/floor.rs):
#   scripts/bench-floor.sh OUT.json [paja-load flags…]
# The floor is target/release/examples/floor (or $FLOOR), the generator target/release/paja-load (or $LOAD).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
shift
port=${FLOOR_PORT:-19090}
log=${out%.json}.log
"${FLOOR:-target/release/examples/floor}" --addr "127.0.0.1:$port" --max-secs 900 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -qs "floor listening" "$log" && break; sleep 0.1; done
"${LOAD:-target/release/paja-load}" --floor --url "http://127.0.0.1:$port" --server-pid "$pid" --json "$@" >"$out" || true
