#!/usr/bin/env bash
# Live latency, release build. Not a test.
#
#   benchmarks/live.sh [SECONDS] [RATES…]      (default 90 s at 300 and at 3000 events/s)
#
# For each rate, `shopstream run --live` on the embedded default runs for SECONDS, then SIGTERM;
# its report gives, measured inside the process on every live event:
#   event sent (shopstream-sent-at) → row in silver: p50/p99;
#   sale sent (its time, which is its send time in a live run) → in gold, i.e. the end of the
#   first compaction pass that took it in (a pass every 10 s): p50/p99.
# Goals: silver p99 < 1 s; gold p99 < the compaction interval + 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-90}
shift || true
RATES=("$@")
[ ${#RATES[@]} -gt 0 ] || RATES=(300 3000)
scripts/setup
swift build -c release --product shopstream >/dev/null
BIN=$PWD/.build/release/shopstream
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

for rate in "${RATES[@]}"; do
  rm -rf "${WORK:?}/"*
  $BIN run --live --rate "$rate" --http "127.0.0.1:$PORT" --lake "file://$WORK/lake" --warehouse "sqlite://$WORK/warehouse.db" \
    --quiet >"$WORK/live.out" 2>"$WORK/live.err" &
  pid=$!
  sleep "$SECONDS_EACH"
  kill -TERM $pid
  wait $pid || { echo "run --live at $rate/s did not stop cleanly:"; tail -5 "$WORK/live.err"; }
  echo "== $rate events/s for $SECONDS_EACH s"
  grep -E '^(latency|  )' "$WORK/live.out" | grep -E 'latency|gold p50' || true
  grep -E '^warehouse:' "$WORK/live.out"
done
