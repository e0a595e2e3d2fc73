#!/usr/bin/env bash
# Thousands of stored sessions: an eager server (every session loaded at start, as before
# issue 15) against a lazy one (sessions load on first use), on the same generated data.
# Prints start-up time to /healthz, RSS, cold and warm join latency, and the retention sweep.
# Figures and how they were taken: docs/benchmarks.md, "Thousands of stored sessions".
#
#   EAGER=/path/to/old/paja LAZY=target/release/paja N=10000 scripts/bench-stored.sh
#
# EAGER defaults to none (only the lazy server is measured). Build the tools first:
#   cargo build --release --bin paja --example gen_sessions --example cold_joins
set -euo pipefail

N=${N:-10000}
COLD=${COLD:-200}
PORT=${PORT:-18080}
WORK=${WORK:-/tmp/paja-bench-stored}
LAZY=${LAZY:-target/release/paja}
EAGER=${EAGER:-}
GEN=${GEN:-target/release/examples/gen_sessions}
JOINS=${JOINS:-target/release/examples/cold_joins}

mkdir -p "$WORK"
if [ ! -d "$WORK/data/sessions" ] || [ "$(ls "$WORK/data/sessions" | wc -l)" -ne "$N" ]; then
    rm -rf "$WORK/data" "$WORK/old"
    t0=$(date +%s.%N)
    "$GEN" --data-dir "$WORK/data" --count "$N" --days-ago 1
    "$GEN" --data-dir "$WORK/old" --count "$N" --days-ago 100
    echo "generated 2 x $N sessions in $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
echo "data: $(du -sh "$WORK/data" | cut -f1) for $N sessions"

rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# start BIN DATA [ARGS…]: starts the server, waits for /healthz; sets PID and UP (seconds).
start() {
    local bin=$1 data=$2
    shift 2
    local t0
    t0=$(date +%s.%N)
    RUST_LOG=info "$bin" --addr "127.0.0.1:$PORT" --data-dir "$data" "$@" 2>"$WORK/log" >/dev/null &
    PID=$!
    until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.01; done
    UP=$(echo "$(date +%s.%N) - $t0" | bc)
}

stop() {
    kill -TERM "$PID"
    wait "$PID" || true
}

measure() {
    local name=$1 bin=$2
    # A first start warms the page cache, so both servers read the files from memory.
    start "$bin" "$WORK/data"
    stop
    start "$bin" "$WORK/data"
    echo "$name: up in ${UP}s, RSS $(rss_mib "$PID") MiB at /healthz"
    if grep -q "sessions listed" "$WORK/log"; then
        until grep -q "stored sessions checked" "$WORK/log"; do sleep 0.1; done
        echo "$name: background check: $(sed 's/\x1b\[[0-9;]*m//g' "$WORK/log" | grep -o 'elapsed_ms=[0-9]*' | tail -1), RSS $(rss_mib "$PID") MiB after it"
    fi
    "$JOINS" --url "ws://127.0.0.1:$PORT" --first 0 --count 100 >/dev/null
    echo "$name: RSS $(rss_mib "$PID") MiB after 100 sessions touched"
    echo "$name: first joins: $("$JOINS" --url "ws://127.0.0.1:$PORT" --first 100 --count "$COLD")"
    echo "$name: again:       $("$JOINS" --url "ws://127.0.0.1:$PORT" --first 100 --count "$COLD")"
    stop

    # Retention: every session is 100 days old; the sweep at start deletes them all.
    rm -rf "$WORK/sweep"
    cp -a "$WORK/old" "$WORK/sweep"
    start "$bin" "$WORK/sweep" --retention-days 90
    local t0
    t0=$(date +%s.%N)
    until [ -z "$(ls -A "$WORK/sweep/sessions")" ]; do sleep 0.05; done
    echo "$name: retention sweep of $N sessions: $(echo "$(date +%s.%N) - $t0" | bc) s after /healthz (up in ${UP}s)"
    stop
}

[ -n "$EAGER" ] && measure eager "$EAGER"
measure lazy "$LAZY"
