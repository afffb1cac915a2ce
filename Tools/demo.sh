#!/usr/bin/env bash
# The main job on the embedded default data, end to end over the real protocol:
#   an operator initialises a server with the Điện Biên data and issues Sở Tài nguyên và Môi
#   trường (STNMT) a credential; the agency's CLI fetches its assignments, records visits
#   offline, syncs 1 and then 20 visits, resubmits one identical visit and one conflicting
#   visit; both sides list what arrived; bytes on the wire are printed for each sync.
# Usage: Tools/demo.sh [--lang en]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
lang_args=("$@")

echo "== Building (first build takes a few minutes) =="
swift build --product giupxa-server >&2
swift build --product giupxa >&2
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
server() { "$bin/giupxa-server" "$@" --db "$work/server.sqlite" "${lang_args[@]}"; }
client() { GIUPXA_HOME="$work/client" "$bin/giupxa" "$@" "${lang_args[@]}"; }

echo; echo "== Operator: init, credential, serve =="
server init
secret=$(server credential issue --agency STNMT --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
"$bin/giupxa-server" serve --db "$work/server.sqlite" --listen 127.0.0.1:0 --port-file "$work/port" --log-level warning &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
echo "server on 127.0.0.1:$port (pid $server_pid)"

echo; echo "== Agency STNMT: configure, fetch assignments (cached for offline use) =="
client config set --server "127.0.0.1:$port" --agency STNMT --secret "$secret"
client assignments --refresh

echo; echo "== Offline: record 1 visit, then sync it =="
client visit add --file Tools/demo/visit-1.json
client sync

echo; echo "== Offline: record 20 visits, then sync them =="
client visit add --file Tools/demo/visits-20.json
client sync

echo; echo "== An identical resubmission, and a different visit under a used id =="
rm -rf "$work/client2"; mkdir -p "$work/client2"; cp "$work/client/config.json" "$work/client2/"
GIUPXA_HOME="$work/client2" "$bin/giupxa" visit add --file Tools/demo/visit-1.json "${lang_args[@]}"
python3 - "$work/conflict.json" <<'PY'
import json, sys
v = json.load(open("Tools/demo/visits-20.json"))[0]
v["results"] = "Nội dung khác với bản đã gửi"
json.dump([v], open(sys.argv[1], "w"), ensure_ascii=False)
PY
GIUPXA_HOME="$work/client2" "$bin/giupxa" visit add --file "$work/conflict.json" "${lang_args[@]}"
GIUPXA_HOME="$work/client2" "$bin/giupxa" sync "${lang_args[@]}" || echo "(exit code $?: a conflict is reported as a failure)"

echo; echo "== What the server holds =="
client visit list --server | head -8
echo "…"
server visits | head -1
echo; client status
