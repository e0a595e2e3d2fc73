#!/usr/bin/env bash
# Medians over runs of the reports scripts/bench.sh wrote, as the Markdown table of
# docs/benchmarks.md:  scripts/bench-summary.sh DIR
set -euo pipefail
shopt -s nullglob
dir=$1
median='sort_by(.) | if length == 0 then null else .[(length - 1) / 2 | floor] end'
fmt='if . == null then "—" else (. * 10 | round / 10 | tostring) end'
ns=$(ls "$dir" | sed -n 's/^paja-\([0-9]*\)-[0-9]*\.json$/\1/p' | sort -n | uniq)
echo "| participants | joined (all runs) | join all, s | connect→welcome p99, ms | fan-out p50, ms | fan-out p99, ms | floor p99, ms | Paja ÷ floor | wall: all phones, s after last submit | server bytes per idle participant | server peak RSS, MiB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $ns; do
  paja=("$dir"/paja-"$n"-*.json)
  floor=("$dir"/floor-"$n"-*.json)
  jq -rs --argjson n "$n" "
    def med: $median;
    def f: $fmt;
    (.[0:${#paja[@]}]) as \$p | (.[${#paja[@]}:]) as \$f |
    ([\$p[].fanout.latency.p99] | med) as \$pp | ([\$f[].fanout.latency.p99] | med) as \$fp |
    \"| \(\$n) | \([\$p[].join.joined] | map(tostring) | join(\"/\")) \" +
    \"| \([\$p[].join.all_ms / 1000] | med | f) \" +
    \"| \([\$p[].join.connect_to_welcome.p99] | med | f) \" +
    \"| \([\$p[].fanout.latency.p50] | med | f) | \(\$pp | f) | \(\$fp | f) \" +
    \"| \(if \$pp and \$fp then (\$pp / \$fp * 100 | round / 100 | tostring) + \"×\" else \"—\" end) \" +
    \"| \([\$p[].wall.all_phones_ms | select(. != null) / 1000] | med | f) \" +
    \"| \([\$p[].resources.bytes_per_idle_participant] | med | round) \" +
    \"| \([\$p[].resources.peak_rss_kib / 1024] | med | round) |\"
  " "${paja[@]}" "${floor[@]}"
done
if ls "$dir"/acks-*.json >/dev/null 2>&1; then
  echo
  echo "| 1,000 participants sending | acks/s | submit→ack p50, ms | p99, ms | submit→screen p50, ms | p99, ms |"
  echo "|---|---:|---:|---:|---:|---:|"
  for phase in closed rate; do
    jq -rs --arg phase "$phase" "
      def med: $median;
      def f: $fmt;
      map(.[\$phase]) as \$r |
      \"| \(\$phase)\(if \$phase == \"rate\" then \" (offered \(\$r[0].offered_per_sec) items/s)\" else \" loop, \(\$r[0].items) items\" end) \" +
      \"| \([\$r[].acks_per_sec] | med | round) \" +
      \"| \([\$r[].submit_to_ack.p50] | med | f) | \([\$r[].submit_to_ack.p99] | med | f) \" +
      \"| \([\$r[].submit_to_screen.p50] | med | f) | \([\$r[].submit_to_screen.p99] | med | f) |\"
    " "$dir"/acks-*.json
  done
fi
