import Access
import ArgumentParser
import Foundation

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "The activity log: decisions, changes, door events.",
        subcommands: [Show.self, Verify.self, Checkpoint.self], defaultSubcommand: Show.self)

    struct Show: DatabaseCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print log rows, oldest first.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only rows since (ISO 8601 or YYYY-MM-DD HH:MM).") var since: String?
        @Option(help: "Only rows at this door (id or name).") var door: String?
        @Flag(help: "Keep printing new rows as they come.") var follow = false

        struct Row: Encodable {
            let seq: Int64
            let at: String
            let kind: String
            let event, door, reader, credential, person, outcome, reason, detail, actor: String?
        }

        func run() throws {
            let store = try database.openStore()
            let since = try AccessCLI.time(since, store.timeZone, option: "--since")
            if follow { Self.letSignalsStopUs() }
            var last: Int64 = 0
            var names: [String: String] = [:]
            repeat {
                for entry in try store.activity(after: last, since: since, door: door) {
                    // Readers of the log want who, not an id; people added while following are picked up.
                    if let person = entry.personID, names[person] == nil {
                        names = Dictionary(try store.people().map { ($0.id, $0.name) }) { first, _ in first }
                    }
                    print(entry, personName: entry.personID.flatMap { names[$0] }, zone: store.timeZone)
                    last = entry.sequence
                }
                if follow { Thread.sleep(forTimeInterval: 0.5) }
            } while follow
        }

        /// Commands run on a thread that blocks SIGINT and SIGTERM (the async root's); a follower runs until
        /// stopped, so it takes them back and lets their default action end the process.
        private static func letSignalsStopUs() {
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            sigaddset(&signals, SIGTERM)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        }

        private func print(_ entry: ActivityEntry, personName: String?, zone: TimeZone) {
            let at = SiteTime.format(entry.at, timeZone: zone)
            if output.json {
                printJSONLine(Row(seq: entry.sequence, at: at, kind: entry.kind.rawValue, event: entry.event, door: entry.door,
                                  reader: entry.reader, credential: entry.credentialID, person: entry.personID,
                                  outcome: entry.outcome, reason: entry.reason, detail: entry.detail, actor: entry.actor))
            } else {
                let place = entry.door.map { door in entry.reader.map { "\(door)/\($0)" } ?? door }
                let line = (["#\(entry.sequence)", at, entry.kind.rawValue, entry.event, entry.outcome, entry.reason, place,
                             personName ?? entry.personID, entry.credentialID, entry.detail, entry.actor.map { "by \($0)" }]
                    .compactMap { $0 }.joined(separator: "  "))
                // Unbuffered, so `--follow` shows rows as they come.
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
    }

    struct Verify: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the log's chain, and hold it against signed checkpoints; exits 1 at the first row that does not match.",
            discussion: """
                Edits and deletions break the chain (it is keyed with the log key, so it cannot be re-hashed). A \
                truncated tail or a rewritten log is caught against checkpoints: those in the checkpoint file beside the \
                database, or in the copy kept elsewhere given with --checkpoints.
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("A checkpoint file (JSON lines) to verify against (default: the one beside the database, if any).",
                                   valueName: "file"))
        var checkpoints: String?

        struct Result: Encodable {
            let intact: Bool
            let rows: Int
            let head: String?
            let keyedFrom: Int64
            let checkpoints: Int
            let lastCheckpoint: Int64?
            let brokenAt: Int64?
            let problem: String?
        }

        func run() throws {
            let location = try database.location()
            let file = checkpoints.map { URL(fileURLWithPath: $0) }
                ?? LogCheckpointFile.defaultLocation(forDatabase: location.database)
            let store = try database.openStore()
            let given = checkpoints != nil || FileManager.default.fileExists(atPath: file.path)
            let verification = try store.verifyLog(against: given ? try LogCheckpointFile(url: file).read() : [])
            let agreed = verification.lastCheckpoint.map { last in
                ", \(verification.checkpointsChecked) checkpoints agree (last: row \(last.sequence) at \(SiteTime.format(last.at, timeZone: store.timeZone)))"
            } ?? ", no checkpoint to hold it against"
            let text = verification.firstBroken.map { broken in
                "BROKEN at row \(broken.sequence): \(broken.problem) (\(verification.rowsChecked) rows before it are intact)"
            } ?? "intact: \(verification.rowsChecked) rows, head \(verification.head ?? "none"), keyed from row \(verification.keyedFrom)" + agreed
            output.print(Result(intact: verification.isIntact, rows: verification.rowsChecked, head: verification.head,
                                keyedFrom: verification.keyedFrom, checkpoints: verification.checkpointsChecked,
                                lastCheckpoint: verification.lastCheckpoint?.sequence,
                                brokenAt: verification.firstBroken?.sequence, problem: verification.firstBroken?.problem),
                         text: text)
            if !verification.isIntact { throw ExitStatus.failure }
        }
    }

    struct Checkpoint: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append a signed checkpoint of the log (row, head, time) to the checkpoint file, and print it.",
            discussion: "The service writes one every five minutes when rows were added; copy the file off the box.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: ArgumentHelp("The checkpoint file (default: beside the database).", valueName: "file"))
        var to: String?

        func run() throws {
            let location = try database.location()
            let store = try database.openStore()
            guard let checkpoint = try store.checkpoint() else { throw UsageError("the log is empty: nothing to checkpoint") }
            let file = LogCheckpointFile(url: to.map { URL(fileURLWithPath: $0) }
                ?? LogCheckpointFile.defaultLocation(forDatabase: location.database))
            try file.publish(checkpoint)
            output.print(checkpoint, text: "checkpoint: row \(checkpoint.sequence), head \(checkpoint.head), written to \(file.url.path)")
        }
    }
}
