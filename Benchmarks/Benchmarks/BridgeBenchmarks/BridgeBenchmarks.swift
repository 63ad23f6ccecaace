import Benchmark
import Bridge

let benchmarks: @Sendable () -> Void = {
    // Filled in with the Bridge measurements.
}
