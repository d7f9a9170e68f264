#!/usr/bin/env bash
# Generator → Kafka throughput, release build, against two references measured in
# the same run on the same broker:
#   kcat     producing the very same bytes (key<TAB>value files written by the generator),
#            lz4 and idempotence on, as ShopStream produces;
#   baseline the generator alone, publishing nothing (--dry-run): the ceiling of
#            simulation + JSON encoding.
# Ratios, not absolute figures, are what to compare across machines. Not a test.
#
#   benchmarks/generator.sh [EVENTS]        (default 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/broker.sh
N=${1:-1000000}
ROUNDS=${ROUNDS:-2}
scripts/setup
swift build -c release --product shopstream >/dev/null
BIN=.build/release/shopstream
WORK=$(mktemp -d)
trap 'kill $BROKER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_broker $BIN "$WORK/broker.out"
B=$BROKER
[ -n "$B" ] || { echo "broker did not start: $(cat "$WORK/broker.err")"; exit 1; }

# The generator writes the same events as files for kcat (not timed).
$BIN generate --events "$N" --output "$WORK/events" -q >/dev/null

now() { date +%s.%N; }
# peak RSS in MiB of a command, via GNU time
peak() { awk '/Maximum resident set size/ {printf "%.0f", $6/1024}' "$1"; }

best_shop=0; best_kcat=0; best_base=0
for round in $(seq "$ROUNDS"); do
  t0=$(now); /usr/bin/time -v -o "$WORK/base.time" $BIN generate --events "$N" --dry-run -q >/dev/null; t1=$(now)
  base=$(echo "$N / ($t1 - $t0)" | bc -l)

  t0=$(now); /usr/bin/time -v -o "$WORK/shop.time" $BIN generate --events "$N" --brokers "$B" -q >"$WORK/shop.out"; t1=$(now)
  shop=$(echo "$N / ($t1 - $t0)" | bc -l)
  grep -q "failed: 0" "$WORK/shop.out" || { echo "ShopStream reported failed deliveries:"; cat "$WORK/shop.out"; exit 1; }

  t0=$(now)
  kpeak=0
  for f in "$WORK"/events/*.tsv; do
    topic=$(basename "$f" .tsv)
    /usr/bin/time -v -o "$WORK/kcat.time" kcat -P -b "$B" -t "$topic" -K $'\t' -z lz4 \
      -X enable.idempotence=true -X linger.ms=5 -X batch.num.messages=10000 -l "$f"
    p=$(peak "$WORK/kcat.time"); [ "$p" -gt "$kpeak" ] && kpeak=$p
  done
  t1=$(now)
  kcat=$(echo "$N / ($t1 - $t0)" | bc -l)

  printf 'round %d: shopstream %.0f ev/s (peak %s MiB), kcat %.0f ev/s (peak %s MiB), baseline %.0f ev/s (peak %s MiB)\n' \
    "$round" "$shop" "$(peak "$WORK/shop.time")" "$kcat" "$kpeak" "$base" "$(peak "$WORK/base.time")"
  best_shop=$(echo "if ($shop > $best_shop) $shop else $best_shop" | bc -l)
  best_kcat=$(echo "if ($kcat > $best_kcat) $kcat else $best_kcat" | bc -l)
  best_base=$(echo "if ($base > $best_base) $base else $best_base" | bc -l)
  p=$(peak "$WORK/shop.time"); [ "$p" -gt "${shop_peak:-0}" ] && shop_peak=$p
done

bytes=$(cat "$WORK"/events/*.tsv | wc -c)
echo
echo "events: $N (avg $((bytes / N)) bytes incl. key), best of $ROUNDS rounds, broker: shopstream broker (separate process)"
printf '| run | events/s | vs kcat | vs generator alone |\n|---|---:|---:|---:|\n'
printf '| shopstream generate → Kafka | %.0f | %.2f | %.2f |\n' "$best_shop" "$(echo "$best_shop / $best_kcat" | bc -l)" "$(echo "$best_shop / $best_base" | bc -l)"
printf '| kcat -P, same bytes | %.0f | 1.00 | %.2f |\n' "$best_kcat" "$(echo "$best_kcat / $best_base" | bc -l)"
printf '| generator alone (--dry-run) | %.0f | %.2f | 1.00 |\n' "$best_base" "$(echo "$best_base / $best_kcat" | bc -l)"
echo "peak memory (max RSS over the rounds): shopstream generate ${shop_peak} MiB"
