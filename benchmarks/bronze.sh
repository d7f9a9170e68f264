#!/usr/bin/env bash
# Bronze sink throughput, release build, beside the emulator's own ceiling measured in the same
# run. Not a test.
#
#   benchmarks/bronze.sh [EVENTS]        (default 200,000)
#   BEFORE=/path/to/old/shopstream benchmarks/bronze.sh 100000   (also that binary's sink at batch
#                                        100 into fake-gcs-server, against the same ceiling)
#
# One `shopstream broker` holds EVENTS generated events; each sink run reads all of them with a
# fresh consumer group into a fresh bucket or folder:
#   sink → fake-gcs-server and → folder lake, at --batch-size 100 and 10,000;
#   ceiling: the sink's own uploads at batch 100 replayed (one multipart upload with
#            ifGenerationMatch=0 per object it stored, of that object's size) by PARALLEL curl
#            processes (xargs -P), keep-alive within each;
#   memory:  peak RSS (GNU time) of the sink at EVENTS and, after topping the backlog up to
#            MEMORY_EVENTS (default 5 × EVENTS; 0 skips), at that many: bounded memory means
#            the second is not several times the first. (The embedded broker keeps about 15 MB
#            a partition, so past roughly 900,000 events the oldest are gone before the sink
#            reads them; `lake verify --brokers` after every run checks against what it holds.)
# Events/s come from the sink's own summary (`elapsed:` runs from the first record read to the
# last object stored, so the group join and the --idle-exit wait are not counted). CPU s is the
# whole sink process (GNU time, user + system), idle wait included: the cost the rate hides when
# other work shares the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
PARALLEL=${PARALLEL:-8}
MEMORY_EVENTS=${MEMORY_EVENTS:-$((N * 5))}

