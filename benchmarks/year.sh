#!/usr/bin/env bash
# A year through the whole pipeline, wall-clock (issue 11's `run --days 365` ≤ 12 s): this
# checkout's `shopstream run --days 365` (Kafka, bronze, silver, gold, the dashboard: the README's
# first command) in a fresh folder, ROUNDS times; with BASE_BIN, another commit's binary
# alternated with it in the same run, in turns ABBA (so that neither is always the one run
# second, after the other warmed or loaded the machine). Prints
# each run's wall time and the run's own split (publishing, bronze, silver, gold), then the
# medians. Each binary reads the `sql/` of this checkout, or the base BASE_SQL (the base
# worktree's `sql/`, to compare gold's SQL too). Not a test.
#
#   benchmarks/year.sh                                   (3 rounds of this checkout)
#   BASE_BIN=/path/to/old/shopstream ROUNDS=4 benchmarks/year.sh
#   BASE_BIN=/tmp/base/.build/release/shopstream BASE_SQL=/tmp/base/sql benchmarks/year.sh
#   HEAD_BIN=/path/shopstream benchmarks/year.sh          (that binary instead of building)
#
# A base binary from an older commit: git worktree add /tmp/base REV && (cd /tmp/base && swift
# build -c release --product shopstream), then BASE_BIN=/tmp/base/.build/release/shopstream.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DAYS=${DAYS:-365}
if [ -z "${HEAD_BIN:-}" ]; then
  swift build -c release --product shopstream >/dev/null
  HEAD_BIN=.build/release/shopstream
fi
HEAD_BIN=$(realpath "$HEAD_BIN")
[ -z "${BASE_BIN:-}" ] || BASE_BIN=$(realpath "$BASE_BIN")
SQL=$PWD/sql
BASE_SQL=$(realpath "${BASE_SQL:-$SQL}")
# In memory where there is /dev/shm: the disk is not what is measured.
PARENT=/dev/shm
[ -d "$PARENT" ] && [ -w "$PARENT" ] || PARENT=${TMPDIR:-/tmp}
WORK=$(mktemp -d "$PARENT/year.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

declare -A walls
one() {
  local name=$1 bin=$2 dir="$WORK/$1-$3" sql=$SQL t0 t1 wall
  [ "$name" = base ] && sql=$BASE_SQL
  mkdir -p "$dir"
  t0=$(date +%s.%N)
  (cd "$dir" && "$bin" run --days "$DAYS" --sql "$sql" >out 2>&1) || {
    echo "$name: run failed; its output:" >&2
    cat "$dir/out" >&2
    exit 1
  }
  t1=$(date +%s.%N)
  wall=$(printf "%.2f" "$(echo "$t1 - $t0" | bc -l)")
  walls[$name]="${walls[$name]:-} $wall"
  printf '%-5s %6.2f s   %s\n' "$name" "$wall" "$(grep -o 'done in.*' "$dir/out" | sed 's/). Look around:/)/')"
  rm -rf "$dir"
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  if [ -z "${BASE_BIN:-}" ]; then
    one head "$HEAD_BIN" "$round"
  elif [ $((round % 2)) = 1 ]; then
    one head "$HEAD_BIN" "$round"
    one base "$BASE_BIN" "$round"
  else
    one base "$BASE_BIN" "$round"
    one head "$HEAD_BIN" "$round"
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
head_median=$(echo "${walls[head]}" | median)
printf 'head: median %.2f s of%s\n' "$head_median" "${walls[head]}"
if [ -n "${BASE_BIN:-}" ]; then
  base_median=$(echo "${walls[base]}" | median)
  printf 'base: median %.2f s of%s\n' "$base_median" "${walls[base]}"
  printf 'head / base (medians): %.2f\n' "$(echo "$head_median / $base_median" | bc -l)"
fi
