import Access
import Foundation
import HTTPTypes
import Testing
@testable import API

/// The directory CSV: the RFC 4180 reader, the import (dry run, line and column of every problem, all or nothing,
/// logged with the acting user), its bounds, and the export that an import reads back unchanged.
@Suite struct DirectoryImportTests {
    static let header = "record,name,kind,unit,suspended,person,format,facility,number,bits,valid_from,valid_until\r\n"

    /// A staff member's session (the desk imports) and their account.
    static func desk(_ harness: APIHarness) async throws -> (headers: HTTPFields, user: User) {
        let user = try await harness.account(.staff, "desk@example.org")
        return (try await harness.login("desk@example.org").headers(changing: true), user)
    }

    static func lastSequence(_ harness: APIHarness) throws -> Int64 {
        try harness.access.store.activity().last?.sequence ?? 0
    }

    // MARK: The reader

    @Test func readerTakesQuotesBOMLineEndsAndEmptyLinesAndKeepsEachRecordsLine() throws {
        let text = "\u{FEFF}a,b\r\n\r\n\"x, \"\"y\"\"\",\"two\r\nlines\"\n,\n\rlast,\"\"\r\n"
        let records = try CSVReader.records(text, maximumRecords: 10)
        #expect(records == [
            CSVReader.Record(line: 1, fields: ["a", "b"]),
            CSVReader.Record(line: 3, fields: ["x, \"y\"", "two\nlines"]),
            CSVReader.Record(line: 7, fields: ["last", ""]),
        ])
    }

    @Test func readerNamesTheLineAndColumnOfABrokenQuote() {
        #expect(throws: CSVReader.Problem(line: 2, column: 2, message: "a quote inside a field: quote the whole field and double the quotes in it (\"say \"\"hi\"\"\")")) {
            try CSVReader.records("a,b\nx,y\"z\n", maximumRecords: 10)
        }
        #expect((try? CSVReader.records("a,b\nx,\"open\n\nstill", maximumRecords: 10)) == nil)
        do {
            _ = try CSVReader.records("a,b\nx,\"open\n\nstill", maximumRecords: 10)
        } catch {
            #expect(error.line == 2 && error.column == 2 && error.message.contains("not closed"))
        }
        do {
            _ = try CSVReader.records("a\n1\n2\n3\n", maximumRecords: 3)
            Issue.record("a fourth record was read")
        } catch {
            #expect(error.line == 4 && error.message.contains("at most 3 records"))
        }
    }

    // MARK: Import

    @Test func dryRunReportsWhatWouldChangeAndChangesNothing() async throws {
        let harness = try APIHarness()
        let (desk, _) = try await Self.desk(harness)
        let before = try Self.lastSequence(harness)
        let csv = Self.header + "unit,4B,,,,,,,,,,\r\nperson,Cy,staff,4B,,,,,,,,\r\ncard,,,,,Cy,h10301,12,345,,,\r\nperson,Ada,resident,,false,,,,,,,\r\n"
        let answer = try await harness.send(.post, "/api/v1/import?dry_run=true", json: csv, headers: desk)
        #expect(answer.status == .ok && answer.errorCode == nil, "\(answer.text)")
        #expect(answer["dry_run"] as? Bool == true && answer["applied"] as? Bool == false)
        #expect(answer["records"] as? Int == 4 && answer["unchanged"] as? Int == 1 && answer["errors_total"] as? Int == 0)
        let changes = (answer["changes"] as? [[String: Any]] ?? []).map { "\($0["line"]!) \($0["action"]!) \($0["subject"]!)" }
        #expect(changes == ["2 add_unit 4B", "3 add_person Cy", "3 move_in Cy → 4B", "4 add_card card h10301 12:345 for Cy"])
        #expect(try Self.lastSequence(harness) == before)
        #expect(try harness.access.store.people().map(\.name) == ["Ada", "Bob"])
        #expect(try harness.access.store.units().isEmpty)
    }

    @Test func importAppliesEveryRecordLoggedWithTheActingUser() async throws {
        let harness = try APIHarness()
        let (desk, user) = try await Self.desk(harness)
        let before = try Self.lastSequence(harness)
        // Cards before the people and units they need: an import takes units, then people, then cards.
        let csv = Self.header + "card,,,,,Cy,h10301,12,345,,2030-01-01T00:00:00Z,\r\ncard,,,,,Dee,,,,0110,,\r\n"
            + "person,Cy,,4B,,,,,,,,\r\n\"person\",\"Dee\",\"visitor\",\"\",\"true\",,,,,,,\r\nunit,4B,,,,,,,,,,\r\n"
        let answer = try await harness.send(.post, "/api/v1/import", json: csv, headers: desk)
        #expect(answer.status == .ok, "\(answer.text)")
        #expect(answer["applied"] as? Bool == true)
        let store = harness.access.store
        #expect(try store.unit("4B").residents == ["Cy"])
        let dee = try #require(try store.people().first { $0.name == "Dee" })
        #expect(dee.kind == .visitor && dee.suspended)
        let page = try store.directoryPage(afterName: nil, limit: 10, at: Date())
        #expect(page.first { $0.person.name == "Cy" }?.cards.map(\.card) == [.fields(format: "h10301", facility: 12, number: 345)])
        #expect(page.first { $0.person.name == "Dee" }?.cards.map(\.card) == [.raw(bits: [false, true, true, false])])
        let logged = try store.activity(after: before)
        #expect(logged.count == 7)
        #expect(logged.allSatisfy { $0.actor == user.id })
    }

    @Test func aBadRecordOnLine500LeavesTheDatabaseUntouched() async throws {
        let harness = try APIHarness()
        let (desk, _) = try await Self.desk(harness)
        let before = try Self.lastSequence(harness)
        var csv = Self.header
        for index in 2..<600 {
            csv += index == 500 ? "card,,,,,P0002,h10301,12,34x5,,,\r\n" : "person,P\(String(format: "%04d", index)),,,,,,,,,,\r\n"
        }
        let answer = try await harness.send(.post, "/api/v1/import", json: csv, headers: desk)
        #expect(answer.status == .unprocessableContent && answer.errorCode == "import_refused")
        #expect(answer["applied"] as? Bool == false && answer["errors_total"] as? Int == 1)
        let error = try #require((answer["errors"] as? [[String: Any]])?.first)
        #expect(error["line"] as? Int == 500 && error["column"] as? Int == 9 && error["field"] as? String == "number")
        #expect((error["message"] as? String)?.contains("'34x5' is not a card number") == true)
        #expect(try Self.lastSequence(harness) == before)
        #expect(try harness.access.store.people().count == 2)
    }

    @Test func aConflictTheDatabaseFindsOnLine500RollsBackEverythingBeforeIt() async throws {
        let harness = try APIHarness()
        let (desk, _) = try await Self.desk(harness)
        try harness.access.store.addCard(person: "Bob", card: .fields(format: "h10301", facility: 1, number: 77))
        let before = try Self.lastSequence(harness)
        var csv = Self.header
        for index in 2..<600 {
            csv += index == 500 ? "card,,,,,P0002,h10301,1,77,,,\r\n" : "person,P\(String(format: "%04d", index)),,,,,,,,,,\r\n"
        }
        let answer = try await harness.send(.post, "/api/v1/import", json: csv, headers: desk)
        #expect(answer.status == .unprocessableContent, "\(answer.text)")
        let error = try #require((answer["errors"] as? [[String: Any]])?.first)
        #expect(error["line"] as? Int == 500 && error["column"] as? Int == 9)
        #expect((error["message"] as? String)?.contains("assigned to Bob") == true)
        #expect(try Self.lastSequence(harness) == before)
        #expect(try harness.access.store.people().count == 2)
    }

    @Test func everyProblemIsListedWithItsLineAndColumn() async throws {
        let harness = try APIHarness()
        let (desk, _) = try await Self.desk(harness)
        try harness.access.store.addUnit(name: "1A")
        let csv = Self.header
            + "person,Cy,,9Z,,,,,,,,\r\n"                    // 2: unknown unit
            + "person,Dee,boss,,,,,,,,,\r\n"                 // 3: unknown kind
            + "person,Eve,,,,,,,,,,\r\n"
            + "person,Eve,,,,,,,,,,\r\n"                     // 5: the same record again
            + "person,Fay,,1A\r\n"                           // 6: too few fields
            + "card,,,,,Ada,h10301,,,0101,,\r\n"             // 7: a number and bits
            + "card,,,,,Nobody,h10301,,5,,,\r\n"             // 8: no such person
            + "unit,2B,,,,,h10301,,,,,\r\n"                  // 9: a unit with a card field
            + "card,,,,,Ada,h10301,,6,,2030-01-02T00:00:00Z,2030-01-01T00:00:00Z\r\n"  // 10: the window ends before it starts
            + "card,,,,,Ada,h10301,,7,,next week,\r\n"       // 11: not a date
            + "person,Bob,staff,,,,,,,,,\r\n"                // 12: contradicts the database
            + "door,Lobby,,,,,,,,,,\r\n"                     // 13: not a record kind
        let answer = try await harness.send(.post, "/api/v1/import?dry_run=true", json: csv, headers: desk)
        #expect(answer.status == .unprocessableContent && answer["dry_run"] as? Bool == true && answer.errorCode == "import_refused")
        let errors = (answer["errors"] as? [[String: Any]] ?? []).map { "\($0["line"]!):\($0["column"] as? Int ?? 0) \($0["field"] as? String ?? "-")" }
        #expect(errors == ["2:4 unit", "3:3 kind", "5:0 -", "6:0 -", "7:10 bits", "8:6 person", "9:7 format", "10:12 valid_until",
                           "11:11 valid_from", "12:3 kind", "13:1 record"])
        // The same file, imported for real: refused whole.
        let real = try await harness.send(.post, "/api/v1/import", json: csv, headers: desk)
        #expect(real.status == .unprocessableContent && real["applied"] as? Bool == false)
        #expect(try harness.access.store.people().count == 2)
    }

    @Test func theHeaderIsCheckedBeforeAnyRecord() async throws {
        let harness = try APIHarness()
        let (desk, _) = try await Self.desk(harness)
        for (csv, expected) in [("name,colour\nAda,red\n", ["1:0 record", "1:2 colour"]), ("record,name,name\n", ["1:3 name"]),
                                ("\u{FEFF}\r\n\r\n", ["1:0 -"]), ("record,name\nunit,\"4B\n", ["2:2 -"])] {
            let answer = try await harness.send(.post, "/api/v1/import?dry_run=true", json: csv, headers: desk)
            let errors = (answer["errors"] as? [[String: Any]] ?? []).map { "\($0["line"]!):\($0["column"] as? Int ?? 0) \($0["field"] as? String ?? "-")" }
            #expect(answer.status == .unprocessableContent && errors == expected, "\(csv) → \(answer.text)")
        }
        // Only the columns a file needs, in its own order.
        let answer = try await harness.send(.post, "/api/v1/import", json: "name,record\n4B,unit\nCy,person\n", headers: desk)
        #expect(answer.status == .ok && answer["applied"] as? Bool == true, "\(answer.text)")
    }

    @Test func anUploadOrARecordCountBeyondTheLimitIsRefusedWithTheLimit() async throws {
        let harness = try APIHarness()
        let (desk, _) = try await Self.desk(harness)
        let large = Self.header + String(repeating: "person,\(String(repeating: "x", count: 100)),,,,,,,,,,\r\n", count: 25_000)
        let tooLarge = try await harness.send(.post, "/api/v1/import?dry_run=true", json: large, headers: desk)
        #expect(tooLarge.status == .contentTooLarge && tooLarge.errorCode == "body_too_large")
        #expect(tooLarge.text.contains("\(APILimits.importBytes) bytes"))
        var many = "record,name\n"
        for index in 0..<APILimits.importRecords { many += "unit,U\(index)\n" }
        let tooMany = try await harness.send(.post, "/api/v1/import?dry_run=true", json: many, headers: desk)
        #expect(tooMany.status == .unprocessableContent)
        let error = try #require((tooMany["errors"] as? [[String: Any]])?.first)
        #expect(error["line"] as? Int == APILimits.importRecords + 1)
        #expect((error["message"] as? String)?.contains("at most \(APILimits.importRecords) records") == true)
        let badFlag = try await harness.send(.post, "/api/v1/import?dry_run=yes", json: "record\n", headers: desk)
        #expect(badFlag.status == .badRequest)
        let noBody = try await harness.send(.post, "/api/v1/import?dry_run=true", headers: desk)
        #expect(noBody.status == .badRequest && noBody.text.contains("needs the CSV file"))
    }

    // MARK: Export

    @Test func theExportIsReadBackUnchangedAndHoldsNoSecret() async throws {
        let harness = try APIHarness()
        let (desk, _) = try await Self.desk(harness)
        let store = harness.access.store
        try store.addUnit(name: "4B")
        try store.addUnit(name: "Suite, \"North\"")
        try store.addPerson(name: "-Dash")
        try store.addPerson(name: "Cy, \"the\" Tenant", kind: .staff)
        try store.moveIn(person: "Cy, \"the\" Tenant", unit: "Suite, \"North\"")
        try store.moveIn(person: "Ada", unit: "4B")
        try store.setSuspended("-Dash", true)
        try store.addCard(person: "Ada", card: .fields(format: "h10301", facility: 12, number: 345), validFrom: Date(timeIntervalSince1970: 1_900_000_000.123),
                          validUntil: Date(timeIntervalSince1970: 1_990_000_000))
        try store.addCard(person: "Ada", card: .fields(format: "h10302", facility: nil, number: 9_000_000_000))
        try store.addCard(person: "-Dash", card: .raw(bits: [true, false, true]))
        let revoked = try store.addCard(person: "Bob", card: .fields(format: "h10301", facility: 1, number: 1))
        _ = try store.revoke(revoked.id)
        // Neither a PIN nor a passcode is exported: the whole export is spelled out below.
        try store.addPIN(person: "Ada")
        try store.createPasscode(PasscodeRequest(label: "walker", doors: ["Lobby"]))

        let export = try await harness.send(.get, "/api/v1/export.csv", headers: desk)
        #expect(export.status == .ok && export.headers[.contentType] == "text/csv; charset=utf-8")
        #expect(export.text == DirectoryImportTests.header
            + "unit,4B,,,,,,,,,,\r\n" + "unit,\"Suite, \"\"North\"\"\",,,,,,,,,,\r\n"
            + "person,'-Dash,resident,,true,,,,,,,\r\n" + "card,,,,,'-Dash,,,,101,,\r\n"
            + "person,Ada,resident,4B,false,,,,,,,\r\n"
            + "card,,,,,Ada,h10301,12,345,,2030-03-17T17:46:40.123Z,2033-01-22T09:46:40.000Z\r\n"
            + "card,,,,,Ada,h10302,,9000000000,,,\r\n"
            + "person,Bob,resident,,false,,,,,,,\r\n"
            + "person,\"Cy, \"\"the\"\" Tenant\",staff,\"Suite, \"\"North\"\"\",false,,,,,,,\r\n")

        // Read back into this database: nothing to change.
        let again = try await harness.send(.post, "/api/v1/import?dry_run=true", json: export.text, headers: desk)
        #expect(again["errors_total"] as? Int == 0 && (again["changes"] as? [Any])?.isEmpty == true && again["unchanged"] as? Int == 9,
                "\(again.text)")
        // Into another (it has Ada in 4B and Bob already): the same directory comes out of it.
        let other = try APIHarness()
        let (otherDesk, _) = try await Self.desk(other)
        try other.access.store.moveIn(person: "Ada", unit: try other.access.store.addUnit(name: "4B").name)
        let imported = try await other.send(.post, "/api/v1/import", json: export.text, headers: otherDesk)
        #expect(imported.status == .ok && imported["applied"] as? Bool == true, "\(imported.text)")
        let reexport = try await other.send(.get, "/api/v1/export.csv", headers: otherDesk)
        #expect(reexport.text == export.text)
        #expect(try other.access.store.people().first { $0.name == "-Dash" }?.suspended == true)
    }

    @Test func residentsAndDoorLimitedTokensNeitherImportNorExport() async throws {
        let harness = try APIHarness()
        let (sessions, _) = try await harness.roleSessions()
        let resident = sessions[.resident]!.headers(changing: true)
        #expect(try await harness.send(.get, "/api/v1/export.csv", headers: resident).status == .forbidden)
        #expect(try await harness.send(.post, "/api/v1/import?dry_run=true", json: "record,name\nunit,X\n", headers: resident).status == .forbidden)
        let limited = try await harness.token(sessions[.staff]!, doors: ["Lobby"])
        #expect(try await harness.send(.get, "/api/v1/export.csv", headers: limited.headers).status == .forbidden)
        #expect(try await harness.send(.post, "/api/v1/import", json: "record,name\nunit,X\n", headers: limited.headers).status == .forbidden)
        #expect(try harness.access.store.units().isEmpty)
    }
}