scripts/setup >/dev/null
scripts/emulators install >/dev/null
STARTED_GCS=
# Not grep -q: under pipefail its early exit fails the pipeline (status gets SIGPIPE), and a
# running emulator someone else started would be stopped at the end.
scripts/emulators status | grep '^gcs: running' >/dev/null || STARTED_GCS=1
eval "$(scripts/emulators start gcs)"
GCS=$STORAGE_EMULATOR_HOST
swift build -c release --product shopstream >/dev/null
BIN=.build/release/shopstream
WORK=$(mktemp -d)
BROKER_PID=
cleanup() {
  [ -n "$BROKER_PID" ] && kill "$BROKER_PID" 2>/dev/null || true
  [ -n "$STARTED_GCS" ] && scripts/emulators stop gcs >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { echo "bronze bench: $*" >&2; }
die() { say "$*"; exit 1; }

$BIN broker --port 0 >"$WORK/broker.out" 2>"$WORK/broker.err" &
BROKER_PID=$!
for _ in $(seq 100); do grep -q '^bootstrap:' "$WORK/broker.out" 2>/dev/null && break; sleep 0.1; done
B=$(awk '/^bootstrap:/ {print $2}' "$WORK/broker.out")
[ -n "$B" ] || die "broker did not start: $(cat "$WORK/broker.err")"

say "generating $N events"
$BIN generate --brokers "$B" --events "$N" --seed 1 -q >"$WORK/generate.out" 2>&1 \
  || die "generate failed: $(cat "$WORK/generate.out")"
grep -q "failed: 0" "$WORK/generate.out" || die "generate reported failed deliveries: $(cat "$WORK/generate.out")"

new_bucket() {
  local name="bench-$(date +%s%N | tail -c 10)-$RANDOM"
  curl -fsS -o /dev/null -X POST "$GCS/storage/v1/b?project=bench" -H 'Content-Type: application/json' -d "{\"name\":\"$name\"}"
  echo "$name"
}

# peak RSS in MiB from GNU time -v output
peak() { awk '/Maximum resident set size/ {printf "%.0f", $6/1024}' "$1"; }
# CPU seconds (user + system) from GNU time -v output: what the sink spends, less sensitive than its
# rate to the other work on a shared machine
cpu() { awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s += $2} END {printf "%.2f", s}' "$1"; }
# a number from the sink's summary
field() { sed -nE "$2" "$1" | head -1 | tr -d ','; }

ROWS=()
# run_sink LABEL LAKE BATCH EXPECTED: one sink run; appends a table row, sets OBJECTS BYTES ELAPSED CPU
run_sink() {
  local label=$1 lake=$2 batch=$3 expected=$4 out="$WORK/$1.out" t0 t1 bin=${SINK_BIN:-$BIN}
  say "sink → $label, batch $batch"
  LAKE=$lake
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/$label.time" \
    "$bin" sink bronze --brokers "$B" --lake "$lake" --group "bench-$label-$RANDOM" \
      --batch-size "$batch" --idle-exit 2s -q >"$out" 2>"$WORK/$label.err" \
    || die "sink → $label failed: $(cat "$WORK/$label.err")"
  t1=$(date +%s.%N)
  local events; events=$(field "$out" 's/^bronze: ([0-9,]+) events.*/\1/p')
  OBJECTS=$(field "$out" 's/^bronze: [0-9,]+ events in ([0-9,]+) objects.*/\1/p')
  ELAPSED=$(field "$out" 's/^elapsed: ([0-9.]+) s.*/\1/p')
  BYTES=$(field "$out" 's/^bronze: .* objects, ([0-9.]+) MiB.*/\1/p')
  # The embedded broker keeps about 15 MB a partition and drops the oldest records beyond
  # that, so a large backlog holds fewer than were generated; `lake verify --brokers` checks the
  # lake against what the broker holds.
  STORAGE_EMULATOR_HOST=$GCS $BIN lake verify --lake "$lake" --brokers "$B" >"$WORK/$label.verify" 2>&1 \
    || die "sink → $label: lake verify failed: $(tail -5 "$WORK/$label.verify")"
  local verify=ok
  [ "$events" = "$expected" ] || verify="ok ($expected generated, the broker kept $events)"
  CPU=$(cpu "$WORK/$label.time")
  ROWS+=("$(printf '| sink → %s | %s | %s | %s | %.2f | %.1f | %s | %.0f | %.0f | %s | %s |' \
    "$label" "$batch" "$events" "$OBJECTS" "$ELAPSED" "$(echo "$t1 - $t0" | bc -l)" "$CPU" \
    "$(echo "$events / $ELAPSED" | bc -l)" "$(echo "$OBJECTS / $ELAPSED" | bc -l)" "$(peak "$WORK/$label.time")" "$verify")")
}

export STORAGE_EMULATOR_HOST=$GCS
run_sink gcs-100 "gs://$(new_bucket)" 100 "$N"
GCS100_OBJECTS=$OBJECTS GCS100_ELAPSED=$ELAPSED GCS100_LAKE=$LAKE GCS100_CPU=$CPU
if [ -n "${BEFORE:-}" ]; then
  SINK_BIN=$BEFORE run_sink gcs-100-before "gs://$(new_bucket)" 100 "$N"
  BEFORE_OBJECTS=$OBJECTS BEFORE_ELAPSED=$ELAPSED BEFORE_CPU=$CPU
fi
run_sink gcs-10000 "gs://$(new_bucket)" 10000 "$N"
run_sink folder-100 "file://$WORK/lake-100" 100 "$N"
FOLDER100_PEAK=$(peak "$WORK/folder-100.time")
run_sink folder-10000 "file://$WORK/lake-10000" 10000 "$N"
FOLDER10000_PEAK=$(peak "$WORK/folder-10000.time")

# The emulator's ceiling: the very uploads the sink made at batch 100, replayed by PARALLEL curl
# processes at once, each keeping its connection alive over a run of uploads: one multipart
# upload (ifGenerationMatch=0) per object the sink stored, each body the size of that object,
# under a resource of the same shape (name, content type, the object's seven metadata keys).
# Like for like: fake-gcs-server's cost per upload is not linear in its size (a mix of full
# 27 KB objects and small date-cut ones costs it about 1.3 times the CPU of as many uploads
# of their average size, measured 2026-12-04), so a ceiling of average-size uploads is one the
# sink's own uploads cannot reach.
K=$GCS100_OBJECTS
say "ceiling: replaying the sink's $K uploads, $PARALLEL curl at a time"
BUCKET=$(new_bucket)
mkdir "$WORK/ceiling"
PER_CURL=$(( (K + PARALLEL - 1) / PARALLEL < 50 ? (K + PARALLEL - 1) / PARALLEL : 50 ))
# `lake ls` prints "SIZE  NAME"; the name says the topic, partition and first offset.
$BIN lake ls --lake "$GCS100_LAKE" bronze/ | awk -v dir="$WORK/ceiling" -v per="$PER_CURL" \
  -v url="$GCS/upload/storage/v1/b/$BUCKET/o?uploadType=multipart&ifGenerationMatch=0" '
  {
    n = NR; size = $1; split($2, path, "/"); split(path[4], c, "+"); sub(/\.jsonl.*/, "", c[3])
    first = c[3] + 0
    body = dir "/" n
    printf "--bench\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n" >body
    printf "{\"contentType\":\"application/x-ndjson\",\"metadata\":{\"count\":\"100\",\"crc32c\":\"AAAAAA==\",\"first_offset\":\"%d\",\"format\":\"jsonl\",\"last_offset\":\"%d\",\"partition\":\"%s\",\"topic\":\"%s\"},\"name\":\"ceiling/%s\"}\r\n", first, first + 99, c[2], c[1], $2 >body
    printf "--bench\r\nContent-Type: application/x-ndjson\r\n\r\n" >body
    if (xs == "") xs = "x"
    while (length(xs) < size) xs = xs xs
    printf "%s\r\n--bench--\r\n", substr(xs, 1, size) >body
    close(body)
    config = sprintf("%s/curl-%05d", dir, int((n - 1) / per))
    if (config == last) print "next" >config
    printf "url = \"%s\"\ndata-binary = \"@%s\"\nheader = \"Content-Type: multipart/related; boundary=bench\"\n", url, body >config
    print "output = \"/dev/null\"\nfail\nsilent\nshow-error" >config
    last = config
  }'
[ "$(ls "$WORK/ceiling" | grep -vc curl-)" -eq "$K" ] || die "the ceiling did not find the sink's $K objects to replay"
t0=$(date +%s.%N)
ls "$WORK"/ceiling/curl-* | xargs -P "$PARALLEL" -n 1 curl -K >/dev/null || die "a ceiling upload failed"
t1=$(date +%s.%N)
CEILING_SECONDS=$(echo "$t1 - $t0" | bc -l)
STORED=$($BIN lake ls --lake "gs://$BUCKET" ceiling/ | wc -l)
[ "$STORED" -eq "$K" ] || die "the ceiling run stored $STORED of $K objects"
CEILING=$(echo "$K / $CEILING_SECONDS" | bc -l)
SINK100=$(echo "$GCS100_OBJECTS / $GCS100_ELAPSED" | bc -l)
ROWS+=("$(printf '| curl ×%d, the sink'"'"'s uploads replayed | – | – | %s | %.2f | %.2f | – | – | %.0f | – | – |' "$PARALLEL" "$K" "$CEILING_SECONDS" "$CEILING_SECONDS" "$CEILING")")

# Memory with a larger backlog.
MEMORY_ROWS=()
TABLE=("${ROWS[@]}")
if [ "$MEMORY_EVENTS" -gt "$N" ]; then
  say "topping the backlog up to $MEMORY_EVENTS events"
  $BIN generate --brokers "$B" --events $((MEMORY_EVENTS - N)) --seed 2 -q >"$WORK/generate2.out" 2>&1 \
    || die "generate failed: $(cat "$WORK/generate2.out")"
  run_sink folder-big-100 "file://$WORK/lake-big-100" 100 "$MEMORY_EVENTS"
  BIG_EVENTS=$(field "$WORK/folder-big-100.out" 's/^bronze: ([0-9,]+) events.*/\1/p')
  MEMORY_ROWS+=("| 100 | $N | $FOLDER100_PEAK | $BIG_EVENTS | $(peak "$WORK/folder-big-100.time") |")
  run_sink folder-big-10000 "file://$WORK/lake-big-10000" 10000 "$MEMORY_EVENTS"
  MEMORY_ROWS+=("| 10,000 | $N | $FOLDER10000_PEAK | $BIG_EVENTS | $(peak "$WORK/folder-big-10000.time") |")
fi

echo
echo "bronze sink, $N events ($(awk '/^published/ {print $4, $5}' "$WORK/generate.out" | tr -d '()')), release build, $(nproc) cores; lake verify after every run"
echo
echo "| run | batch | events | objects | elapsed s (sink's own) | wall s | CPU s (user+sys) | events/s | objects/s | peak RSS MiB | verify |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${TABLE[@]}"
echo
printf 'at batch 100 the sink stores %.0f objects/s to fake-gcs-server; %d curl processes reach %.0f: ratio %.2f (issue 11 asks ≥ 0.90); %.2f CPU ms an object\n' \
  "$SINK100" "$PARALLEL" "$CEILING" "$(echo "$SINK100 / $CEILING" | bc -l)" "$(echo "$GCS100_CPU * 1000 / $GCS100_OBJECTS" | bc -l)"
if [ -n "${BEFORE:-}" ]; then
  printf 'before (%s): %.0f objects/s, ratio %.2f; %.2f CPU ms an object\n' "$BEFORE" "$(echo "$BEFORE_OBJECTS / $BEFORE_ELAPSED" | bc -l)" \
    "$(echo "$BEFORE_OBJECTS / $BEFORE_ELAPSED / $CEILING" | bc -l)" "$(echo "$BEFORE_CPU * 1000 / $BEFORE_OBJECTS" | bc -l)"
fi
if [ ${#MEMORY_ROWS[@]} -gt 0 ]; then
  echo
  echo "peak RSS of the sink (folder lake) as the backlog grows:"
  echo
  echo "| batch | backlog (events read) | peak RSS MiB | backlog (events read) | peak RSS MiB |"
  echo "|---:|---:|---:|---:|---:|"
  printf '%s\n' "${MEMORY_ROWS[@]}"
fi
