#!/usr/bin/env bash
# Regenerates the committed Swift code for Protocol/giupxa/v1/*.proto.
# Needs protoc (Debian: protobuf-compiler); builds protoc-gen-swift from swift-protobuf at the
# version the product uses (Tools/codegen), so output matches the runtime library.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
(cd "$root/Tools/codegen" && swift build -c release --product protoc-gen-swift >&2)
plugin="$root/Tools/codegen/.build/release/protoc-gen-swift"
out="$root/Sources/GiupXaMessages/Generated"
mkdir -p "$out"
rm -f "$out"/*.pb.swift
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_out="$out" --swift_opt=Visibility=Public --swift_opt=FileNaming=DropPath --swift_opt=UseAccessLevelOnImports=true \
  -I "$root/Protocol" "$root"/Protocol/giupxa/v1/*.proto
echo "generated: $(ls "$out")"
