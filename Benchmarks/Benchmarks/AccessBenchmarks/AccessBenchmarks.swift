import Benchmark
import Access

let benchmarks: @Sendable () -> Void = {
    // Filled in with the Access measurements.
}
