import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// The activity log as CSV: every row past a page, the filters and scope of GET /activity, quoting, no formulas.
@Suite struct ExportTests {
    @Test func theLogIsExportedWholeFilteredAndQuoted() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.staff, "desk@example.org")
        let desk = try await harness.login("desk@example.org").headers(changing: true)
        let key = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: false, actor: "test", at: Date())
        for _ in 0..<230 { _ = harness.access.decide(.digitalKey(token: key.token), door: "Lobby", reader: "r", at: Date()) }
        // A name a spreadsheet would run, with a comma and a quote in it.
        _ = try await harness.send(.post, "/api/v1/people", json: #"{"name": "=HYPERLINK(\"x\", 1)"}"#, headers: desk)

        let all = try await harness.send(.get, "/api/v1/activity.csv", headers: desk)
        #expect(all.status == .ok)
        #expect(all.headers[.contentType]?.hasPrefix("text/csv") == true)
        let lines = all.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.first == "sequence,at,kind,event,door,reader,credential,person,outcome,reason,detail,actor")
        let total = try await harness.storage.activity(ActivityQuery(limit: 200)).first?.sequence ?? 0
        #expect(lines.count == Int(total) + 1)
        #expect(all.text.contains(#","resident =HYPERLINK(""x"", 1)","#))
        // A field that would start a formula is defused.
        #expect(CSV.line(["=1+1", "-2", "@x", "a,b", "plain"]) == #"'=1+1,'-2,'@x,"a,b",plain"# + "\r\n")

        let granted = try await harness.send(.get, "/api/v1/activity.csv?door=Lobby&result=grant", headers: desk)
        #expect(granted.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 231)
        #expect(try await harness.send(.get, "/api/v1/activity.csv?result=maybe", headers: desk).status == .badRequest)
        #expect(try await harness.send(.get, "/api/v1/activity.csv?door=Nowhere", headers: desk).status == .notFound)
        #expect(try await harness.send(.get, "/api/v1/activity.csv").status == .unauthorized)
    }

    @Test func aResidentExportsOnlyTheirOwnRows() async throws {
        let harness = try APIHarness()
        _ = try await harness.account(.resident, "ada@example.org", person: "Ada")
        let ada = try await harness.login("ada@example.org").headers()
        let bobs = try await harness.storage.issueKey(person: "Bob", doors: ["Roof"], validUntil: nil, mayShare: false, actor: "test", at: Date())
        let adas = try await harness.storage.issueKey(person: "Ada", doors: ["Lobby"], validUntil: nil, mayShare: false, actor: "test", at: Date())
        _ = harness.access.decide(.digitalKey(token: bobs.token), door: "Roof", reader: "r", at: Date())
        _ = harness.access.decide(.digitalKey(token: adas.token), door: "Lobby", reader: "r", at: Date())
        let export = try await harness.send(.get, "/api/v1/activity.csv", headers: ada)
        #expect(export.text.contains(adas.credential.id))
        #expect(!export.text.contains(bobs.credential.id))
    }
}
