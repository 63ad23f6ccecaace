// swift-tools-version:6.1
// Benchmarks live in their own package so the main build and test run never compile them.
// Run: cd Benchmarks && swift package benchmark
import PackageDescription

let benchmark = Target.Dependency.product(name: "Benchmark", package: "benchmark")
let plugin = Target.PluginUsage.plugin(name: "BenchmarkPlugin", package: "benchmark")

let package = Package(
    name: "keyway-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "keyway", path: ".."),  // name: the checkout directory may be called anything
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "WiegandBenchmarks",
            dependencies: [benchmark, .product(name: "Wiegand", package: "keyway")],
            path: "Benchmarks/WiegandBenchmarks", plugins: [plugin]
        ),
        .executableTarget(
            name: "OSDPBenchmarks",
            dependencies: [
                benchmark, .product(name: "OSDP", package: "keyway"), .product(name: "OSDPLink", package: "keyway"),
                .product(name: "Timebase", package: "keyway"),
            ],
            path: "Benchmarks/OSDPBenchmarks", plugins: [plugin]
        ),
        .executableTarget(
            name: "AccessBenchmarks",
            dependencies: [benchmark, .product(name: "Access", package: "keyway")],
            path: "Benchmarks/AccessBenchmarks", plugins: [plugin]
        ),
        .executableTarget(
            name: "APIBenchmarks",
            dependencies: [benchmark, .product(name: "Access", package: "keyway")],
            path: "Benchmarks/APIBenchmarks", plugins: [plugin]
        ),
        .executableTarget(
            name: "BridgeBenchmarks",
            dependencies: [
                benchmark, .product(name: "Bridge", package: "keyway"), .product(name: "OSDP", package: "keyway"),
                .product(name: "API", package: "keyway"),
            ],
            path: "Benchmarks/BridgeBenchmarks", plugins: [plugin]
        ),
    ]
)
