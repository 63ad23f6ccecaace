import FuzzSupport

// libFuzzer's own `main` calls this symbol when it is the program's entry point (debug builds);
// otherwise the line below hands it to the driver.
// Bit 6 of the first byte chooses the half: the byte-level parsers and decoders (OSDPHarness.swift), or
// the control panel with Secure Channel established (SecureBusHarness.swift; the rest of the input is its scenario).
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: size == 0 ? nil : data, count: size))
    guard let first = bytes.first else { return 0 }
    if first & 0x40 == 0 { fuzzFrames(bytes) } else { fuzzSecureBus(Array(bytes.dropFirst())) }
    return 0
}

runFuzzer(testOneInput)
