import FuzzSupport

// libFuzzer's own `main` calls this symbol when it is the program's entry point (debug builds);
// otherwise the line below hands it to the driver. The harness is in APIHarness.swift.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzAPI(UnsafeBufferPointer(start: size == 0 ? nil : data, count: size))
    return 0
}

runFuzzer(testOneInput)
