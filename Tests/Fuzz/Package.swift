// swift-tools-version:6.1
// libFuzzer targets for every parser that reads outside input: OSDP frames and Secure Channel, Wiegand
// edge timelines, the replay JSON lines, the YAML site configuration, the control-socket requests and the HTTP API.
// Its own package so `swift test` never builds it. One executable per target; `run.sh TARGET [runs|seconds]`
// runs one, `smoke.sh` builds and runs each briefly (CI).
import PackageDescription

let package = Package(
    name: "keyway-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "keyway", path: "../.."),
        // Only to name the request types the API harness builds; the versions are keyway's.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
    ],
    targets: [
        // The libFuzzer driver shim every target shares, and the harnesses' common checks.
        .target(name: "FuzzSupport"),
        .executableTarget(name: "OSDPFuzz", dependencies: ["FuzzSupport", .product(name: "OSDP", package: "keyway")]),
        .executableTarget(name: "WiegandFuzz", dependencies: ["FuzzSupport", .product(name: "Wiegand", package: "keyway")]),
        // ReplayEdgeSource lives in the GPIO module, which only the Bridge product carries.
        .executableTarget(name: "ReplayFuzz", dependencies: ["FuzzSupport", .product(name: "Bridge", package: "keyway")]),
        .executableTarget(name: "ConfigFuzz", dependencies: ["FuzzSupport", .product(name: "Bridge", package: "keyway")]),
        .executableTarget(name: "ControlFuzz", dependencies: ["FuzzSupport", .product(name: "Bridge", package: "keyway")]),
        .executableTarget(name: "APIFuzz", dependencies: [
            "FuzzSupport", .product(name: "API", package: "keyway"), .product(name: "Access", package: "keyway"),
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
    ]
)
