// swift-tools-version:6.1
// libFuzzer target for the OSDP frame parser, message decoders and Secure Channel decoder.
// Its own package so `swift test` never builds it. Run: ./run.sh [seconds]
import PackageDescription

let package = Package(
    name: "osdp-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "keyway", path: "../..")],
    targets: [
        .executableTarget(
            name: "OSDPFuzz",
            dependencies: [.product(name: "OSDP", package: "keyway")]
        ),
    ]
)
