import Access
import Foundation
import OSDP

/// The demo site `keyway serve --demo` runs: Examples/demo.yaml (a test keeps the two identical),
/// a database in ./var/demo seeded on first start, and simulated readers.
public enum DemoSite {
    /// Where the demo keeps its database, secrets and control socket, relative to the current folder.
    public static let directory = "var/demo"
    /// The simulated reader's Secure Channel key, made on first start.
    static let keyFile = "\(directory)/front-reader.key"

    static let configuration = """
    # The demo site that `keyway serve --demo` runs (scripts/run.sh): nothing here touches real hardware.
    # The service starts a simulated OSDP reader with a two-relay board on a pseudo-terminal and sets
    # KEYWAY_DEMO_BUS to it, and KEYWAY_DEMO_KEY_FILE to the Secure Channel key both sides share
    # (var/demo/front-reader.key, made on first start); the Wiegand reader is simulated and fed
    # through the real decoder.
    # Relative paths are relative to the folder `keyway serve --demo` runs in.
    site:
      name: Keyway demo
      timezone: ${TZ:-UTC}
      # A demo machine (a laptop, a container) may have no NTP: its clock is not a fault here. A real site
      # leaves this out (required), so an unsynchronised clock fails time-bounded access secure.
      clock_sync: not_required
    database: var/demo/keyway.sqlite
    secrets: var/demo/keyway.secret
    buses:
      - name: demo
        device: ${KEYWAY_DEMO_BUS}
        baud: 115200
        pds:
          - address: 1
            name: front-reader
            key_file: ${KEYWAY_DEMO_KEY_FILE}
            secure: required
            outputs: 2
    doors:
      # OSDP reader and its own relay: a card, or a PIN typed on its keypad and ended with #.
      - name: Front
        reader: {bus: demo, address: 1}
        relay: {bus: demo, address: 1, output: 0}
        strike: 3s
        mode: card_or_pin
      # A Wiegand reader whose strike hangs on the second relay of the OSDP board.
      - name: Side
        reader: {wiegand: side}
        relay: {bus: demo, address: 1, output: 1}
        strike: 3s
        mode: card_or_pin
    wiegand:
      - name: side
        chip: gpiochip0
        d0: 17
        d1: 27
        formats: [h10301]
        keypad: 8bit
    api:
      socket: var/demo/control.sock
    metrics: ${KEYWAY_DEMO_METRICS:-127.0.0.1:9464}
    # The HTTP API (docs/api.md), on loopback only: `keyway users add --admin NAME --email E --config …` makes the first account.
    http:
      listen: 127.0.0.1:${KEYWAY_DEMO_HTTP_PORT:-8080}
      public_url: http://127.0.0.1:${KEYWAY_DEMO_HTTP_PORT:-8080}
    # Share links and passcodes sent from the pages go to the demo's outbox: an SMTP relay and an SMS gateway
    # on loopback that the service starts (KEYWAY_DEMO_SMTP_PORT, KEYWAY_DEMO_SMS_PORT) and that keep each
    # message in var/demo/outbox/ (mail.jsonl, sms.jsonl) instead of sending it. A real site names its relay
    # (STARTTLS, a password_file) and its gateway's request here: docs/bridge.md, "Delivery of share links and passcodes".
    delivery:
      email:
        host: 127.0.0.1
        port: ${KEYWAY_DEMO_SMTP_PORT}
        starttls: none
        from: "Keyway demo <keyway@example.org>"
      sms:
        url: http://127.0.0.1:${KEYWAY_DEMO_SMS_PORT}/send
        body: '{"to": "{to}", "text": "{text}"}'
    """

    /// People, cards, a temporary passcode and a digital key to try the demo with.
    static let people: [(name: String, kind: PersonKind, card: UInt64)] = [
        ("Ada Lovelace", .staff, 1001), ("Grace Hopper", .resident, 1002), ("Linus Lost", .visitor, 1003),
    ]
    static let facility: UInt32 = 1
    static let revokedCard: UInt64 = 1003
    static let passcode = "482916"

    /// Fills a fresh demo database. Grace's digital key is held in the store only: its token is a secret, and her
    /// login reaches the key through the pages.
    static func seed(_ store: AccessStore, doors: [String]) throws {
        for door in doors { try store.ensureDoor(name: door, mode: .cardOrPin) }
        try store.addGroup(name: "Everyone", doors: doors.map { (door: $0, schedule: nil) })
        var revoked: String?
        for person in people {
            try store.addPerson(name: person.name, kind: person.kind)
            try store.grant(person: person.name, group: "Everyone")
            let card = try store.addCard(person: person.name, card: .fields(format: "h10301", facility: facility, number: person.card))
            if person.card == revokedCard { revoked = card.id }
        }
        if let revoked { try store.revoke(revoked, reason: "reported lost") }
        var delivery = PasscodeRequest(label: "Parcel delivery", doors: doors)
        delivery.code = passcode
        delivery.uses = .count(1)
        delivery.validUntil = Date().addingTimeInterval(7 * 24 * 3600)
        try store.createPasscode(delivery)
        _ = try store.issueKey(person: "Grace Hopper", doors: doors)
    }

