// swift-tools-version:6.1
// libFuzzer targets for the GiupXa wire protocol. A separate package so the main build never
// sees -sanitize=fuzzer; see README.md and run.sh.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder: "main" in /work/main, "wt-fuzz" in a
/// worktree, something else in a CI clone. Read it from this file's path instead of spelling it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent.lowercased()

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "giupxa-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        // Already dependencies of the root package (same pins); declared for the NIOCore/NIOEmbedded/SwiftProtobuf/Crypto imports.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
    ],
    targets: [
        // The "feed these bytes through the decoder" code. Tests/GiupXaProtocolTests/
        // FuzzCorpusReplayTests.swift carries a copy of it; keep the two in step.
        .target(
            name: "FuzzHarness",
            dependencies: [
                .product(name: "GiupXaMessages", package: root),
                .product(name: "GiupXaProtocol", package: root),
                .product(name: "GiupXaModels", package: root),
                .product(name: "GiupXaNoise", package: root),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "FrameDecoderFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
        .executableTarget(name: "MessageDecoderFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
        .executableTarget(name: "BundleFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
        .executableTarget(name: "ContextStreamFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
        .executableTarget(name: "SecureHandshakeFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
        .executableTarget(name: "TextFuzzer", dependencies: ["FuzzHarness"], swiftSettings: swiftSettings),
    ]
)
