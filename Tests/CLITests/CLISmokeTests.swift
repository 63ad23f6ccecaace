import Foundation
import KeywayTestSupport
import Testing

@Suite struct CLISmokeTests {
    @Test func helpListsTheProgram() throws {
        let result = try runKeyway(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("keyway"))
    }

    @Test func unknownSubcommandIsAUsageError() throws {
        let result = try runKeyway(["no-such-command"])
        #expect(result.status == 2)
        #expect(!result.stderr.isEmpty)
    }
}
