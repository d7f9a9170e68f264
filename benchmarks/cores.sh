#!/usr/bin/env bash
# How many cores a ShopStream process keeps busy over time: runs COMMAND and prints, every 0.5 s
# while it runs, the seconds since it started and the cores it used in that half second (its
# user + system time, /proc/PID/stat). A dip shows where the run waits rather than computes (the
# end of silver in `run`, BENCHMARKS.md). The command's output goes to OUT. Not a test.
#
#   benchmarks/cores.sh /tmp/year.log .build/release/shopstream run --days 365
set -uo pipefail
OUT=$1
shift
"$@" >"$OUT" 2>&1 &
P=$!
HZ=$(getconf CLK_TCK)
start=$(date +%s.%N)
previous=0
while kill -0 "$P" 2>/dev/null; do
  sleep 0.5
  stat=$(cat /proc/"$P"/stat 2>/dev/null) || break
  rest=${stat#*) }
  read -r -a f <<<"$rest"
  ticks=$((f[11] + f[12]))
  printf '%6.1f s  %4.2f cores\n' "$(echo "$(date +%s.%N) - $start" | bc -l)" "$(echo "($ticks - $previous) / $HZ / 0.5" | bc -l)"
  previous=$ticks
done
wait "$P"
