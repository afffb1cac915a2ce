#!/usr/bin/env bash
# Regenerates the committed gRPC stubs for Protos/bench.proto (service Visits over GiupXa's own
# giupxa/v1 messages, which stay in the product's GiupXaProtocol module).
# Needs protoc (Debian: protobuf-compiler). Builds protoc-gen-grpc-swift-2 from grpc-swift-protobuf at
# the version Package.swift pins, so the output matches the runtime library.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
(cd "$here" && swift build --product protoc-gen-grpc-swift-2 >&2)
plugin="$(cd "$here" && swift build --show-bin-path)/protoc-gen-grpc-swift-2"
out="$here/Sources/giupxa-wire-bench/Generated"
mkdir -p "$out"
rm -f "$out"/*.grpc.swift
protoc --plugin=protoc-gen-grpc-swift="$plugin" \
  --grpc-swift_out="$out" \
  --grpc-swift_opt=Visibility=Internal,Server=true,Client=true,FileNaming=DropPath \
  --grpc-swift_opt=ProtoPathModuleMappings="$here/Protos/module-mappings.asciipb" \
  -I "$root/Protocol" -I "$here/Protos" "$here/Protos/bench.proto"
# Only the Peers trait builds gRPC (CI's quick build leaves it out).
for file in "$out"/*.grpc.swift; do
  { echo "#if Peers"; cat "$file"; printf "\n#endif\n"; } > "$file.tmp" && mv "$file.tmp" "$file"
done
echo "generated: $(ls "$out")"
