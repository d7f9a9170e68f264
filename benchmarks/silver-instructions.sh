#!/usr/bin/env bash
# Silver's cost in instructions, not seconds: the silver sink (release build, debug info stripped
# so valgrind can read it) lands the same EVENTS-event backlog into SQLite under callgrind, for this
# checkout and, with BASE=<commit>, for that commit built in a worktree beside it. Instruction
# counts do not move with the load of a shared machine, so this is the number to compare changes
# by; wall-clock rates are benchmarks/silver.sh's. Not a test. Slow: valgrind runs ~50x slower.
#
#   benchmarks/silver-instructions.sh [EVENTS]           (default 20,000)
#   BASE=dc08827 benchmarks/silver-instructions.sh       (and the ratio against that commit)
#   BASE=dc08827 BASE_BIN=/path/shopstream benchmarks/silver-instructions.sh   (that commit's binary, already built)
#
# The count moves a little with how the topics' reads interleave (facts that wait for a dimension
# cost more; the sink prints how many waited): compare runs whose "waited" is alike, or take several.
#
# Prints instructions per event (including start-up and the idle exit, the same for both) and
# callgrind's profile file, to read with `callgrind_annotate --inclusive=yes FILE | swift demangle`.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
swift build -c release --product shopstream >/dev/null
WORK=$(mktemp -d)
trap 'kill $BROKER_PID 2>/dev/null || true; [ -n "${TREE:-}" ] && git worktree remove --force "$TREE" 2>/dev/null; rm -rf "$WORK"' EXIT
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
"$WORK/head" broker --port 0 >"$WORK/broker.out" 2>/dev/null &
BROKER_PID=$!
for _ in $(seq 100); do grep -q '^listeners:' "$WORK/broker.out" 2>/dev/null && break; sleep 0.1; done
B=$(awk '/^listeners:/ {print $2}' "$WORK/broker.out")
"$WORK/head" generate --brokers "$B" --events "$N" -q >/dev/null
count() {
  local bin=$1 name=$2
  "$bin" warehouse init --warehouse "sqlite://$WORK/$name.db" >/dev/null
  # Fair scheduling and a long idle exit: valgrind runs one thread at a time, and without them
  # librdkafka's fetch threads starved long enough for the 3 s idle exit to end runs early
  # (2,008 of 20,000 events landed, both binaries alike).
  valgrind --tool=callgrind --fair-sched=yes --callgrind-out-file="$WORK/$name.callgrind" "$bin" sink silver --brokers "$B" \
    --warehouse "sqlite://$WORK/$name.db" --idle-exit "${IDLE:-15s}" --group "instructions-$name" -q >"$WORK/$name.out" 2>&1
  grep -E '^silver:' "$WORK/$name.out" >&2
  # A run that did not land every event counts the wrong work: say so rather than print a ratio.
  grep -qE "^silver: $N rows" "$WORK/$name.out" ||
    { echo "VOID: $name did not land all $N events (see above)" >&2; exit 1; }
  awk '/I +refs:/ {gsub(",", "", $NF); print $NF}' "$WORK/$name.out"
}
head=$(count "$WORK/head" head)
printf 'this checkout: %d instructions an event\n' $((head / N))
cp "$WORK/head.callgrind" "./silver-head.callgrind"
if [ -n "${BASE:-}" ]; then
  base=$(count "$WORK/base" base)
  printf '%s: %d instructions an event\n' "$BASE" $((base / N))
  awk -v h="$head" -v b="$base" 'BEGIN { printf "ratio (this / base): %.2f\n", h / b }'
fi
echo "profile: ./silver-head.callgrind"
