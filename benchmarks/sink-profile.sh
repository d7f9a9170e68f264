#!/usr/bin/env bash
# Where a sink's CPU goes, by kind of work: `shopstream sink SINK` (silver into SQLite, or bronze
# into a folder lake, both in /dev/shm; release build) on an EVENTS-event backlog under `perf record`
# (2 kHz, call chains), then per thread group the share of samples in reference counting
# (swift_retain/release), the allocator, SQLite, librdkafka, the kernel and the rest, and the
# ShopStream functions whose retains, releases and allocations cost most. Samples are cycles, so
# this shows what sink-instructions.sh cannot: an atomic retain is one instruction and ~20 cycles.
# Shares, not seconds: comparable across runs on a loaded machine. Not a test; needs perf and
# python3.
#
#   benchmarks/sink-profile.sh silver|bronze [EVENTS]     (default 300,000)
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/broker.sh
SINK=${1:-}
case "$SINK" in silver | bronze) ;; *) echo "usage: $0 silver|bronze [EVENTS]" >&2; exit 2 ;; esac
N=${2:-300000}
for tool in perf python3; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
swift build -c release --product shopstream >/dev/null
BIN=.build/release/shopstream
WORK=$(mktemp -d /dev/shm/sink-profile.XXXXXX)
trap 'kill $BROKER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_broker "$BIN" "$WORK/broker.out"
B=$BROKER
"$BIN" generate --brokers "$B" --events "$N" -q >/dev/null
if [ "$SINK" = silver ]; then
  "$BIN" warehouse init --warehouse "sqlite://$WORK/w.db" >/dev/null
  target=(--warehouse "sqlite://$WORK/w.db")
else
  target=(--lake "file://$WORK/lake")
fi
perf record -q -F 1999 -g -o "$WORK/perf.data" -- "$BIN" sink "$SINK" --brokers "$B" "${target[@]}" --idle-exit 2s \
  --group profile -q 2>&1 | grep -E "^$SINK:" >&2 || true
perf script -i "$WORK/perf.data" 2>/dev/null | python3 benchmarks/sink_profile.py | swift demangle --simplified | cut -c1-200
