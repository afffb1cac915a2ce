// swift-tools-version:6.1
import PackageDescription

// The wire benchmark (issue 6): GiupXa against gRPC and HTTP/1.1+JSON on the same visits.
// A nested package on purpose: the product's own build never pulls in gRPC or an HTTP server.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "giupxa-bench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "giupxa-wire-bench", targets: ["giupxa-wire-bench"]),
    ],
    // Peers (default): the gRPC and HTTP/JSON contenders. CI builds without it
    // (`--disable-default-traits`) to run the GiupXa-only quick mode without compiling gRPC,
    // Hummingbird or BoringSSL.
    traits: [
        .trait(name: "Peers", description: "Build the gRPC and HTTP/JSON contenders."),
        .default(enabledTraits: ["Peers"]),
    ],
    dependencies: [
        // Named so the identity does not depend on the checkout directory's name.
        .package(name: "giupxa", path: "../.."),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // gzip for the HTTP contender (zlib's own gzip wrapper, level 6 as `gzip` and most servers).
        .target(name: "CBenchZlib", linkerSettings: [.linkedLibrary("z")]),
        .executableTarget(
            name: "giupxa-wire-bench",
            dependencies: [
                "CBenchZlib",
                .product(name: "GiupXaClient", package: "giupxa"),
                .product(name: "GiupXaMessages", package: "giupxa"),
                .product(name: "GiupXaProtocol", package: "giupxa"),
                .product(name: "GiupXaModels", package: "giupxa"),
                .product(name: "GiupXaNoise", package: "giupxa"),
                // Part (c): the gRPC peer reads and stores through the server's own store and intake.
                .product(name: "GiupXaStorage", package: "giupxa", condition: .when(traits: ["Peers"])),
                .product(name: "GiupXaServer", package: "giupxa", condition: .when(traits: ["Peers"])),
                .product(name: "GRPCCore", package: "grpc-swift-2", condition: .when(traits: ["Peers"])),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport", condition: .when(traits: ["Peers"])),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf", condition: .when(traits: ["Peers"])),
                .product(name: "Hummingbird", package: "hummingbird", condition: .when(traits: ["Peers"])),
                .product(name: "HummingbirdCore", package: "hummingbird", condition: .when(traits: ["Peers"])),
                .product(name: "HummingbirdTLS", package: "hummingbird", condition: .when(traits: ["Peers"])),
                .product(name: "AsyncHTTPClient", package: "async-http-client", condition: .when(traits: ["Peers"])),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl", condition: .when(traits: ["Peers"])),
                .product(name: "X509", package: "swift-certificates", condition: .when(traits: ["Peers"])),
                .product(name: "SwiftASN1", package: "swift-asn1", condition: .when(traits: ["Peers"])),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
