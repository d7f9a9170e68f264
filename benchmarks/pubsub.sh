#!/usr/bin/env bash
# Pub/Sub publish and pull+ack rates against Google's emulator: shopstream (REST over libcurl,
# release build) beside Google's Python client (google-cloud-pubsub, gRPC) in the same run, on the
# same emulator, the same events. Not a test.
#
#   benchmarks/pubsub.sh [EVENTS]        (default 20,000)
#   BUILD=debug benchmarks/pubsub.sh     (the debug build, when a release build is not at hand)
#
# Each client gets a project of its own with the topology of `topics apply --pubsub`, applied with
# --disable-message-ordering (the emulator keeps a thread per ordering key and ordered subscription
# for good; thousands of keys would measure its threads, not the clients). Both publish with the
# entity key as ordering key.
#   publish: shopstream generate --pubsub (its own summary: first event to the last confirmation)
#            vs Python's PublisherClient (enable_message_ordering, default batching), the same
#            events from `generate --output`, timed from the first publish to the last future;
#   pull+ack: shopstream topics drain of the seven .bronze subscriptions (all at once, 4 pulls in flight each, timed to the
#            last acknowledgement) vs Python's streaming pull (subscribe, ack in the
#            callback) on the same seven, until every message is acknowledged.
#   bronze:  shopstream sink bronze --pubsub into a folder lake and into the GCS emulator
#            (fake-gcs-server), each on a project of its own holding the same N events; its own
#            summary: first message read to last object stored, less the --idle-exit wait.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20000}
export PUBSUB_EMULATOR_PORT=${PUBSUB_EMULATOR_PORT:-8085} GCS_EMULATOR_PORT=${GCS_EMULATOR_PORT:-4443}

scripts/emulators install >/dev/null
VENV="${SHOPSTREAM_VENV:-$HOME/.cache/shopstream/venv}"
"$VENV/bin/python" -c 'import google.cloud.pubsub_v1' 2>/dev/null \
  || "$VENV/bin/pip" install --quiet google-cloud-pubsub
STARTED=
for service in pubsub gcs; do
  scripts/emulators status | grep -q "^$service: running" || STARTED="$STARTED $service"
done
eval "$(scripts/emulators start pubsub gcs)"
BUILD=${BUILD:-release}
swift build -c "$BUILD" --product shopstream >/dev/null
BIN=.build/$BUILD/shopstream
WORK=$(mktemp -d)
cleanup() {
  [ -n "$STARTED" ] && scripts/emulators stop $STARTED >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
RUN_ID=$(date +%s)
SWIFT_PROJECT="bench-swift-$RUN_ID"
PY_PROJECT="bench-python-$RUN_ID"
FOLDER_PROJECT="bench-folder-$RUN_ID"
GCS_PROJECT="bench-gcs-$RUN_ID"
for p in "$SWIFT_PROJECT" "$PY_PROJECT" "$FOLDER_PROJECT" "$GCS_PROJECT"; do
  "$BIN" topics apply --pubsub "$p" --disable-message-ordering >/dev/null
done
"$BIN" generate --events "$N" --output "$WORK/events" -q >/dev/null

echo "== publish $N events (emulator at $PUBSUB_EMULATOR_HOST)"
"$BIN" generate --pubsub "$SWIFT_PROJECT" --events "$N" -q | sed -n '1p;/^delivered/p' | sed 's/^/shopstream: /'
"$VENV/bin/python" - "$PY_PROJECT" "$WORK/events" <<'PY'
import glob, os, sys, time
from google.cloud import pubsub_v1
project, folder = sys.argv[1], sys.argv[2]
events = []
for path in sorted(glob.glob(os.path.join(folder, "*.tsv"))):
    topic = os.path.basename(path)[:-4]
    with open(path, "rb") as f:
        for line in f:
            key, _, value = line.rstrip(b"\n").partition(b"\t")
            events.append((topic, key.decode(), value))
publisher = pubsub_v1.PublisherClient(publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True))
paths = {t: publisher.topic_path(project, t) for t in {e[0] for e in events}}
start = time.monotonic()
futures = [publisher.publish(paths[t], v, ordering_key=k, **{"shopstream-event-time-ms": "0"}) for t, k, v in events]
for f in futures: f.result()
elapsed = time.monotonic() - start
print(f"python:     published {len(events):,} events in {elapsed:.2f} s: {len(events)/elapsed:,.0f} events/s")
PY

echo "== pull and acknowledge them"
SUBS=(shop.customers.bronze shop.products.bronze shop.stores.bronze shop.inventory.bronze shop.sales.bronze shop.payments.bronze shop.shipping.bronze)
"$BIN" topics drain --pubsub "$SWIFT_PROJECT" --idle 1s "${SUBS[@]}" 2>&1 | grep '^drained' | sed 's/^/shopstream: /'
"$VENV/bin/python" - "$PY_PROJECT" "$N" "${SUBS[@]}" <<'PY'
import sys, threading, time
from google.cloud import pubsub_v1
project, n, subs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
subscriber = pubsub_v1.SubscriberClient()
lock, done = threading.Lock(), threading.Event()
count = [0]
first = [None]
def callback(message):
    message.ack()
    with lock:
        if first[0] is None: first[0] = time.monotonic()
        count[0] += 1
        if count[0] >= n: done.set()
start = time.monotonic()
futures = [subscriber.subscribe(subscriber.subscription_path(project, s), callback=callback) for s in subs]
done.wait(timeout=600)
elapsed = time.monotonic() - start
for f in futures: f.cancel()
print(f"python:     pulled and acknowledged {count[0]:,} messages in {elapsed:.2f} s: {count[0]/elapsed:,.0f} messages/s (streaming pull)")
PY

echo "== sink bronze --pubsub: the same $N events into a folder lake and into fake-gcs-server"
BUCKET="bench-bronze-$RUN_ID"
curl -sf -X POST "$STORAGE_EMULATOR_HOST/storage/v1/b?project=bench" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$BUCKET\"}" >/dev/null
for target in "$FOLDER_PROJECT file://$WORK/lake" "$GCS_PROJECT gs://$BUCKET"; do
  set -- $target
  "$BIN" generate --pubsub "$1" --events "$N" -q >/dev/null
  "$BIN" sink bronze --pubsub "$1" --lake "$2" --idle-exit 2s -q | grep -E '^(bronze|elapsed):' \
    | paste -sd ' ' | sed "s|^|shopstream: ${2%%://*} lake: |"
done
