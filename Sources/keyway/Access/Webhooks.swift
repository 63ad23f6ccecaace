import Access
import ArgumentParser
import Bridge
import Foundation
import Timebase

struct WebhooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "Signed HTTP callbacks for access events, delivered from an outbox.",
        subcommands: [List.self, Add.self, Remove.self, Deliveries.self, Deliver.self])

    struct List: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "List subscriptions with their delivery state (never their secrets).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let store = try database.openStore()
            for hook in try store.webhooks() {
                let state = hook.pending == 0 ? "up to date"
                    : "\(hook.pending) pending" + (hook.attempts > 0 ? ", oldest tried \(hook.attempts)× (\(hook.lastError ?? "?"))" : "")
                output.print(hook, text: "\(hook.id)  \(hook.url)  \(hook.events.joined(separator: ","))  \(state)"
                    + (AccessCLI.format(hook.lastDelivered, store.timeZone).map { "  last delivered \($0)" } ?? ""))
            }
        }
    }

    struct Add: DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Subscribe a URL to events; prints the signing secret once (or give your own with --secret-file).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Where to POST events: an http:// or https:// URL.") var url: String
        @Option(help: "Comma-separated event names, or all (every event, kinds added later included): \(WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")).")
        var events: String
        @Option(help: ArgumentHelp("File holding the secret (mode 0600), or - for standard input; default: a random one, printed once.",
                                   valueName: "path"))
        var secretFile: String?

        struct Shown: OutputRecord {
            let id: String
            let url: String
            let events: [String]
            let secret: String?
            var humanDescription: String {
                "\(id)  \(url)  \(events.joined(separator: ","))" + (secret.map { "\nsecret (shown once): \($0)" } ?? "")
            }
        }

        func run() throws {
            let given = try secretFile.map { path throws(UsageError) in try SecretInput.read(path, option: "--secret-file") }
            let created = try database.openStore(creating: true).addWebhook(url: url, events: WebhookEvents.parse(events), secret: given,
                                                                             actor: AccessCLI.actor)
            let hook = created.subscription
            output.print(Shown(id: hook.id, url: hook.url, events: hook.events, secret: given == nil ? created.secret : nil))
        }
    }

    struct Remove: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a subscription and the events still waiting for it.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The subscription id.") var id: String

        func run() throws {
            try database.openStore().removeWebhook(id, actor: AccessCLI.actor)
        }
    }

    struct Deliveries: DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "The outbox, newest first: pending events and recent deliveries.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this subscription.") var subscription: String?
        @Flag(help: "Only events not delivered yet.") var pending = false
        @Option(help: "At most this many (1 to 10000).") var limit = 50

        func run() throws {
            guard (1...10_000).contains(limit) else { throw UsageError("--limit: \(limit) is not from 1 to 10000") }
            let store = try database.openStore()
            for delivery in try store.webhookDeliveries(subscription: subscription, pendingOnly: pending, limit: limit) {
                let state = AccessCLI.format(delivery.delivered, store.timeZone).map { "delivered \($0)" }
                    ?? "pending, \(delivery.attempts) attempts" + (delivery.lastError.map { ", last: \($0)" } ?? "")
                        + (AccessCLI.format(delivery.nextAttempt, store.timeZone).map { ", next \($0)" } ?? "")
                output.print(delivery, text: "\(delivery.id)  \(delivery.subscription)  \(delivery.type)  #\(delivery.sequence)  \(state)")
            }
        }
    }

    struct Deliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver the outbox until stopped (SIGINT/SIGTERM); what is not delivered when it stops goes out on the next start.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "How often to look for new events when idle (100ms to 1m).") var pollInterval = "1s"
        @Option(help: "The wait after a first failure; it doubles up to --longest-retry (100ms to 1d).") var firstRetry = "2s"
        @Option(help: "The longest wait between attempts (100ms to 1d).") var longestRetry = "10m"

        func run() async throws {
            var options = WebhookDispatchOptions()
            options.pollInterval = try Self.duration(pollInterval, "--poll-interval", maximum: .seconds(60))
            options.firstRetry = try Self.duration(firstRetry, "--first-retry", maximum: .seconds(86_400))
            options.longestRetry = try Self.duration(longestRetry, "--longest-retry", maximum: .seconds(86_400))
            guard options.firstRetry <= options.longestRetry else { throw UsageError("--first-retry is longer than --longest-retry") }
            let store = try database.openStore()
            try await WebhookDispatcher(store: store, options: options).runUntilSignalled()
        }

        static func duration(_ text: String, _ option: String, maximum: Duration) throws -> Duration {
            let limits = DurationLimits(minimum: .milliseconds(100), maximum: maximum, reason: "the outbox's pace")
            switch parseDuration(text, within: limits) {
            case .success(let duration): return duration
            case .failure(let problem): throw UsageError("\(option): \(problem)")
            }
        }
    }
}
