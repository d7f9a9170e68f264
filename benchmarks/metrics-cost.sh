#!/usr/bin/env bash
# What the metrics cost the sinks: the bronze and silver sinks over the same backlog with the
# Prometheus backend (the default) and without it (SHOPSTREAM_METRICS=off: swift-metrics' no-op),
# alternated ROUNDS times in one run, release build. Not a test.
#
#   benchmarks/metrics-cost.sh [EVENTS] [ROUNDS]     (default 200,000 events, 4 rounds)
#
# Prints each run's events/s (the sink's own `elapsed` line) and, per sink, the ratio of the
# medians: on / off (1.00 = free; the goal is at least 0.97).
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/broker.sh
N=${1:-200000}
ROUNDS=${2:-4}
scripts/setup
swift build -c release --product shopstream >/dev/null
BIN=$PWD/.build/release/shopstream
WORK=$(mktemp -d)
trap 'kill $BROKER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_broker $BIN "$WORK/broker.out"
B=$BROKER
$BIN generate --brokers "$B" --events "$N" -q >/dev/null

rate() { awk '/^elapsed:/ {gsub(",", "", $4); print $4}' "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run=0
for round in $(seq "$ROUNDS"); do
  # Alternate which goes first: later runs over the same backlog tend to be slower.
  order="on off"; [ $((round % 2)) -eq 0 ] && order="off on"
  for metrics in $order; do
    run=$((run + 1))
    env=(); [ "$metrics" = off ] && env=(SHOPSTREAM_METRICS=off)
    env "${env[@]}" $BIN sink bronze --brokers "$B" --lake "file://$WORK/lake-$run" --group "bronze-$run" --idle-exit 2s -q >"$WORK/bronze-$metrics-$round.out"
    env "${env[@]}" $BIN sink silver --brokers "$B" --warehouse "sqlite://$WORK/wh-$run.db" --group "silver-$run" --idle-exit 2s -q >"$WORK/silver-$metrics-$round.out"
    printf 'round %s, metrics %-3s  bronze %8s events/s   silver %8s events/s\n' "$round" "$metrics" \
      "$(rate "$WORK/bronze-$metrics-$round.out")" "$(rate "$WORK/silver-$metrics-$round.out")"
    rm -rf "$WORK/lake-$run" "$WORK"/wh-$run*
  done
done
for sink in bronze silver; do
  on=$(for f in "$WORK"/$sink-on-*.out; do rate "$f"; done | median)
  off=$(for f in "$WORK"/$sink-off-*.out; do rate "$f"; done | median)
  echo "$sink: median $on events/s with metrics, $off without: ratio $(echo "scale=3; $on / $off" | bc)"
done
