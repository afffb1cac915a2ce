// swift-tools-version:6.1
// libFuzzer targets for the GiupXa wire protocol. A separate package so the main build never
// sees -sanitize=fuzzer; see README.md and run.sh.
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "giupxa-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        // Already dependencies of the root package (same pins); declared for NIOCore/SwiftProtobuf imports.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        // The "feed these bytes through the decoder" code. Tests/GiupXaProtocolTests/
        // FuzzCorpusReplayTests.swift carries a copy of it; keep the two in step.
        .target(
            name: "FuzzHarness",
            dependencies: [
                .product(name: "GiupXaProtocol", package: "main"),
                .product(name: "GiupXaModels", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "FrameDecoderFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
        .executableTarget(name: "MessageDecoderFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
        .executableTarget(name: "BundleFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
        .executableTarget(name: "ContextStreamFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
    ]
)
