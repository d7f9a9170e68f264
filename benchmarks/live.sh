#!/usr/bin/env bash
# Live latency, release build. Not a test.
#
#   benchmarks/live.sh [SECONDS] [RATES…]      (default 120 s at 300 and at 3000 events/s)
#
# For each rate, `shopstream run --live` runs on the embedded default for SECONDS. Its /metrics
# is scraped after a 30 s warm-up (the consumer groups' first join, the start's burst of
# dimensions) and again at the end; from the difference of the histograms:
#   shopstream_event_to_silver_seconds: event sent (shopstream-sent-at) → row in silver;
#   shopstream_event_to_gold_seconds:   sale sent (its time, which in a live run is its send time)
#                                       → the end of the first compaction pass that took it in;
# p50 and p99 estimated as Prometheus's histogram_quantile does (linear within a bucket; buckets
# at 5, 10, 25, 50, 100, 250, 500, 750 ms, 1, 2, 3, 5, 10, 15, 30, 60 s). The run's own report adds
# exact percentiles over everything, warm-up included. Goals: silver p99 < 1 s; gold p99 < the
# compaction interval (10 s) + 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-120}
shift || true
RATES=("$@")
[ ${#RATES[@]} -gt 0 ] || RATES=(300 3000)
WARMUP=30
scripts/setup
swift build -c release --product shopstream >/dev/null 2>&1
BIN=$PWD/.build/release/shopstream
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

quantiles() {
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
def buckets(path, name):
    out = {}
    for line in open(path):
        m = re.match(name + r'_bucket\{le="([^"]+)"\} (\S+)', line)
        if m: out[float(m.group(1))] = float(m.group(2))
    return out
before, after, name = buckets(sys.argv[1], sys.argv[3]), buckets(sys.argv[2], sys.argv[3]), sys.argv[3]
les = sorted(after)
counts = [after[le] - before.get(le, 0) for le in les]
total = counts[-1]
if total <= 0:
    print(f"{name}: no observations"); sys.exit()
def q(p):
    rank = p * total
    prev_le, prev_c = 0.0, 0.0
    for le, c in zip(les, counts):
        if c >= rank:
            if le == float("inf"): return prev_le
            return prev_le + (le - prev_le) * (rank - prev_c) / max(c - prev_c, 1e-9)
        prev_le, prev_c = le, c
    return les[-2]
print(f"{name}: p50 {q(0.5)*1000:.0f} ms, p99 {q(0.99)*1000:.0f} ms ({int(total):,} after warm-up)")
PY
}

for rate in "${RATES[@]}"; do
  rm -rf "${WORK:?}/"*
  $BIN run --live --rate "$rate" --http "127.0.0.1:$PORT" --lake "file://$WORK/lake" --warehouse "sqlite://$WORK/warehouse.db" \
    --quiet >"$WORK/live.out" 2>"$WORK/live.err" &
  pid=$!
  sleep "$WARMUP"
  curl -fsS "http://127.0.0.1:$PORT/metrics" >"$WORK/before.txt"
  sleep $((SECONDS_EACH - WARMUP))
  curl -fsS "http://127.0.0.1:$PORT/metrics" >"$WORK/after.txt"
  kill -TERM $pid
  wait $pid || { echo "run --live at $rate/s did not stop cleanly:"; tail -5 "$WORK/live.err"; }
  echo "== $rate events/s, $SECONDS_EACH s"
  quantiles "$WORK/before.txt" "$WORK/after.txt" shopstream_event_to_silver_seconds
  quantiles "$WORK/before.txt" "$WORK/after.txt" shopstream_event_to_gold_seconds
  grep -E '^latency|gold p50' "$WORK/live.out" | sed 's/^/report, warm-up included: /' || true
  grep -E '^warehouse:' "$WORK/live.out"
done
