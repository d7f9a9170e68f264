#!/usr/bin/env bash
# Silver into the BigQuery emulator: insertAll against the Storage Write API, and Google's Python
# client for the Write API as the baseline, in one run on one emulator (issue 13). Not a test.
#
#   benchmarks/storage-write.sh [EVENTS]         (default 50,000)
#   ROUNDS=3 benchmarks/storage-write.sh 20000   (the legs in alternation, three times; medians)
#   BUILD=debug benchmarks/storage-write.sh      (the debug build, when a release build is not at hand)
#
# EVENTS events are generated once into `shopstream broker`; then, per round, in this order:
#   1. insert-all:    shopstream sink silver --load insert-all from that backlog until idle
#                     (--idle-exit), its own consumer group; rows/s landed by its own summary
#                     (first event read to last row inserted and committed);
#   2. storage-write: the same with --load storage-write (the sink finds the emulator's gRPC port
#                     through BIGQUERY_STORAGE_EMULATOR_HOST);
#   3. python:        google-cloud-bigquery-storage (BigQueryWriteClient, AppendRows, one COMMITTED
#                     stream per table with explicit offsets, 500 rows a request) appending the
#                     very rows leg 1 landed, read back over REST: benchmarks/storage_write_baseline.py.
#                     Only the appends are timed (no Kafka, no validation: the baseline's favour).
# Each leg writes into a project of its own on the same emulator (bqemulator keeps projects apart,
# and accepts any), made by `warehouse init`, so every leg starts from empty tables.
# A leg whose --load value this build's `sink silver --help` does not name is "not available";
# a build without --load at all has insertAll as its only path, and leg 1 runs without the flag.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/broker.sh
N=${1:-50000}
ROUNDS=${ROUNDS:-1}
export BIGQUERY_EMULATOR_PORT=${BIGQUERY_EMULATOR_PORT:-9050} BIGQUERY_EMULATOR_GRPC_PORT=${BIGQUERY_EMULATOR_GRPC_PORT:-9060}

scripts/emulators install >/dev/null
VENV="${SHOPSTREAM_VENV:-$HOME/.cache/shopstream/venv}"
"$VENV/bin/python" -c 'import google.cloud.bigquery_storage_v1' 2>/dev/null \
  || "$VENV/bin/pip" install --quiet google-cloud-bigquery-storage
