#!/usr/bin/env bash
# The benchmark matrix of docs/benchmarks.md. For each N: Paja as its own process (so its
# memory is its own) and the floor server, RUNS times each; then durable acks/s with 1,000
# participants sending. JSON reports go to $OUT; scripts/bench-summary.sh makes the table.
#
#   scripts/bench.sh                       # everything (about 15 minutes on 2 cores)
#   NS="1000 10000" RUNS=1 scripts/bench.sh
#
# Every run targets 127.0.0.1 only and stops by itself (--max-secs).
set -euo pipefail
cd "$(dirname "$0")/.."
NS=${NS:-"100 1000 5000 10000 19900"}
RUNS=${RUNS:-3}
ITEMS=${ITEMS:-1000}
HOLD_AT=${HOLD_AT:-19900}
OUT=${OUT:-target/bench/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
cargo build --release -p paja -p paja-load --bin paja --bin paja-load --example floor
# One descriptor per connection on each side: 20,000 participants need the hard limit raised
# above 20,000 (here it cannot be: see docs/benchmarks.md), which is why the top row is 19,900.
ulimit -n "$(ulimit -Hn)"
for n in $NS; do
  hold=0
  [ "$n" = "$HOLD_AT" ] && hold=30
  for run in $(seq "$RUNS"); do
    echo "N=$n run $run: paja"
    scripts/bench-one.sh "$OUT/paja-$n-$run.json" -n "$n" -k "$ITEMS" --phases fanout,wall \
      --hold-secs "$hold" --max-secs 400 --phase-secs 150
    echo "N=$n run $run: floor"
    scripts/bench-floor.sh "$OUT/floor-$n-$run.json" -n "$n" --max-secs 200
  done
done
for run in $(seq "$RUNS"); do
  echo "acks run $run"
  scripts/bench-one.sh "$OUT/acks-$run.json" -n 1000 -k 60000 --phases closed,rate --rate 20000 \
    --max-secs 300 --phase-secs 120
done
scripts/bench-summary.sh "$OUT"
