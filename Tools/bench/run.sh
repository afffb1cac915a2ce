#!/usr/bin/env bash
# The wire benchmark (issue 6): GiupXa against gRPC and HTTP/1.1+JSON on the same visits, bytes on
# the wire (a) and sync time through the link simulator (b). See Tools/bench/README.md.
#
# Usage: Tools/bench/run.sh [--quick] [--json FILE] [any giupxa-wire-bench option]
#   --quick   GiupXa only, 1 and 20 visits, bytes + edge time; exits 1 if GiupXa misses a target (CI).
#             Built without the Peers trait (no gRPC, Hummingbird or BoringSSL to compile) and in
#             debug: bytes do not depend on the build, and the edge profile's time is the link's.
#        Tools/bench/run.sh capacity [--json FILE] [any `giupxa-wire-bench capacity` option]
#             part (c), server capacity: small-call rate and latency, durable visits per second.
#        Tools/bench/run.sh hostile [--json FILE]
#             issue 15's targets: server memory before authentication, CPU and memory per worst call.
# BENCH_CONFIGURATION=debug|release overrides the build (default: release; quick: debug).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
traits=()
config=release
for argument in "$@"; do
  if [ "$argument" = "--quick" ]; then traits=(--disable-default-traits); config=debug; fi
  if [ "$argument" = "hostile" ]; then traits=(--disable-default-traits); fi
done
config=${BENCH_CONFIGURATION:-$config}

# Everything builds in this nested package's own .build: the benchmark (gRPC, Hummingbird and
# async-http-client never enter the product's build) and, from the root package it depends on,
# the real giupxa-server and giupxa-linksim executables (same sources, no second copy of the
# dependencies, and the shared root .build is left alone).
start=$(date +%s)
for product in giupxa-wire-bench giupxa-server giupxa-linksim; do
  swift build --package-path "$here" -c "$config" ${traits[@]+"${traits[@]}"} --product "$product" >&2
done
echo "build: $(( $(date +%s) - start )) s" >&2
bin=$(swift build --package-path "$here" -c "$config" --show-bin-path)

# A subcommand comes first, so that --root and --bin-dir are its own.
if [[ "${1:-}" == hostile ]]; then
  shift
  exec "$bin/giupxa-wire-bench" hostile --server-dir "$bin" "$@"
fi
if [[ "${1:-}" == capacity ]]; then
  shift
  exec "$bin/giupxa-wire-bench" capacity --root "$root" --bin-dir "$bin" "$@"
fi
exec "$bin/giupxa-wire-bench" --root "$root" --bin-dir "$bin" "$@"