    /// What to try, printed when the demo starts; `keyway` is the command that runs this program
    /// from the current folder (`invocation(argument0:currentDirectory:)`). The CLI never looks for a socket
    /// in the current folder, so the guide names the demo's.
    static func guide(keyway: String, reader osdpReader: String, wiegandReader: String, socket: String) -> [String] {
        [
            "Demo site ready. In another terminal, from this folder:",
            "  export KEYWAY_SOCKET=\(socket)",
            "  \(keyway) sim card --reader \(osdpReader) --format h10301 --facility \(facility) --card 1001   # Ada: granted",
            "  \(keyway) sim card --reader \(wiegandReader) --format h10301 --facility \(facility) --card 1002   # Grace, at the Wiegand reader",
            "  \(keyway) sim card --reader \(osdpReader) --format h10301 --facility \(facility) --card \(revokedCard)   # Linus: revoked",
            "  \(keyway) sim keys --reader \(osdpReader) \(passcode)#   # the one-time delivery passcode: opens once",
            "  \(keyway) status        \(keyway) door unlock Front --for 5s        \(keyway) status --follow",
        ]
    }

    /// The demo's logins, made at its first start (on a site with no account) as `keyway users add` makes them:
    /// each gets a one-time set-password link, never a password. Grace is the seeded resident with a key.
    public static let accounts = [
        NewUser(email: "admin@example.org", name: "Site admin", role: .admin),
        NewUser(email: "grace@example.org", name: "Grace Hopper", role: .resident, person: "Grace Hopper"),
    ]

    /// What the demo prints about its logins: the dashboard's address and, for logins just made, each one's
    /// one-time link; on later starts (`made` empty) the logins there are and how to get a new link.
    public static func loginGuide(keyway: String, publicURL: String, made: [(account: NewUser, link: String)], existing: [String]) -> [String] {
        let newLink = "\(keyway) users link --db \(directory)/keyway.sqlite --public-url \(publicURL)"
        let outbox = "Links and codes the pages send by e-mail or SMS are kept in \(DemoOutbox.mailFile) and \(DemoOutbox.smsFile), not sent."
        guard made.isEmpty else {
            return ["The dashboard: \(publicURL)/login. Logins made for this demo (no password anywhere: open a link once, "
                    + "choose a password, then log in):"]
                + made.map { "  \($0.account.name) (\($0.account.role.rawValue)), \($0.account.email): \($0.link)" }
                + ["A new link later: \(newLink) EMAIL", outbox]
        }
        return [
            "The dashboard: \(publicURL)/login. Logins: \(existing.isEmpty ? "none" : existing.joined(separator: ", ")).",
            "A new one-time set-password link for one: \(newLink) \(existing.first ?? "EMAIL")",
            outbox,
        ]
    }

    /// This program as it can be typed from the current folder.
    public static var commandAsTyped: String {
        invocation(argument0: CommandLine.arguments[0], currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// How to run this same program from `currentDirectory`, as it was started: a bare name (found on
    /// PATH) or a relative path (`.build/debug/keyway` from scripts/run.sh) works as typed; an absolute
    /// path inside the folder is made relative to it, any other stays absolute.
    static func invocation(argument0: String, currentDirectory: String) -> String {
        guard argument0.hasPrefix("/") else { return argument0 }
        let folder = currentDirectory.hasSuffix("/") ? currentDirectory : currentDirectory + "/"
        let path = URL(fileURLWithPath: argument0).standardizedFileURL.path
        return path.hasPrefix(folder) ? String(path.dropFirst(folder.count)) : path
    }

    /// The simulated reader's key file, made (mode 0600, a random key) when it does not exist yet.
    static func ensureKeyFile() throws(BridgeError) -> URL {
        let url = URL(fileURLWithPath: keyFile)
        var generator = SystemRandomNumberGenerator()
        do {
            try SecretFile.create(at: url, contents: Data((SecureChannelKey.random(using: &generator).hex + "\n").utf8))
        } catch {
            throw .startup("cannot create the demo's key file: \(error)")
        }
        return url
    }
}
