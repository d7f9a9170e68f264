# Sourced by the benchmarks (from the repository's root): an embedded broker to run against.
#
#   start_broker BIN OUT [SECONDS]
# starts `BIN broker --port 0` in the background (its standard output in OUT, its errors beside it
# in OUT's name ending .err), waits until it listens, and sets BROKER_PID and BROKER (its address).
# Fails, naming OUT, when it does not listen within SECONDS (default 10).
start_broker() {
  local bin=$1 out=$2 seconds=${3:-10}
  "$bin" broker --port 0 >"$out" 2>"${out%.out}.err" &
  BROKER_PID=$!
  for _ in $(seq $((seconds * 10))); do grep -q '^listeners:' "$out" 2>/dev/null && break; sleep 0.1; done
  BROKER=$(awk '/^listeners:/ {print $2}' "$out")
  [ -n "$BROKER" ] || { echo "error: shopstream broker printed no listeners within $seconds s; see $out and ${out%.out}.err" >&2; return 1; }
}
