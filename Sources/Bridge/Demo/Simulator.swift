import Access
import Timebase
import Wiegand

/// The demo's simulated readers, and the way `keyway sim` reaches them: a simulated OSDP reader (a
/// libosdp PD the bus talks to), or a Wiegand reader whose edges the simulator feeds through the real
/// decoder. A simulated site reads no GPIO.
public struct Simulator: Sendable {
    /// Simulated OSDP readers by PD name.
    let osdpReaders: [String: SimulatedOSDPReader]

    public init(osdpReaders: [String: SimulatedOSDPReader]) {
        self.osdpReaders = osdpReaders
    }

    /// Whether the site is simulated: then its Wiegand readers are fed by `keyway sim`, not by GPIO.
    var isActive: Bool { !osdpReaders.isEmpty }

    /// A card presented at a simulated reader (`keyway sim card`); returns what happened, in words.
    func presentCard(
        at reader: String, format formatName: String, facility: UInt64?, card: UInt64, wiegandReaders: [String: WiegandReaderDriver]
    ) throws(BridgeError) -> String {
        guard let format = CardFormat.named(formatName) else { throw .simulation("unknown card format \"\(formatName)\"") }
        let fields = CardFields(facility: facility, card: card)
        return try present(at: reader, wiegandReaders: wiegandReaders) { simulated throws(BridgeError) in
            simulated.present(try Self.encode(fields, as: format))
        } wiegand: { driver throws(BridgeError) in
            try driver.simulate(card: fields, format: format)
        }
    }

    /// Keys typed at a simulated reader (`keyway sim keys`); returns what happened, in words.
    func typeKeys(_ keys: String, at reader: String, wiegandReaders: [String: WiegandReaderDriver]) throws(BridgeError) -> String {
        try present(at: reader, wiegandReaders: wiegandReaders) { simulated in
            simulated.type(keys)
        } wiegand: { driver throws(BridgeError) in
            try driver.simulate(keys: keys)
        }
    }

    /// What `keyway sim` prints: the door's answer in words, or plainly that none came within `waited` (nil: keys
    /// that do not end a PIN, for which no answer is awaited).
    static func words(presented: String, outcome: DoorOutcome?, waited: Duration?) -> String {
        switch outcome {
        case .decided(let decision, let door)?:
            let who = decision.personName.map { " (\($0))" } ?? ""
            if decision.granted { return "\(presented): granted at \(door)\(who)" }
            if decision.reason == .openingUnconfirmed {
                return "\(presented): granted at \(door)\(who), but \(DenyReason.openingUnconfirmed.words) (\(DenyReason.openingUnconfirmed.rawValue))"
            }
            return "\(presented): denied at \(door)\(who): " + (decision.reason.map { "\($0.words) (\($0.rawValue))" } ?? "no reason given")
        case .refused(let rejection, let door)?:
            return "\(presented): refused at \(door) before any decision: \(rejection.reason.words) (\(rejection.reason.rawValue))"
        case nil:
            guard let waited else { return "\(presented): no decision yet (a PIN ends with #)" }
            return "\(presented): no decision came within \(waited.text) (a door may be waiting for more, such as a PIN; "
                + "`keyway status` shows its last event)"
        }
    }

    /// Ends the simulated readers' processes.
    func stop() {
        osdpReaders.values.forEach { $0.stop() }
    }

    /// A card's fields as the frame a reader would send.
    static func encode(_ fields: CardFields, as format: CardFormat, reversingBytes: Bool = false) throws(BridgeError) -> WiegandFrame {
        do {
            return try format.encode(fields, reversingBytes: reversingBytes)
        } catch {
            throw .simulation("cannot encode that card as \(format.name): \(error)")
        }
    }

    private func present(
        at reader: String, wiegandReaders: [String: WiegandReaderDriver],
        osdp: (SimulatedOSDPReader) throws(BridgeError) -> Void, wiegand: (WiegandReaderDriver) throws(BridgeError) -> Void
    ) throws(BridgeError) -> String {
        if let simulated = osdpReaders[reader] {
            try osdp(simulated)
        } else if let driver = wiegandReaders[reader], isActive {
            try wiegand(driver)
        } else {
            let simulatedNames = osdpReaders.keys.sorted() + (isActive ? wiegandReaders.keys.sorted() : [])
            guard !simulatedNames.isEmpty else { throw .simulation("this site has no simulated readers (run keyway serve --demo)") }
            let hint = closestMatch(to: reader, among: simulatedNames).map { ", did you mean \"\($0)\"?" } ?? ""
            throw .simulation("no simulated reader \"\(reader)\"\(hint) (simulated: \(simulatedNames.joined(separator: ", ")))")
        }
        return "presented at \(reader)"
    }
}
