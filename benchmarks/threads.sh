#!/usr/bin/env bash
# Where a ShopStream process spends its CPU, by thread: runs COMMAND, samples every thread's
# user + system time (/proc/PID/task/*/stat) every 0.3 s while it runs, and writes to OUT the
# total by thread name (ShopStream names its threads: silver, silver-insert-0…3, bronze,
# bronze-upload-0…7, gold passes on the caller's; librdkafka's are rdk:*; libdispatch's
# validation helper shows as "…default-qos"). The command's output goes to OUT.log. Not a test.
#
#   benchmarks/threads.sh /tmp/year.txt .build/release/shopstream run --days 365
#
# A thread that ends between two samples loses its last 0.3 s; the totals are for comparing runs.
set -uo pipefail
OUT=$1
shift
"$@" >"$OUT.log" 2>&1 &
P=$!
declare -A cpu name
while kill -0 "$P" 2>/dev/null; do
  for t in /proc/"$P"/task/*; do
    tid=${t##*/}
    s=$(cat "$t/stat" 2>/dev/null) || continue
    c=$(cat "$t/comm" 2>/dev/null)
    rest=${s#*) }
    read -r -a f <<<"$rest"
    cpu[$tid]=$((f[11] + f[12]))
    name[$tid]=$c
  done
  sleep 0.3
done
wait "$P"
status=$?
for tid in "${!cpu[@]}"; do echo "${name[$tid]// /_} ${cpu[$tid]}"; done |
  awk -v hz="$(getconf CLK_TCK)" '{a[$1]+=$2; n[$1]++} END {for (k in a) printf "%-20s %7.2f s  (%d threads)\n", k, a[k]/hz, n[k]}' |
  sort -k2 -nr >"$OUT"
exit $status
