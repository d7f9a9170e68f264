#!/usr/bin/env bash
# A sink's cost in instructions, not seconds: `shopstream sink SINK` (bronze into a folder lake in
# /dev/shm, or silver into SQLite; release build, debug info stripped so valgrind can read it) on
# the same EVENTS-event backlog under callgrind, for this checkout and, with BASE=<commit>, for that
# commit built in a worktree beside it. Instruction counts do not move with the load of a shared
# machine, so this is the number to compare changes by; wall-clock rates are benchmarks/silver.sh's
# and bronze.sh's. Not a test. Slow: valgrind runs ~50x slower.
#
#   benchmarks/sink-instructions.sh silver|bronze [EVENTS]     (default 20,000)
#   BASE=dc08827 benchmarks/sink-instructions.sh silver        (and the ratio against that commit)
#   BASE=dc08827 BASE_BIN=/path/shopstream benchmarks/sink-instructions.sh bronze   (that commit's binary, already built)
#   benchmarks/silver-instructions.sh [EVENTS]                 (the same as `sink-instructions.sh silver`)
#
# Silver's count moves a little with how the topics' reads interleave (facts that wait for a
# dimension cost more; the sink prints how many waited): compare runs whose "waited" is alike, or
# take several. Bronze's objects are compared too: both binaries must store the same files.
#
# Prints instructions per event (including start-up and the idle exit, the same for both) and
# callgrind's profile file, to read with `callgrind_annotate --inclusive=yes FILE | swift demangle`.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/broker.sh
SINK=${1:-}
case "$SINK" in silver | bronze) ;; *) echo "usage: $0 silver|bronze [EVENTS]" >&2; exit 2 ;; esac
N=${2:-20000}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
swift build -c release --product shopstream >/dev/null
WORK=$(mktemp -d)
LAKES=$(mktemp -d /dev/shm/sink-instructions.XXXXXX)
trap 'kill $BROKER_PID 2>/dev/null || true; [ -n "${TREE:-}" ] && git worktree remove --force "$TREE" 2>/dev/null; rm -rf "$WORK" "$LAKES"' EXIT
objcopy --strip-debug .build/release/shopstream "$WORK/head"
if [ -n "${BASE_BIN:-}" ]; then
  BASE=${BASE:-base}
  objcopy --strip-debug "$BASE_BIN" "$WORK/base"
elif [ -n "${BASE:-}" ]; then
  TREE="$WORK/base-tree"
  git worktree add -q --detach "$TREE" "$BASE"
  (cd "$TREE" && swift build -c release --product shopstream >/dev/null)
  objcopy --strip-debug "$TREE/.build/release/shopstream" "$WORK/base"
fi
start_broker "$WORK/head" "$WORK/broker.out"
B=$BROKER
"$WORK/head" generate --brokers "$B" --events "$N" -q >/dev/null
count() {
  local bin=$1 name=$2 target landed
  # Fair scheduling and a long idle exit: valgrind runs one thread at a time, and without them
  # librdkafka's fetch threads starved long enough for the 3 s idle exit to end runs early
  # (2,008 of 20,000 events landed, both binaries alike).
  if [ "$SINK" = silver ]; then
    "$bin" warehouse init --warehouse "sqlite://$WORK/$name.db" >/dev/null
    target=(--warehouse "sqlite://$WORK/$name.db")
    landed="^silver: $N rows"
  else
    target=(--lake "file://$LAKES/$name")
    landed="^bronze: $N events"
  fi
  valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file="$WORK/$name.callgrind" "$bin" sink "$SINK" --brokers "$B" \
    "${target[@]}" --idle-exit "${IDLE:-15s}" --group "instructions-$name" -q >"$WORK/$name.out" 2>&1
  grep -E "^$SINK:" "$WORK/$name.out" >&2
  # A run that did not land every event counts the wrong work: say so rather than print a ratio.
  grep -qE "$landed" "$WORK/$name.out" ||
    { echo "VOID: $name did not land all $N events (see above)" >&2; exit 1; }
  awk '/I +refs:/ {gsub(",", "", $NF); print $NF}' "$WORK/$name.out"
}
head=$(count "$WORK/head" head)
printf 'this checkout: %d instructions an event\n' $((head / N))
cp "$WORK/head.callgrind" "./$SINK-head.callgrind"
if [ -n "${BASE:-}" ]; then
  base=$(count "$WORK/base" base)
  printf '%s: %d instructions an event\n' "$BASE" $((base / N))
  awk -v h="$head" -v b="$base" 'BEGIN { printf "ratio (this / base): %.2f\n", h / b }'
  if [ "$SINK" = bronze ] && ! diff -r "$LAKES/head" "$LAKES/base" >/dev/null; then
    echo "the two binaries stored different lakes: the counts are of different work" >&2
    exit 1
  fi
fi
echo "profile: ./$SINK-head.callgrind"
