import Benchmark
import Wiegand

let benchmarks: @Sendable () -> Void = {
    // Filled in with the Wiegand measurements.
}
