import Benchmark
import OSDP

let benchmarks: @Sendable () -> Void = {
    // Filled in with the OSDP measurements.
}
