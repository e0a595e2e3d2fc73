#!/usr/bin/env bash
# One paja-load run against a fresh `paja` process (its own data directory, its own memory):
#   scripts/bench-one.sh OUT.json [paja-load flags…]
# Starts target/release/paja (or $PAJA) on 127.0.0.1:$PORT, passes --url and --server-pid, stops it after.
# The generator is target/release/paja-load (or $LOAD).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
shift
port=${PORT:-18080}
data=$(mktemp -d)
log=${out%.json}.log
"${PAJA:-target/release/paja}" --addr "127.0.0.1:$port" --data-dir "$data" \
  --participant-rate 1000000 --participant-burst 1000000 --max-connections-per-ip 100000 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
# Ready once it says where it runs (bounded: 10 s).
for _ in $(seq 100); do grep -qs "Paja is running" "$log" && break; sleep 0.1; done
"${LOAD:-target/release/paja-load}" --url "http://127.0.0.1:$port" --server-pid "$pid" --json "$@" >"$out" || true
