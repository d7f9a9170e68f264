#!/usr/bin/env bash
# Memory over time: `shopstream run --live` at RATE events/s for MINUTES, its resident memory read
# from its own /metrics every minute, release build. Not a test (half an hour by default).
#
#   benchmarks/soak.sh [MINUTES] [RATE]       (default 30 minutes at 1,000 events/s)
#
# Prints minute, RSS, events published and landed; at the end, RSS after warm-up (minute 5) against
# the last minute. Flat after warm-up is the goal: what the pipeline keeps must not grow with time.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
RATE=${2:-1000}
scripts/setup
swift build -c release --product shopstream >/dev/null
BIN=$PWD/.build/release/shopstream
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill $LIVE_PID 2>/dev/null || true; wait $LIVE_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

$BIN run --live --rate "$RATE" --http "127.0.0.1:$PORT" --lake "file://$WORK/lake" --warehouse "sqlite://$WORK/warehouse.db" \
  --quiet >"$WORK/live.out" 2>"$WORK/live.err" &
LIVE_PID=$!
for _ in $(seq 300); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

metric() { curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {printf "%.0f", s}'; }
printf '%6s %10s %12s %12s %12s\n' minute "RSS MiB" published "bronze" "silver"
warm=""
for minute in $(seq "$MINUTES"); do
  sleep 60
  rss=$(( $(metric process_resident_memory_bytes) / 1048576 ))
  printf '%6s %10s %12s %12s %12s\n' "$minute" "$rss" "$(metric shopstream_events_published_total)" \
    "$(curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^shopstream_sink_records_landed_total\{sink="bronze"/ {s+=$2} END {printf "%.0f", s}')" \
    "$(curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^shopstream_sink_records_landed_total\{sink="silver"/ {s+=$2} END {printf "%.0f", s}')"
  [ "$minute" -eq 5 ] && warm=$rss
  last=$rss
done
[ -n "$warm" ] && echo "RSS: $warm MiB at minute 5, $last MiB at minute $MINUTES ($(( last - warm )) MiB after warm-up)"
kill -TERM $LIVE_PID; wait $LIVE_PID || true
