// swift-tools-version:6.1
// libFuzzer targets for every parser that reads outside input: OSDP frames and Secure Channel, Wiegand
// edge timelines, the replay JSON lines, the YAML site configuration and the control-socket requests.
// Its own package so `swift test` never builds it. One executable per target; `run.sh TARGET [runs|seconds]`
// runs one, `smoke.sh` builds and runs each briefly (CI).
import PackageDescription

let package = Package(
    name: "keyway-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "keyway", path: "../..")],
    targets: [
        // The libFuzzer driver shim every target shares, and the harnesses' common checks.
        .target(name: "FuzzSupport"),
        .executableTarget(name: "OSDPFuzz", dependencies: ["FuzzSupport", .product(name: "OSDP", package: "keyway")]),
        .executableTarget(name: "WiegandFuzz", dependencies: ["FuzzSupport", .product(name: "Wiegand", package: "keyway")]),
        // ReplayEdgeSource lives in the GPIO module, which only the Bridge product carries.
        .executableTarget(name: "ReplayFuzz", dependencies: ["FuzzSupport", .product(name: "Bridge", package: "keyway")]),
        .executableTarget(name: "ConfigFuzz", dependencies: ["FuzzSupport", .product(name: "Bridge", package: "keyway")]),
        .executableTarget(name: "ControlFuzz", dependencies: ["FuzzSupport", .product(name: "Bridge", package: "keyway")]),
    ]
)
