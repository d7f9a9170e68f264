#!/bin/bash
# usage: benchmarks/threads.sh OUT CMD... ; samples per-thread utime+stime (ticks) every 0.3 s
OUT=$1; shift
"$@" > /tmp/threads-run.log 2>&1 &
P=$!
declare -A cpu name
while kill -0 $P 2>/dev/null; do
  for t in /proc/$P/task/*; do
    tid=${t##*/}
    s=$(cat $t/stat 2>/dev/null) || continue
    c=$(cat $t/comm 2>/dev/null)
    rest=${s#*) }
    set -- $rest
    u=${12}; k=${13}
    cpu[$tid]=$((u+k)); name[$tid]=$c
  done
  sleep 0.3
done
wait $P
for tid in "${!cpu[@]}"; do echo "${name[$tid]} ${cpu[$tid]}"; done | awk '{a[$1]+=$2; n[$1]++} END {for (k in a) printf "%-20s %6.2f s  (%d threads)\n", k, a[k]/100, n[k]}' | sort -k2 -nr > $OUT
