#!/usr/bin/env bash
# Builds the libFuzzer targets and runs one, then minimises the kept corpus.
#
#   Tools/fuzz/run.sh <frame-decoder|message-decoder|bundle|context-stream|secure-handshake|text> [-runs=N | -max_total_time=SECONDS] [libFuzzer flags…]
#   Tools/fuzz/run.sh <target> -replay      # run the kept corpus once, no fuzzing
#
# One fuzzer process at a time. New inputs go to a scratch corpus under .build/; at the end
# `-merge=1` rewrites corpus/<target>/ with the inputs that cover something the others do not.
# A crash is written to crashes/<target>-crash-<sha1> and the script stops with its status.
set -euo pipefail
cd "$(dirname "$0")"

target="${1:?usage: run.sh <frame-decoder|message-decoder|bundle|context-stream|secure-handshake|text> [-runs=N|-max_total_time=S] [flags…]}"
shift
case "$target" in
    frame-decoder) binary=FrameDecoderFuzzer ;;
    message-decoder) binary=MessageDecoderFuzzer ;;
    bundle) binary=BundleFuzzer ;;
    context-stream) binary=ContextStreamFuzzer ;;
    secure-handshake) binary=SecureHandshakeFuzzer ;;
    text) binary=TextFuzzer ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
esac

# -sanitize=fuzzer goes straight to swiftc (as swift-protobuf's and grpc-swift's fuzzers do); -parse-as-library because
# libFuzzer owns main (see the comment in each target's source). --product: a plain `swift build`
# would also link swift-protobuf's protoc with libFuzzer and fail on a second `main`.
mkdir -p .build
if ! swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --product "$binary" >.build/fuzz-build.log 2>&1; then
    grep -v '^\[' .build/fuzz-build.log >&2; echo "build failed" >&2; exit 1
fi
fuzzer=".build/release/$binary"

kept="corpus/$target"
work=".build/fuzz-work/$target"
mkdir -p "$kept" "$work" crashes
if [ -z "$(ls -A "$kept")" ]; then
    python3 seeds.py .build/fuzz-seeds >/dev/null
    python3 seeds_secure.py .build/fuzz-seeds >/dev/null
    cp .build/fuzz-seeds/"$target"/* "$kept"/
fi

if [ "${1:-}" = "-replay" ]; then
    exec "$fuzzer" -runs=0 "$kept"
fi

# Per-execution cost stays bounded. text: Unicode normalisation of every piece, several times
# (the harness itself cuts at 64 KiB for the replay); 16 KiB is four times the longest field's
# limit. secure-handshake: a record holds at most 64 KiB.
extra=()
case "$target" in
    secure-handshake) [[ " $* " == *" -max_len="* ]] || extra=(-max_len=65536) ;;
    text) [[ " $* " == *" -max_len="* ]] || extra=(-max_len=16384) ;;
esac

start=$(date +%s)
log=".build/fuzz-work/$target.log"
# Swift's own crash backtracer would catch the trap first, and libFuzzer would never write the
# crashing input to crashes/.
export SWIFT_BACKTRACE=enable=no
status=0
"$fuzzer" -timeout=10 -print_final_stats=1 -artifact_prefix="crashes/$target-" ${extra[@]+"${extra[@]}"} "$@" "$work" "$kept" 2>&1 | tee "$log" \
    | grep -E '^#[0-9]+ +(INITED|NEW|REDUCE|pulse|DONE)|^#[0-9]+: .*time: [0-9]*00s|^Done|ERROR|Fatal error|crash-|stat::' | grep -vE 'NEW|REDUCE' || true
status=${PIPESTATUS[0]}
end=$(date +%s)

# Minimise: everything seen (kept + new) into a fresh folder, which replaces the kept one. Edge
# coverage only (-use_counters=0): hit counts would keep ~1000 near-duplicates per target.
merged=".build/fuzz-work/$target.merged"
rm -rf "$merged"; mkdir -p "$merged"
"$fuzzer" -merge=1 -use_counters=0 -timeout=10 "$merged" "$kept" "$work" >".build/fuzz-work/$target.merge.log" 2>&1
rm -rf "$kept"; mv "$merged" "$kept"

# -fork=N prints no final stats of its own (a crashing job prints that job's): its last progress
# line "#N: cov: …" carries the count. A single process prints stat:: lines.
execs=$(grep -oE '^#[0-9]+:' "$log" | tail -1 | tr -dc '0-9')
[ -n "$execs" ] || execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
echo "target:     $target"
echo "executions: $execs"
echo "wall time:  $((end - start)) s"
echo "corpus:     $(ls "$kept" | wc -l) files, $(du -sb "$kept" | cut -f1) bytes in $kept"
echo "crashes:    $(ls crashes | grep -c "^$target-" || true) in crashes/"
exit "$status"
