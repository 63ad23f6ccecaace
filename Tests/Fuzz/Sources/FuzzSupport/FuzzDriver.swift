import Glibc

// SwiftPM renames an executable's `main`, so libFuzzer's own `main` cannot be used; drive it
// through its documented entry point instead.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The harness of this executable; set once by `runFuzzer` before libFuzzer starts calling back.
nonisolated(unsafe) private var harness: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }

/// Hands the command line to libFuzzer and calls `test` with every input it generates. A failed
/// invariant must trap (`precondition`), so libFuzzer saves the input as a crash.
public func runFuzzer(_ test: @escaping (UnsafeBufferPointer<UInt8>) -> Void) -> Never {
    harness = test
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        harness(UnsafeBufferPointer(start: size == 0 ? nil : data, count: size))
        return 0
    })
}

/// Stops the run with `message` when an invariant fails, so libFuzzer saves the input as a crash
/// (`precondition` drops its message in release builds).
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
