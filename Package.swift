// swift-tools-version:6.1
import PackageDescription

/// One set of settings for every target: Swift 6 language mode plus the upcoming
/// features the model codebases turn on (see ../shared/STYLE.md, "Package layout").
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "giupxa",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "giupxa", targets: ["giupxa"]),
        .executable(name: "giupxa-server", targets: ["giupxa-server"]),
        .executable(name: "giupxa-linksim", targets: ["giupxa-linksim"]),
        .library(name: "GiupXaModels", targets: ["GiupXaModels"]),
        .library(name: "GiupXaMessages", targets: ["GiupXaMessages"]),
        .library(name: "GiupXaProtocol", targets: ["GiupXaProtocol"]),
        .library(name: "GiupXaClient", targets: ["GiupXaClient"]),
        // For Tools/bench: its gRPC peer stores visits through the same store and intake.
        .library(name: "GiupXaStorage", targets: ["GiupXaStorage"]),
        .library(name: "GiupXaServer", targets: ["GiupXaServer"]),
        // For Tools/bench's hostile-input probe, which builds Noise messages by hand.
        .library(name: "GiupXaNoise", targets: ["GiupXaNoise"]),
        // For Tools/fuzz: the harness its libFuzzer targets share with the corpus replay tests.
        .library(name: "GiupXaFuzzHarness", targets: ["GiupXaFuzzHarness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        // The server runs as a Service in a ServiceGroup: signals, graceful shutdown, its deadline.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // System zlib (zlib1g-dev) behind a tiny C shim: the protocol needs raw deflate,
        // preset dictionaries and long-lived streams, which NIO's wrappers do not expose.
        .target(
            name: "CGiupXaZlib",
            linkerSettings: [.linkedLibrary("z")]
        ),
        // System liblzma (liblzma-dev), for mode 3's LZMA2 stream (PROTOCOL.md §9.4): it sends
        // large syncs about 30 % smaller than deflate can, close to `xz -9e` of the same messages.
        .target(
            name: "CGiupXaLZMA",
            linkerSettings: [.linkedLibrary("lzma")]
        ),
        // Files that hold personal data or keys, created 0600 whatever the umask.
        .target(
            name: "GiupXaFiles",
            swiftSettings: swiftSettings
        ),
        // Domain models, validation, Vietnamese text rules. No I/O.
        .target(
            name: "GiupXaModels",
            swiftSettings: swiftSettings
        ),
        // The v1 messages: the generated protobuf code and its conversions to and from the
        // models. No NIO: storage keeps a visit's canonical body in this form.
        .target(
            name: "GiupXaMessages",
            dependencies: [
                "GiupXaModels",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // The compliance report's messages and the report, both ways (server and client).
        .target(
            name: "GiupXaReportMessages",
            dependencies: [
                "GiupXaMessages",
                "GiupXaModels",
                "GiupXaReports",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        // The wire protocol: framing, compression, message codec, the secured (Noise) channel
        // handlers. NIOCore only, no sockets.
        .target(
            name: "GiupXaProtocol",
            dependencies: [
                "GiupXaModels",
                "GiupXaMessages",
                "GiupXaNoise",
                "CGiupXaZlib",
                "CGiupXaLZMA",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The periodic compliance report: policy, periods, figures and flags (Protocol/REPORT.md),
        // and its renderings. No network or storage; it reads only a policy file it is given.
        .target(
            name: "GiupXaReports",
            dependencies: ["GiupXaModels"],
            swiftSettings: swiftSettings
        ),
        // Storage behind one Swift protocol; SQLite (GRDB) is the embedded default.
        .target(
            name: "GiupXaStorage",
            dependencies: [
                "GiupXaModels",
                "GiupXaFiles",
                // The canonical stored body is the visit's v1 message (VisitEncoding).
                "GiupXaMessages",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GiupXaServer",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                "GiupXaModels",
                "GiupXaFiles",
                "GiupXaMessages",
                "GiupXaReportMessages",
                "GiupXaProtocol",
                "GiupXaStorage",
                "GiupXaReports",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "GiupXaClient",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                "GiupXaModels",
                "GiupXaFiles",
                "GiupXaReports",
                "GiupXaMessages",
                "GiupXaReportMessages",
                "GiupXaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Output conventions shared by the two executables.
        .target(
            name: "GiupXaCLISupport",
            dependencies: [
                "GiupXaModels",
                "GiupXaReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "giupxa",
            dependencies: [
                "GiupXaClient",
                "GiupXaFiles",
                "GiupXaMessages",
                "GiupXaReportMessages",
                "GiupXaReports",
                "GiupXaModels",
                "GiupXaProtocol",
                "GiupXaCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "giupxa-server",
            dependencies: [
                "GiupXaServer",
                "GiupXaFiles",
                "GiupXaMessages",
                "GiupXaReports",
                "GiupXaStorage",
                "GiupXaModels",
                "GiupXaProtocol",
                "GiupXaCLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // User-space TCP proxy that shapes traffic like 2G/satellite links (bandwidth, delay,
        // jitter, stalls, cuts). Logic in the library so tests and benchmarks run it in-process.
        .target(
            name: "GiupXaLinkSim",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "giupxa-linksim",
            dependencies: [
                "GiupXaLinkSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Noise Protocol Framework (rev. 34) handshake core: 25519 / ChaChaPoly / SHA256.
        .target(
            name: "GiupXaNoise",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // What the libFuzzer targets (Tools/fuzz) run on each input, and the corpus replay tests
        // with them: decoders, the v2 server handler and the text rules, fed arbitrary bytes.
        .target(
            name: "GiupXaFuzzHarness",
            dependencies: [
                "GiupXaMessages",
                "GiupXaModels",
                "GiupXaNoise",
                "GiupXaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "GiupXaModelsTests",
            dependencies: ["GiupXaModels"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GiupXaProtocolTests",
            dependencies: [
                "GiupXaFuzzHarness",
                "GiupXaMessages",
                "GiupXaProtocol",
                "GiupXaModels",
                // The secure-handshake fuzz harness (SecureFuzzCorpusReplayTests) builds message 1 itself.
                "GiupXaNoise",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GiupXaClientTests",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                "GiupXaModels",
                "GiupXaMessages",
                "GiupXaClient",
                "GiupXaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The server in-process, attacked with raw bytes: the bad-input table.
        .testTarget(
            name: "GiupXaServerTests",
            dependencies: [
                "GiupXaMessages",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "GiupXaServer",
                "GiupXaStorage",
                "GiupXaProtocol",
                "GiupXaClient",
                "GiupXaModels",
                "GiupXaNoise",
                "GiupXaLinkSim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GiupXaCLISupportTests",
            dependencies: ["GiupXaCLISupport", "GiupXaModels"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GiupXaReportsTests",
            dependencies: ["GiupXaReports", "GiupXaModels"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GiupXaStorageTests",
            dependencies: ["GiupXaStorage", "GiupXaModels", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // Starts the real executables over loopback; depending on them makes `swift test` build them.
        // GiupXaProtocol: to write the bundles an attacker or an old client would (signed bundles).
        .testTarget(
            name: "GiupXaIntegrationTests",
            dependencies: ["giupxa", "giupxa-server", "giupxa-linksim", "GiupXaModels", "GiupXaMessages", "GiupXaProtocol"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GiupXaLinkSimTests",
            dependencies: [
                "GiupXaLinkSim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Published Noise test vectors (cacophony, via snow) plus tamper/truncation cases.
        .testTarget(
            name: "GiupXaNoiseTests",
            dependencies: ["GiupXaNoise", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Vectors")],
            swiftSettings: swiftSettings
        ),
    ]
)
