#!/usr/bin/env bash
# Silver sink throughput and latency, release build. Not a test.
#
#   benchmarks/silver.sh [EVENTS]      (default 100,000)
#
# In one run, on one machine:
#   1. shopstream sink silver → SQLite, and → the BigQuery emulator (bqemulator), from the
#      same backlog on `shopstream broker`: events/s (validation, casting, reference checks,
#      inserts, commits — the whole sink);
#   2. the baseline: Google's Python client (google-cloud-bigquery, insert_rows_json) sending
#      the very rows silver holds, in batches of 500 as the sink does, to the same emulator:
#      rows/s of the inserts alone (no Kafka, no validation: the baseline's favour);
#   3. latency: the generator live at a steady rate, the sink running beside it:
#      p50/p99 from send to row in silver (SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/broker.sh
N=${1:-100000}
scripts/setup
scripts/emulators install >/dev/null
eval "$(scripts/emulators start)"
VENV="${SHOPSTREAM_VENV:-$HOME/.cache/shopstream/venv}"
"$VENV/bin/pip" install -q google-cloud-bigquery >/dev/null
swift build -c release --product shopstream >/dev/null
BIN=$PWD/.build/release/shopstream
WORK=$(mktemp -d)
trap 'kill $BROKER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

start_broker $BIN "$WORK/broker.out"
B=$BROKER
$BIN generate --brokers "$B" --events "$N" -q >/dev/null

rate() { awk '/^elapsed:/ {gsub(",", "", $4); print $4}' "$1"; }

$BIN sink silver --brokers "$B" --warehouse "sqlite://$WORK/wh.db" --idle-exit 3s --group bench-sqlite -q >"$WORK/sqlite.out"
for t in customers products stores inventory sales payments shipping rejects; do
  $BIN warehouse query --warehouse bigquery://shopstream "DELETE FROM silver.$t WHERE TRUE" >/dev/null 2>&1 || true
done
$BIN sink silver --brokers "$B" --warehouse bigquery://shopstream --idle-exit 3s --group bench-bq -q >"$WORK/bq.out"

# The baseline: the same silver rows, sent by Google's client, 500 a request.
"$VENV/bin/python" - "$WORK/wh" "$PWD/sql/silver/bigquery.sql" >"$WORK/python.out" <<'PY'
import sqlite3, sys, time, re
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
base, ddl_path = sys.argv[1], sys.argv[2]
client = bigquery.Client(project="shopstream", credentials=AnonymousCredentials(),
                         client_options=ClientOptions(api_endpoint="http://127.0.0.1:9050"))
ddl = open(ddl_path).read().replace("silver.", "pybench.").replace("SCHEMA IF NOT EXISTS silver", "SCHEMA IF NOT EXISTS pybench")
for stmt in [s for s in re.split(r";\s*\n", ddl) if s.strip() and not s.strip().startswith("--") or "CREATE" in s]:
    if stmt.strip():
        client.query(stmt).result()
db = sqlite3.connect(base + ".db")
db.execute(f"ATTACH DATABASE '{base}.silver.db' AS silver")
total, seconds = 0, 0.0
for table in ["customers", "products", "stores", "inventory", "sales", "payments", "shipping"]:
    cur = db.execute(f"SELECT * FROM silver.{table}")
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, r)) for r in cur.fetchall()]
    for r in rows:
        for k, v in list(r.items()):
            if isinstance(v, float): r[k] = repr(v)
    start = time.perf_counter()
    for i in range(0, len(rows), 500):
        chunk = rows[i:i + 500]
        errors = client.insert_rows_json(f"shopstream.pybench.{table}", chunk, row_ids=[r["_insert_id"] for r in chunk])
        if errors: raise SystemExit(f"{table}: {errors[:2]}")
    seconds += time.perf_counter() - start
    total += len(rows)
print(f"{total} {seconds:.3f}")
PY
read -r py_rows py_secs <"$WORK/python.out"
py_rate=$(echo "$py_rows / $py_secs" | bc -l)

# Latency at a steady rate: generator live at 1,000 events/s for 20 s, the sink beside it.
FIRST_BROKER_PID=$BROKER_PID
start_broker $BIN "$WORK/broker2.out"
B2=$BROKER B2_PID=$BROKER_PID BROKER_PID=$FIRST_BROKER_PID
$BIN sink silver --brokers "$B2" --warehouse "sqlite://$WORK/lat.db" --idle-exit 5s --max-delay 200ms -q >"$WORK/lat.out" &
SINK_PID=$!
sleep 4
$BIN generate --brokers "$B2" --rate 1000 --events 20000 -q >/dev/null
wait $SINK_PID
kill $B2_PID 2>/dev/null || true

sqlite_rate=$(rate "$WORK/sqlite.out"); bq_rate=$(rate "$WORK/bq.out")
echo "events: $N; silver rows: $(awk '/^silver:/ {print $2}' "$WORK/sqlite.out") (SQLite), $(awk '/^silver:/ {print $2}' "$WORK/bq.out") (emulator); python rows: $py_rows"
printf '| run | events/s | vs Python client |\n|---|---:|---:|\n'
printf '| shopstream sink silver → SQLite | %.0f | %.2f |\n' "$sqlite_rate" "$(echo "$sqlite_rate / $py_rate" | bc -l)"
printf '| shopstream sink silver → BigQuery emulator | %.0f | %.2f |\n' "$bq_rate" "$(echo "$bq_rate / $py_rate" | bc -l)"
printf '| google-cloud-bigquery insert_rows_json → emulator (inserts only) | %.0f | 1.00 |\n' "$py_rate"
grep '^latency:' "$WORK/lat.out" | sed 's/^/steady 1,000 events\/s, --max-delay 200ms, SQLite: /'
