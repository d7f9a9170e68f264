#!/usr/bin/env bash
# Silver's cost in instructions: `benchmarks/sink-instructions.sh silver [EVENTS]` (see there).
exec "$(dirname "$0")/sink-instructions.sh" silver "$@"
