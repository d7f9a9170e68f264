#!/usr/bin/env bash
# Silver against kcat, wall-clock (issue 11's yardstick): on one EVENTS-event backlog in one
# `shopstream broker`, alternated ROUNDS times in one run, each in a group of its own from the
# earliest offset:
#   kcat     as a group consumer of the seven topics, into a pipe, exiting at the end (`-e`);
#   head     `shopstream sink silver` of this checkout into a new SQLite warehouse (every check);
#   base     the same with BASE_BIN (another commit's binary), when given.
# Timed as a user would: the whole command, group join included; the sink's 1 s idle exit is
# subtracted. A sink round that does not land every event is reported VOID. Not a test.
# The warehouses are in a temporary folder on disk (as a user's would be), each deleted after its
# round and the disk flushed (`sync`) before each timed command: a round's fdatasyncs otherwise
# queue behind the writeback of the rounds before it (~1 s a round, issue 11).
#
#   benchmarks/silver-kcat.sh [EVENTS]                      (default 200,000)
#   BASE_BIN=/path/shopstream ROUNDS=3 benchmarks/silver-kcat.sh 200000
#   HEAD_BIN=/path/shopstream benchmarks/silver-kcat.sh      (that binary instead of building this checkout)
#   BASE_SQL=/old/checkout/sql BASE_BIN=… benchmarks/silver-kcat.sh   (the base's warehouse made from
#                                                             that sql/; else both from this checkout's)
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/broker.sh
N=${1:-200000}
ROUNDS=${ROUNDS:-2}
command -v kcat >/dev/null || { echo "needs kcat (apt-get install kcat)" >&2; exit 1; }
if [ -z "${HEAD_BIN:-}" ]; then
  swift build -c release --product shopstream >/dev/null
  HEAD_BIN=.build/release/shopstream
fi
WORK=$(mktemp -d)
trap 'kill $BROKER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
start_broker "$HEAD_BIN" "$WORK/broker.out"
B=$BROKER
"$HEAD_BIN" generate --brokers "$B" --events "$N" -q >/dev/null
TOPICS=(shop.customers shop.products shop.stores shop.inventory shop.sales shop.payments shop.shipping)
now() { date +%s.%N; }
rate() { echo "$1 / ($3 - $2)" | bc -l; }
SQL=(--sql "$PWD/sql")
sink() {
  local bin=$1 name=$2 t0 t1 sql=("${SQL[@]}")
  [ "${name%%-*}" = base ] && [ -n "${BASE_SQL:-}" ] && sql=(--sql "$(realpath "$BASE_SQL")")
  "$bin" warehouse init --warehouse "sqlite://$WORK/$name.db" "${sql[@]}" >/dev/null
  sync
  t0=$(now)
  "$bin" sink silver --brokers "$B" --warehouse "sqlite://$WORK/$name.db" --idle-exit 1s --group "$name" "${sql[@]}" -q >"$WORK/$name.out" 2>&1
  t1=$(now)
  rm -f "$WORK/$name".*db*
  if ! grep -qE "^silver: $N rows" "$WORK/$name.out"; then echo "VOID ($(grep '^silver:' "$WORK/$name.out"))"; return; fi
  printf '%.0f events/s (the sink'"'"'s own: %s)' "$(rate "$N" "$t0" "$(echo "$t1 - 1" | bc -l)")" \
    "$(awk '/^elapsed:/ {print $4}' "$WORK/$name.out")"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  sync
  t0=$(now)
  got=$(kcat -b "$B" -G "kcat-$round" -X auto.offset.reset=earliest -e -q -f '%s\n' "${TOPICS[@]}" | wc -l)
  t1=$(now)
  printf 'round %d: kcat %.0f events/s (%d read)\n' "$round" "$(rate "$got" "$t0" "$t1")" "$got"
  printf 'round %d: head %s\n' "$round" "$(sink "$HEAD_BIN" "head-$round")"
  if [ -n "${BASE_BIN:-}" ]; then printf 'round %d: base %s\n' "$round" "$(sink "$BASE_BIN" "base-$round")"; fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
