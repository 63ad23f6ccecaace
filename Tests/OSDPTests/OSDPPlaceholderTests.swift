import Testing
@testable import OSDP

@Test func osdpModuleLoads() { #expect(Bool(true)) }
