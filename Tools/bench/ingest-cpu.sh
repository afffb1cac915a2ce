#!/usr/bin/env bash
# Server CPU per stored visit during part (c)'s ingest: steadier than visits/s on a shared
# machine, where the rate moves by ±20 % from run to run on the same code (BENCHMARKS.md (c)).
# Runs `giupxa-wire-bench capacity` (plain, one small-call level, an 8 s window) and, 1.5 s into
# GiupXa's ingest, samples giupxa-server's CPU time (/proc/PID/stat) and its visit count for 4 s.
#
# Usage: Tools/bench/ingest-cpu.sh [runs]   (release build of Tools/bench, as run.sh makes it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$(swift build --package-path "$here" -c release --show-bin-path)
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command (Debian: sqlite3)" >&2; exit 2; }
ticks=$(getconf CLK_TCK)
for run in $(seq 1 "${1:-1}"); do
  log=$(mktemp)
  "$bin/giupxa-wire-bench" capacity --root "$root" --bin-dir "$bin" --clients 1 --modes plain --duration 8 --keep-temp >"$log" 2>&1 &
  bench=$!
  until grep -q "^small  plain      1 gRPC" "$log"; do sleep 0.5; kill -0 $bench 2>/dev/null || { cat "$log"; exit 1; }; done
  server=$(pgrep -f "giupxa-server serve" -P $bench | head -1)
  db=$(tr '\0' '\n' < /proc/$server/cmdline | grep '\.sqlite$' | head -1)
  # The ingest has started when the server writes more than 20 MB in half a second.
  last=$(awk '/^wchar/ {print $2}' /proc/$server/io)
  while sleep 0.5; do
    now=$(awk '/^wchar/ {print $2}' /proc/$server/io)
    [ $((now - last)) -gt 20000000 ] && break
    last=$now
  done
  sleep 1.5
  cpu0=$(awk '{print $14 + $15}' /proc/$server/stat); visits0=$(sqlite3 "file:$db?mode=ro" "SELECT COUNT(*) FROM visit")
  sleep 4
  cpu1=$(awk '{print $14 + $15}' /proc/$server/stat); visits1=$(sqlite3 "file:$db?mode=ro" "SELECT COUNT(*) FROM visit")
  wait $bench
  rate=$(awk '/^ingest plain +16 GiupXa/ {print $7}' "$log")
  rm -rf "$(dirname "$(dirname "$db")")" "$log"
  echo "run $run: $(( (cpu1 - cpu0) * 1000000 / ticks / (visits1 - visits0) )) µs of giupxa-server CPU per stored visit ($((visits1 - visits0)) visits in 4 s); the run's ingest: $rate visits/s"
done
