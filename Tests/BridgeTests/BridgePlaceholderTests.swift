import Testing
@testable import Bridge

@Test func bridgeModuleLoads() { #expect(Bool(true)) }
