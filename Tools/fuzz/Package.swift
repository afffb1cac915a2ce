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
let fuzzerDependencies: [Target.Dependency] = ["LibFuzzerDriver", .product(name: "GiupXaFuzzHarness", package: root)]

let package = Package(
    name: "giupxa-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
    ],
    targets: [
        // libFuzzer's entry points, shared by the executables. What they run on each input is the
        // root package's GiupXaFuzzHarness, which the corpus replay tests run too.
        .target(name: "LibFuzzerDriver", swiftSettings: swiftSettings),
        .executableTarget(name: "FrameDecoderFuzzer", dependencies: fuzzerDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "MessageDecoderFuzzer", dependencies: fuzzerDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "BundleFuzzer", dependencies: fuzzerDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "ContextStreamFuzzer", dependencies: fuzzerDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "SecureHandshakeFuzzer", dependencies: fuzzerDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "TextFuzzer", dependencies: fuzzerDependencies, swiftSettings: swiftSettings),
    ]
)
