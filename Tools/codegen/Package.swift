// swift-tools-version:6.0
// Builds `protoc-gen-swift` at the same swift-protobuf version as the product, so that
// `Tools/generate-protos.sh` regenerates exactly the committed code. Kept out of the
// root package so the product's build never compiles the plugin.
import PackageDescription

let package = Package(
    name: "giupxa-codegen",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0")
    ],
    targets: [
        // SwiftPM needs one target of our own; the product we want is swift-protobuf's.
        .executableTarget(name: "codegen-placeholder", dependencies: [
            .product(name: "protoc-gen-swift", package: "swift-protobuf")
        ])
    ]
)
