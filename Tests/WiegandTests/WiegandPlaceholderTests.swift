import Testing
@testable import Wiegand

@Test func wiegandModuleLoads() { #expect(Bool(true)) }
