import Testing
@testable import Access

@Test func accessModuleLoads() { #expect(Bool(true)) }
