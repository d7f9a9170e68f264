#!/usr/bin/env bash
# What SQLite spends on a silver row, one row a statement against many (SQLiteWarehouse's
# `rowsPerStatement`): for each silver table of a year's warehouse, sqlite3_step's instructions a
# row (callgrind) and the writes (strace) of 6,400 of its rows inserted in transactions of 512, 1 or
# K rows to a statement, and K with the statement journal kept in memory (temp_store=MEMORY).
# A table with an index on an expression needs a statement journal for many rows to a statement:
# on a temporary file (SQLite's default past 64 KiB) its writes jump, every transaction, which is
# why SQLiteWarehouse's inserts keep the connection's temporary storage in memory
# (`keepTemporaryStorage`). Not a test; needs valgrind, strace and python3. Slow (~5 minutes).
#
#   benchmarks/rows-per-statement.sh [WAREHOUSE_FOLDER] [K]
#   (default: a year made by `shopstream run --days 365` in a temporary folder; K 32)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in valgrind strace python3; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 1; }; done
K=${2:-32}
WORK=$(mktemp -d /dev/shm/rows-per-statement.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [ -n "${1:-}" ]; then
  SILVER="$1/warehouse.silver.db"
else
  swift build -c release --product shopstream >/dev/null
  (cd "$WORK" && "$OLDPWD/.build/release/shopstream" run --days 365 -q >/dev/null)
  SILVER="$WORK/demo/warehouse.silver.db"
fi
# The interpreter itself, not a shim script (pyenv), so that callgrind sees SQLite's calls.
PY=$(python3 -c 'import sys; print(sys.executable)')
export TARGET="$WORK/target.db"
printf '%-10s %-22s %12s %9s\n' table "rows a statement" "step/row" writes
for table in customers products stores inventory sales payments shipping; do
  for variant in "1" "$K" "$K MEMORY"; do
    set -- $variant
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg" "$PY" benchmarks/rows_per_statement.py "$SILVER" "$table" "$1" 6400 ${2:-} >"$WORK/landed" 2>/dev/null
    landed=$(cat "$WORK/landed")
    [ "$landed" -gt 0 ] || { printf '%-10s (fewer than 512 rows)\n' "$table"; break; }
    step=$(callgrind_annotate --inclusive=yes "$WORK/cg" 2>/dev/null | awk '/sqlite3_step / && !done {gsub(",", "", $1); print $1; done = 1}')
    strace -f -e trace=pwrite64 -o "$WORK/st" "$PY" benchmarks/rows_per_statement.py "$SILVER" "$table" "$1" 6400 ${2:-} >/dev/null
    printf '%-10s %-22s %12d %9d\n' "$table" "$1${2:+, journal in memory}" $((step / landed)) "$(grep -c pwrite64 "$WORK/st")"
  done
done
