// Only here so SwiftPM builds swift-protobuf's protoc-gen-swift for us.
print("run Tools/generate-protos.sh")