STARTED=
# Not `status | grep -q`: under pipefail, grep's early exit can fail the pipeline (SIGPIPE) and stop
# at the end an emulator this script did not start.
[[ "$(scripts/emulators status)" == *"bigquery: running"* ]] || STARTED=bigquery
eval "$(scripts/emulators start bigquery)"
# Until `scripts/emulators start` prints it: the Write API is on the emulator's gRPC port.
export BIGQUERY_STORAGE_EMULATOR_HOST=${BIGQUERY_STORAGE_EMULATOR_HOST:-127.0.0.1:$BIGQUERY_EMULATOR_GRPC_PORT}
BUILD=${BUILD:-release}
swift build -c "$BUILD" --product shopstream >/dev/null
BIN=$PWD/.build/$BUILD/shopstream
WORK=$(mktemp -d)
BROKER_PID=
cleanup() {
  [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null || true
  [ -n "$STARTED" ] && scripts/emulators stop $STARTED >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
RUN_ID=$(date +%s)
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); $BUILD build; bqemulator at $BIGQUERY_EMULATOR_HOST, gRPC $BIGQUERY_STORAGE_EMULATOR_HOST"

# What this build can do: `--load insert-all|storage-write`, or no --load (insertAll only).
HELP=$("$BIN" sink silver --help 2>&1)
load_flag() { # prints the flag for a leg, "" when the sink takes no --load; fails when not available
  if ! grep -q -- '--load' <<<"$HELP"; then
    [ "$1" = insert-all ] && return 0 || return 1
  fi
  grep -q -- "$1" <<<"$HELP" && echo "--load $1"
}

start_broker "$BIN" "$WORK/broker.out" 60
B=$BROKER
"$BIN" generate --brokers "$B" --events "$N" -q >/dev/null

# sink LEG ROUND: one leg of the sink into a fresh project; prints "ROWS SECONDS" or "n/a".
sink() {
  local flag project="bench-$1-$RUN_ID-$2"
  if ! flag=$(load_flag "$1"); then echo n/a; return; fi
  "$BIN" warehouse init --warehouse "bigquery://$project" >/dev/null
  # shellcheck disable=SC2086
  "$BIN" sink silver $flag --brokers "$B" --warehouse "bigquery://$project" --group "bench-$1-$RUN_ID-$2" \
    --idle-exit 3s -q >"$WORK/$1-$2.out"
  awk -v flag="${flag:-none}" '/^silver:/ {rows = $2} /^elapsed:/ {secs = $2} END {print rows, secs, flag}' "$WORK/$1-$2.out"
}

declare -A RATE ROWS FLAG
for round in $(seq "$ROUNDS"); do
  for leg in insert-all storage-write; do
    result=$(sink "$leg" "$round")
    read -r rows secs flag <<<"$result"
    if [ "$rows" = n/a ]; then
      echo "round $round, $leg: not available (sink silver --help names no --load $leg)"
      continue
    fi
    if [ "${rows:-0}" = 0 ]; then
      echo "error: round $round, $leg landed no row:" >&2; cat "$WORK/$leg-$round.out" >&2; exit 1
    fi
    RATE[$leg]+="$(echo "$rows / $secs" | bc -l) "; ROWS[$leg]=$rows; FLAG[$leg]=$flag
    printf 'round %s, %s: %s rows in %s s, %.0f rows/s\n' "$round" "$leg" "$rows" "$secs" "$(echo "$rows / $secs" | bc -l)"
  done
  if [ -z "${ROWS[insert-all]:-}" ]; then
    echo "round $round, python: not available (it appends the rows leg insert-all landed)"
    continue
  fi
  dest="bench-python-$RUN_ID-$round"
  "$BIN" warehouse init --warehouse "bigquery://$dest" >/dev/null
  "$VENV/bin/python" benchmarks/storage_write_baseline.py "$BIGQUERY_EMULATOR_HOST" "$BIGQUERY_STORAGE_EMULATOR_HOST" \
    "bench-insert-all-$RUN_ID-$round" "$dest" >"$WORK/python-$round.out"
  read -r _ rows _ _ secs _ < <(grep '^appended:' "$WORK/python-$round.out")
  RATE[python]+="$(echo "$rows / $secs" | bc -l) "; ROWS[python]=$rows
  read -r _ landed _ < <(grep '^landed:' "$WORK/python-$round.out")
  [ "$landed" = "$rows" ] || echo "round $round, python: WARNING: appended $rows rows but its tables hold $landed"
  [ "$rows" = "${ROWS[insert-all]}" ] || echo "round $round, python: WARNING: appended $rows rows, leg insert-all landed ${ROWS[insert-all]}"
  printf 'round %s, python: %s rows in %s s, %.0f rows/s; %s\n' "$round" "$rows" "$secs" "$(echo "$rows / $secs" | bc -l)" \
    "$(grep '^landed:' "$WORK/python-$round.out")"
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "events: $N; rounds: $ROUNDS (median rows/s per leg)"
PY=; [ -n "${RATE[python]:-}" ] && PY=$(median <<<"${RATE[python]}")
printf '| leg | rows | rows/s | vs Python client |\n|---|---:|---:|---:|\n'
for leg in insert-all storage-write python; do
  case $leg in
    insert-all)
      name="shopstream sink silver --load insert-all"
      [ "${FLAG[insert-all]:-}" = none ] && name="shopstream sink silver (no --load in this build: insertAll only)"
      ;;
    storage-write) name="shopstream sink silver --load storage-write" ;;
    python) name="google-cloud-bigquery-storage AppendRows (appends only)" ;;
  esac
  if [ -z "${RATE[$leg]:-}" ]; then
    printf '| %s | | not available | |\n' "$name"
    continue
  fi
  rate=$(median <<<"${RATE[$leg]}")
  ratio=$([ -n "$PY" ] && echo "$rate / $PY" | bc -l || echo "")
  printf '| %s | %s | %.0f | %s |\n' "$name" "${ROWS[$leg]}" "$rate" "$([ -n "$ratio" ] && printf '%.2f' "$ratio")"
done
