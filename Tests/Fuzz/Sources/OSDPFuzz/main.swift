import FuzzSupport

// Bit 6 of the first byte chooses the half: the byte-level parsers and decoders, or the control
// panel with Secure Channel established (the rest of the input is its scenario).
runFuzzer { input in
    let bytes = Array(input)
    guard let first = bytes.first else { return }
    if first & 0x40 == 0 { fuzzFrames(bytes) } else { fuzzSecureBus(Array(bytes.dropFirst())) }
}
