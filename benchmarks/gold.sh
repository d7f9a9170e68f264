#!/usr/bin/env bash
# Gold compaction, full against incremental, on a history of a million sales or more, in
# SQLite and in the BigQuery emulator; and the wall time of the README's first command.
# Release build. Not a test: it prints figures, it never fails on them.
#
#   benchmarks/gold.sh [DAYS] [ORDERS_PER_DAY] [ENGINES]
#       default: 640 days from 2024-01-01 at 1,000 baseline orders a day (1,084,375 sales,
#       3.6M silver rows), ENGINES "sqlite bigquery". The BigQuery emulator loads
#       $EMULATOR_DAYS days (default 60): bqemulator keeps its tables in memory inside Python,
#       ~25 KB a row, and a million sales would need ~90 GB (see BENCHMARKS.md).
#
# For each engine, in one run on one machine:
#   1. `shopstream backfill` loads the history straight into silver (no Kafka: the embedded
#      broker holds about a year) — its time is reported, not compared;
#   2. the first `compact` (it builds every table whole), then `compact --full-refresh`:
#      the baseline;
#   3. one more simulated day (`backfill --skip-days`), then `compact`: the incremental pass,
#      and its ratio to the full refresh;
#   4. `compact` again with nothing new: the cost of finding that out;
#   5. `dashboard`: the page read from gold over the whole history.
# Then `shopstream run` as `scripts/demo` runs it (30 days, everything embedded).
# The emulator loads at a few thousand rows a second: its part takes tens of minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${1:-640}
OPD=${2:-1000}
ENGINES=${3:-sqlite bigquery}
scripts/setup >/dev/null
if [[ " $ENGINES " == *" bigquery "* ]]; then
  scripts/emulators install >/dev/null 2>&1
  eval "$(scripts/emulators start bigquery)"
fi
swift build -c release --product shopstream >/dev/null
BIN=$PWD/.build/release/shopstream
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
seconds() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }
timed() {  # timed LOGFILE COMMAND…: runs it, prints its wall seconds
  local log=$1; shift
  local t0; t0=$(now)
  "$@" >"$log" 2>&1 || { echo "failed: $* (see below)" >&2; cat "$log" >&2; exit 1; }
  seconds "$t0" "$(now)"
}

echo "gold compaction: from 2024-01-01, --orders-per-day $OPD, release build, $(nproc) cores"
printf '%-10s %6s %12s %10s %10s %12s %12s %10s %10s %10s\n' engine days sales backfill "first" "full" incremental ratio no-op dashboard
for engine in $ENGINES; do
  days=$DAYS
  case $engine in
    sqlite) URL="sqlite://$WORK/history.db" ;;
    bigquery) URL="bigquery://gold-bench-$RANDOM$RANDOM"; days=${EMULATOR_DAYS:-60} ;;
    *) echo "unknown engine $engine (sqlite, bigquery)" >&2; exit 64 ;;
  esac
  load=$(timed "$WORK/$engine.backfill" "$BIN" backfill --warehouse "$URL" --start 2024-01-01 --days "$days" --orders-per-day "$OPD" -q)
  sales=$("$BIN" warehouse query --warehouse "$URL" "SELECT COUNT(*) FROM silver.sales" | tail -1)
  first=$(timed "$WORK/$engine.first" "$BIN" compact --warehouse "$URL")
  full=$(timed "$WORK/$engine.full" "$BIN" compact --warehouse "$URL" --full-refresh)
  "$BIN" backfill --warehouse "$URL" --start 2024-01-01 --days $((days + 1)) --skip-days "$days" --orders-per-day "$OPD" -q >"$WORK/$engine.day"
  incremental=$(timed "$WORK/$engine.incremental" "$BIN" compact --warehouse "$URL")
  noop=$(timed "$WORK/$engine.noop" "$BIN" compact --warehouse "$URL")
  page=$(timed "$WORK/$engine.dashboard" "$BIN" dashboard --warehouse "$URL" --out "$WORK/$engine.html")
  ratio=$(echo "$full / $incremental" | bc -l | xargs printf '%.1fx')
  printf '%-10s %6s %12s %9ss %9ss %9ss %11ss %10s %9ss %9ss\n' "$engine" "$days" "$sales" "$load" "$first" "$full" "$incremental" "$ratio" "$noop" "$page"
  sed 's/^/    /' "$WORK/$engine.incremental"
done

echo
echo "the first command (scripts/demo = shopstream run --days 30, embedded broker, folder lake, SQLite):"
mkdir -p "$WORK/demo"
demo=$(cd "$WORK/demo" && timed "$WORK/demo.log" "$BIN" run --days 30)
echo "  wall time ${demo}s after the build ($(grep -c . "$WORK/demo.log") lines of report)"
grep -E '^(gold:|  net revenue|  sales )' "$WORK/demo.log" | sed 's/^/    /'
