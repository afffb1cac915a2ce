#!/usr/bin/env bash
# Renders the HTML compliance report (Protocol/REPORT.md) of a generated sample province and takes a
# screenshot of it with headless Chromium, to check the page's layout by eye.
#   build giupxa-server → Tools/datagen/generate.py → Tools/load-province.sh
#   → giupxa-server report --format html → chromium --headless --screenshot
# Chromium (Debian package `chromium`) is installed with apt-get if it is missing.
# Usage: Tools/report-screenshot.sh [--period 2019] [--out docs/report-screenshot.png]
#                                   [--lang vi|en] [--height 3000] [--html FILE]
#   --period  report period (2019, 2019-H1, 2019-H2); the sample visits span 2018–2020
#   --out     the PNG, relative to the current directory
#   --lang    language of the report (default vi)
#   --height  window height in pixels: how much of the page the screenshot shows (width 1400)
#   --html    also keep the rendered HTML there
set -euo pipefail

period=2019
out=docs/report-screenshot.png
lang=vi
height=3000
html_copy=""
while [ $# -gt 0 ]; do
  case "$1" in
    --period) period=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --lang) lang=$2; shift 2 ;;
    --height) height=$2; shift 2 ;;
    --html) html_copy=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$height" in ''|*[!0-9]*) echo "--height: a number of pixels" >&2; exit 2 ;; esac

# Paths given by the caller are relative to the caller's directory.
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
out=$(absolute "$out")
[ -n "$html_copy" ] && html_copy=$(absolute "$html_copy")
mkdir -p "$(dirname "$out")"

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v chromium >/dev/null 2>&1; then
  echo "== Installing chromium (Debian package, about 150 MB to download) ==" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  # DejaVu carries every Vietnamese glyph, whatever fonts the machine has.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >&2
fi

echo "== Building giupxa-server ==" >&2
swift build --product giupxa-server >&2
bin=$(swift build --show-bin-path)

echo "== Generating and loading the sample province ==" >&2
python3 Tools/datagen/generate.py --out "$work/data"
Tools/load-province.sh "$work/data" "$work/s.sqlite" "$bin"

echo "== Rendering the $period report ($lang) ==" >&2
"$bin/giupxa-server" report --db "$work/s.sqlite" --period "$period" --format html --lang "$lang" --out "$work/report.html"
echo "report.html: $(wc -c <"$work/report.html") bytes" >&2
[ -n "$html_copy" ] && cp "$work/report.html" "$html_copy"

echo "== Screenshot ==" >&2
# A profile of its own in the work directory; Chromium's chatter goes to a log shown on failure.
if ! chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
    --user-data-dir="$work/chromium" --window-size=1400,"$height" \
    --screenshot="$out" "file://$work/report.html" >"$work/chromium.log" 2>&1 || [ ! -s "$out" ]; then
  cat "$work/chromium.log" >&2
  echo "chromium did not write $out" >&2
  exit 1
fi

python3 - "$out" <<'PY'
import os, struct, sys
path = sys.argv[1]
with open(path, "rb") as f:
    head = f.read(24)
width, height = struct.unpack(">II", head[16:24]) if head[:8] == b"\x89PNG\r\n\x1a\n" else (0, 0)
print(f"{path}: {width}×{height} px, {os.path.getsize(path):,} bytes")
PY
