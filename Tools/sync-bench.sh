#!/usr/bin/env bash
# Time to sync 20 and 200 visits through the link simulator's profiles, next to the floor
# for each: two round trips (TCP's handshake, then one request and its answer) plus the bytes
# GiupXa sent and received divided by the link's bandwidth in each direction.
# Usage: Tools/sync-bench.sh [--quick] [--json FILE]   (--quick: 20 visits, edge only)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=0; json_out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --json) json_out="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
swift build --product giupxa-server >&2 && swift build --product giupxa >&2 && swift build --product giupxa-linksim >&2
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$bin/giupxa-server" init --db "$work/s.sqlite" >/dev/null
secret=$("$bin/giupxa-server" credential issue --db "$work/s.sqlite" --agency STNMT --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
"$bin/giupxa-server" serve --db "$work/s.sqlite" --listen 127.0.0.1:0 --port-file "$work/port" --log-level error &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

if [ $quick = 1 ]; then profiles=(edge); counts=(20); else profiles=(gprs edge vsat flaky); counts=(20 200); fi
results="$work/results.jsonl"
for count in "${counts[@]}"; do
  python3 Tools/demo/make-visits.py "$count" "$((count * 7))" > "$work/v$count.json"
done
run=0
for profile in "${profiles[@]}"; do
  for count in "${counts[@]}"; do
    run=$((run + 1))
    rm -f "$work/lport"
    "$bin/giupxa-linksim" --listen 127.0.0.1:0 --upstream "127.0.0.1:$port" --profile "$profile" --seed "$run" \
      --port-file "$work/lport" --summary-file "$work/link-$run.json" >/dev/null 2>&1 &
    lpid=$!
    for _ in $(seq 100); do [ -s "$work/lport" ] && break; sleep 0.1; done
    home="$work/c$run"
    # Visits must be new to the server for every run: give each run fresh ids.
    python3 - "$work/v$count.json" "$work/run$run.json" <<'PY'
import json, sys, uuid
visits = json.load(open(sys.argv[1]))
for v in visits: v["id"] = str(uuid.uuid4())
json.dump(visits, open(sys.argv[2], "w"), ensure_ascii=False)
PY
    GIUPXA_HOME=$home "$bin/giupxa" config set --server "127.0.0.1:$(cat "$work/lport")" --agency STNMT --secret "$secret" >/dev/null
    GIUPXA_HOME=$home "$bin/giupxa" visit add --file "$work/run$run.json" >/dev/null
    GIUPXA_HOME=$home "$bin/giupxa" sync --format json --max-failures 100 --backoff-ms 100 --backoff-max-ms 1000 > "$work/sync-$run.json" 2>/dev/null || true
    kill "$lpid"; wait "$lpid" 2>/dev/null || true
    python3 - "$profile" "$count" "$work/sync-$run.json" "$work/link-$run.json" >> "$results" <<'PY'
import json, sys
profile, count = sys.argv[1], int(sys.argv[2])
sync = json.load(open(sys.argv[3])); link = json.load(open(sys.argv[4]))
s = link["settings"]
rtt = 2 * s.get("delayMs", 0) / 1000
up = s.get("upKbps"); down = s.get("downKbps")
floor = 2 * rtt + (sync["bytesSent"] * 8 / (up * 1000) if up else 0) + (sync["bytesReceived"] * 8 / (down * 1000) if down else 0)
print(json.dumps({"profile": profile, "visits": count, "seconds": round(sync["seconds"], 3), "floor": round(floor, 3),
                  "ratio": round(sync["seconds"] / floor, 3) if floor else None, "bytesUp": sync["bytesSent"],
                  "bytesDown": sync["bytesReceived"], "connections": sync["connections"], "retries": sync["retries"],
                  "cuts": link.get("cuts", 0), "pending": sync["pending"]}))
PY
  done
done
python3 - "$results" "${json_out:-}" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{'profile':8} {'visits':>6} {'time s':>8} {'floor s':>8} {'ratio':>6} {'up B':>8} {'down B':>7} {'conns':>5} {'cuts':>4} {'pending':>7}")
for r in rows:
    ratio = f"{r['ratio']:.2f}" if r['ratio'] else "-"
    print(f"{r['profile']:8} {r['visits']:>6} {r['seconds']:>8.2f} {r['floor']:>8.2f} {ratio:>6} {r['bytesUp']:>8} {r['bytesDown']:>7} {r['connections']:>5} {r['cuts']:>4} {r['pending']:>7}")
if len(sys.argv) > 2 and sys.argv[2]:
    json.dump(rows, open(sys.argv[2], "w"), indent=1)
PY
