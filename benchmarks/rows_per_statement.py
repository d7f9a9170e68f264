"""Inserts one silver table's rows into a fresh copy of its table (same columns and indexes) the
way SQLiteWarehouse does: a transaction of 512 rows, K rows to an INSERT (INSERT OR FAIL when K > 1),
so that callgrind can count sqlite3_step's instructions a row and strace the writes. Run by
benchmarks/rows-per-statement.sh; not a test.

    python3 rows_per_statement.py SILVER_DB TABLE K [ROWS] [TEMP_STORE]
"""
import os
import sqlite3
import sys

source, table, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
count = int(sys.argv[4]) if len(sys.argv) > 4 else 6400
temp_store = sys.argv[5] if len(sys.argv) > 5 else None
src = sqlite3.connect(source)
rows = src.execute(f"SELECT * FROM {table} LIMIT ?", (count,)).fetchall()
ddl = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table,))]
target = os.environ.get("TARGET", "/dev/shm/rows-per-statement.db")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(target + suffix):
        os.unlink(target + suffix)
db = sqlite3.connect(target, isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = OFF")
db.execute("PRAGMA cache_size = -65536")
if temp_store:
    db.execute(f"PRAGMA temp_store = {temp_store}")
for statement in ddl:
    db.execute(statement)
width = len(rows[0])
one = "(" + ",".join("?" * width) + ")"
sql = ("INSERT OR FAIL" if k > 1 else "INSERT") + f" INTO {table} VALUES " + ",".join([one] * k)
landed = 0
for start in range(0, len(rows) - 511, 512):
    db.execute("BEGIN IMMEDIATE")
    for i in range(start, start + 512, k):
        db.execute(sql, [v for row in rows[i:i + k] for v in row])
        landed += k
    db.execute("COMMIT")
print(landed)
