// swift-tools-version:6.1
// Keyway: an access-control bridge. Dependencies point one way:
// keyway (CLI) → Web (pages) → API (HTTP) → Bridge → Access (core) and OSDPLink (link) → OSDP / Wiegand (protocols) and Serial / GPIO (hardware);
// everything may use Timebase (the clock and duration units). Protocols import no I/O; C modules only in Hardware.
import PackageDescription

let package = Package(
    name: "keyway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "keyway", targets: ["keyway"]),
        .library(name: "Timebase", targets: ["Timebase"]),
        .library(name: "Wiegand", targets: ["Wiegand"]),
        .library(name: "OSDP", targets: ["OSDP"]),
        .library(name: "Access", targets: ["Access"]),
        .library(name: "OSDPLink", targets: ["OSDPLink"]),
        .library(name: "Bridge", targets: ["Bridge"]),
        .library(name: "API", targets: ["API"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.36.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // MARK: Support (a leaf: the one monotonic clock, duration parsing, printing and units)
        .target(name: "Timebase", path: "Support/Timebase"),

        // MARK: Protocols (pure: bytes, edges and time in; bytes and events out)
        .target(name: "Wiegand", path: "Protocols/Wiegand"),
        .target(
            name: "OSDP",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            path: "Protocols/OSDP"
        ),

        // MARK: Hardware (thin adapters; they feed bytes and edges in and never decide)
        .systemLibrary(name: "CGPIOD", path: "Hardware/CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CUDev", path: "Hardware/CUDev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CPty", path: "Hardware/CPty"),
        .systemLibrary(name: "CTimex", path: "Hardware/CTimex"),
        .target(name: "GPIO", dependencies: ["CGPIOD", "Wiegand", "Timebase"], path: "Hardware/GPIO"),
        .target(name: "Serial", dependencies: ["CPty", "CUDev", "Timebase"], path: "Hardware/Serial"),
        .target(name: "SystemClock", dependencies: ["CTimex"], path: "Hardware/SystemClock"),

        // MARK: Links (a protocol core driven over its hardware on a thread of its own)
        .target(name: "OSDPLink", dependencies: ["OSDP", "Serial", "Timebase"], path: "Links/OSDPLink"),

        // MARK: Core
        .target(
            name: "Access",
            dependencies: [
                "Timebase",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Access"
        ),
        .target(
            name: "Bridge",
            dependencies: [
                "Access", "OSDPLink", "OSDP", "Wiegand", "Serial", "GPIO", "SystemClock", "Timebase",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // Webhook delivery (Sources/Bridge/Webhooks) and messages (Sources/Bridge/Delivery) only.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Bridge"
        ),

        // MARK: HTTP API (handlers on the storage protocols of Access; served by `keyway serve`)
        .target(
            name: "API",
            dependencies: [
                "Bridge", "Access", "Timebase",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/API"
        ),

        // MARK: Web pages (server-rendered on the API's listener and session; CSS and JavaScript in the binary)
        .target(
            name: "Web",
            dependencies: [
                "API",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/Web"
        ),

        // MARK: Program
        .executableTarget(
            name: "keyway",
            dependencies: [
                "API", "Web", "Bridge", "Access", "OSDPLink", "OSDP", "Wiegand", "Serial", "GPIO", "Timebase",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/keyway"
        ),

        // MARK: Tests
        .target(name: "KeywayTestSupport", dependencies: ["Serial"], path: "Tests/Support"),
        .testTarget(name: "TimebaseTests", dependencies: ["Timebase"]),
        .testTarget(name: "WiegandTests", dependencies: ["Wiegand", "KeywayTestSupport"]),
        .testTarget(name: "OSDPTests", dependencies: ["OSDP", "KeywayTestSupport"]),
        .testTarget(name: "SerialTests", dependencies: ["Serial", "KeywayTestSupport"]),
        .testTarget(name: "GPIOTests", dependencies: ["GPIO", "Wiegand", "KeywayTestSupport"]),
        .testTarget(name: "OSDPLinkTests", dependencies: ["OSDPLink", "OSDP", "Serial", "Timebase", "KeywayTestSupport"]),
        .testTarget(name: "AccessTests", dependencies: ["Access", "Timebase", "KeywayTestSupport"]),
        .testTarget(name: "BridgeTests", dependencies: ["Bridge", "KeywayTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["KeywayTestSupport"]),
        .testTarget(name: "APITests", dependencies: [
            "API", "Web", "Bridge", "Access", "Wiegand", "KeywayTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
    ]
)
