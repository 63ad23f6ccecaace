import Access
import ArgumentParser
import Foundation

struct UnitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units", abstract: "Apartments and suites: residents, their guest passes, move-in and move-out.",
        subcommands: [Add.self, List.self, MoveIn.self, MoveOut.self, Passes.self])

    struct Add: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Add a unit; prints its id.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The unit's name (unique), e.g. 4B.") var name: String

        func run() throws {
            let unit = try database.openStore(creating: true).addUnit(name: name, actor: AccessCLI.actor)
            output.print(unit, text: "\(unit.id)  \(unit.name)")
        }
    }

    struct List: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "List units and their residents.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            for unit in try database.openStore().units() {
                output.print(unit, text: "\(unit.id)  \(unit.name)  " + (unit.residents.isEmpty ? "(empty)" : unit.residents.joined(separator: ", ")))
            }
        }
    }

    struct MoveIn: DatabaseCommand {
        static let configuration = CommandConfiguration(commandName: "move-in", abstract: "A person moves into a unit.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The unit (id or name).") var unit: String
        @Option(help: "The person (id or name).") var person: String

        func run() throws {
            try database.openStore().moveIn(person: person, unit: unit, actor: AccessCLI.actor)
            output.print(["unit": unit, "person": person], text: "\(person) lives in \(unit)")
        }
    }

    struct MoveOut: DatabaseCommand {
        static let configuration = CommandConfiguration(
            commandName: "move-out",
            abstract: "Everyone in a unit (or one --person) moves out: every guest pass they issued and their own credentials are revoked, in one transaction.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The unit (id or name).") var unit: String
        @Option(help: "Only this resident (id or name).") var person: String?

        func run() throws {
            let result = try database.openStore().moveOut(unit: unit, person: person, actor: AccessCLI.actor)
            output.print(result, text: "\(result.unit): \(result.residents.joined(separator: ", ")) moved out; "
                + "\(result.revoked.count) credentials revoked" + (result.revoked.isEmpty ? "" : " (\(result.revoked.joined(separator: ", ")))"))
        }
    }

    struct Passes: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "The guest passes (shares and passcodes) a unit's residents issued, with issuer, uses left and last use.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The unit (id or name).") var unit: String
        @Flag(help: "Only those active now.") var active = false

        struct Shown: OutputRecord {
            let credential: CredentialOutput
            let issuer: String
            let lastUsed: String?
            var humanDescription: String {
                credential.humanDescription + "  issued by \(issuer)" + (lastUsed.map { "  last used \($0)" } ?? "  never used")
            }
        }

        func run() throws {
            let store = try database.openStore()
            for pass in try store.guestPasses(ofUnit: unit, activeAt: active ? Date() : nil) {
                output.print(Shown(credential: CredentialOutput(pass.credential, zone: store.timeZone), issuer: pass.issuer,
                                   lastUsed: AccessCLI.format(pass.lastUsed, store.timeZone)))
            }
        }
    }
}
