#!/usr/bin/env bash
# The silver sink's peak memory, release build. Not a test.
#
#   benchmarks/silver-memory.sh [DAYS]        (default 365 simulated days)
#   BEFORE=/path/to/old/shopstream benchmarks/silver-memory.sh 365   # the old binary too, same backlog
#   SINK_ARGS="--dedup-window 7d" benchmarks/silver-memory.sh        # extra options for this tree's binary
#   BIN=/path/to/shopstream benchmarks/silver-memory.sh               # that binary instead of building this tree
#
# `shopstream generate --days DAYS` into one `shopstream broker`, then for each binary:
#   cold     `sink silver` reads the whole backlog into a new SQLite warehouse;
#   restart  the same sink, group and warehouse again: nothing new to read, so its peak is the
#            state it loads from what silver already holds.
# Peak memory is the maximum resident set size from `/usr/bin/time -v`; "waited" is how many facts
# of the cold run waited for a dimension (held in memory meanwhile). The SQLite warehouse keeps a
# page cache of up to 64 MiB per dataset file, which a restart's read of silver fills.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/broker.sh
DAYS=${1:-365}
if [[ -z "${BIN:-}" ]]; then
  swift build -c release --product shopstream >/dev/null
  BIN=$PWD/.build/release/shopstream
fi
WORK=$(mktemp -d)
trap 'kill $BROKER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_broker $BIN "$WORK/broker.out"
B=$BROKER
$BIN generate --brokers "$B" --days "$DAYS" -q >"$WORK/generate.out"
EVENTS=$(awk '/events/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^events/) {gsub(",", "", $i); print $i; exit}}' "$WORK/generate.out")

peak() { awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$1"; }
rows() { awk '/^silver:/ {print $2}' "$1"; }
waited() { awk '/^silver:/ {print $6}' "$1"; }
rejected() { awk '/^silver:/ {print $4}' "$1"; }

# run NAME BINARY EXTRA-ARGS…: a cold run and a restart, into a warehouse of their own.
run() {
  local name=$1 bin=$2; shift 2
  local wh="sqlite://$WORK/$name.db" group="memory-$name"
  /usr/bin/time -v "$bin" sink silver --brokers "$B" --warehouse "$wh" --idle-exit 3s --group "$group" -q "$@" \
    >"$WORK/$name-cold.out" 2>"$WORK/$name-cold.time"
  /usr/bin/time -v "$bin" sink silver --brokers "$B" --warehouse "$wh" --idle-exit 3s --group "$group" -q "$@" \
    >"$WORK/$name-restart.out" 2>"$WORK/$name-restart.time"
  printf "%-8s %10s %9s %10s %14s %14s\n" "$name" "$(rows "$WORK/$name-cold.out")" "$(rejected "$WORK/$name-cold.out")" "$(waited "$WORK/$name-cold.out")" \
    "$(peak "$WORK/$name-cold.time") MiB" "$(peak "$WORK/$name-restart.time") MiB"
}

echo "silver sink peak RSS, $DAYS simulated days (${EVENTS:-?} events), SQLite, release"
printf "%-8s %10s %9s %10s %14s %14s\n" "binary" "rows" "rejected" "waited" "cold" "restart"
if [[ -n "${BEFORE:-}" ]]; then run before "$BEFORE"; fi
# shellcheck disable=SC2086
run this "$BIN" ${SINK_ARGS:-}
