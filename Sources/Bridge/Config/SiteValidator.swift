/// The lists of a site as far as they decoded: an item that failed is nil and keeps its place,
/// so the rest can still be cross-checked and every problem shows in one round.
struct PartialSite {
    let buses: [BusConfiguration?]
    let wiegandReaders: [WiegandReaderConfiguration?]
    let doors: [DoorConfiguration?]

    var allBuses: [BusConfiguration]? { allDecoded(buses) }
    var allWiegandReaders: [WiegandReaderConfiguration]? { allDecoded(wiegandReaders) }
    var allDoors: [DoorConfiguration]? { allDecoded(doors) }
}

/// The items when every one decoded.
func allDecoded<Item>(_ items: [Item?]) -> [Item]? {
    items.contains { $0 == nil } ? nil : items.compactMap { $0 }
}

/// Looks a name up in a list that may be partly undecoded.
private enum Lookup<Item> {
    case found(Item)
    case unknown
    /// Not found, but an item that failed to decode might have been it: say nothing more.
    case undecided
}

private func lookUp<Item>(_ items: [Item?], where matches: (Item) -> Bool) -> Lookup<Item> {
    if let item = items.lazy.compactMap({ $0 }).first(where: matches) { return .found(item) }
    return items.contains { $0 == nil } ? .undecided : .unknown
}

/// Checks that need the whole site: names are unique, and every door refers to buses, PDs, readers
/// and lines that exist and are not already taken.
struct SiteValidator {
    let site: PartialSite
    let diagnostics: ConfigDiagnostics

    func check() {
        checkUnique(decoded(site.buses).map { (ConfigPath.root.appending("buses")[$0].appending("name"), $1.name) }, what: "bus")
        checkUnique(
            decoded(site.buses).compactMap { index, bus in
                if case .device(let path) = bus.port { (ConfigPath.root.appending("buses")[index].appending("device"), path) } else { nil }
            },
            what: "device")
        for (busIndex, bus) in decoded(site.buses) {
            let pdsPath = ConfigPath.root.appending("buses")[busIndex].appending("pds")
            checkUnique(bus.pds.enumerated().map { (pdsPath[$0].appending("address"), String($1.address)) }, what: "PD address on this bus")
        }
        checkUnique(
            decoded(site.buses).flatMap { busIndex, bus in
                bus.pds.enumerated().map { (ConfigPath.root.appending("buses")[busIndex].appending("pds")[$0].appending("name"), $1.name) }
            },
            what: "PD name")
        checkUnique(decoded(site.wiegandReaders).map { (ConfigPath.root.appending("wiegand")[$0].appending("name"), $1.name) }, what: "Wiegand reader")
        checkUnique(decoded(site.doors).map { (ConfigPath.root.appending("doors")[$0].appending("name"), $1.name) }, what: "door")

        var readerOwners: [ReaderReference: String] = [:]
        var relayOwners: [OutputReference: String] = [:]
        for (index, door) in decoded(site.doors) {
            let path = ConfigPath.root.appending("doors")[index]
            if checkReader(door.reader, at: path.appending("reader")) {
                claim(door.reader, by: door.name, in: &readerOwners, at: path.appending("reader"), what: "reader")
            }
            if checkRelay(door.relay, at: path.appending("relay")) {
                claim(door.relay, by: door.name, in: &relayOwners, at: path.appending("relay"), what: "relay")
            }
            for (key, input) in [("door_position", door.doorPosition), ("exit_button", door.exitButton)] {
                if let input { checkInput(input, at: path.appending(key)) }
            }
        }
        checkGPIOLinesUnique()
    }

    /// The decoded items with their index in the document.
    private func decoded<Item>(_ items: [Item?]) -> [(Int, Item)] {
        items.enumerated().compactMap { index, item in item.map { (index, $0) } }
    }

    private func checkUnique(_ values: [(path: ConfigPath, value: String)], what: String) {
        var first: [String: ConfigPath] = [:]
        for (path, value) in values {
            if let earlier = first[value] {
                let line = diagnostics.mark(for: earlier).map { " (line \($0.line))" } ?? ""
                diagnostics.report("duplicate \(what) \"\(value)\", already used at \(earlier)\(line)", at: path)
            } else {
                first[value] = path
            }
        }
    }

    private func claim<Key: Hashable>(_ key: Key, by door: String, in owners: inout [Key: String], at path: ConfigPath, what: String) {
        if let owner = owners[key] {
            diagnostics.report("this \(what) already serves door \"\(owner)\"", at: path)
        } else {
            owners[key] = door
        }
    }

    /// The PD at `address` on `bus`, or nil with the reason reported at `path`.
    private func pd(bus name: String, address: Int, at path: ConfigPath) -> PDEntry? {
        let bus: BusConfiguration
        switch lookUp(site.buses, where: { $0.name == name }) {
        case .found(let found): bus = found
        case .undecided: return nil
        case .unknown:
            let hint = closestMatch(to: name, among: site.buses.compactMap { $0?.name }).map { ", did you mean \"\($0)\"?" } ?? ""
            diagnostics.report("unknown bus \"\(name)\"\(hint)", at: path.appending("bus"))
            return nil
        }
        guard let pd = bus.pd(at: address) else {
            let known = bus.pds.map { String($0.address) }.joined(separator: ", ")
            diagnostics.report("no PD at address \(address) on bus \"\(name)\" (it has \(known.isEmpty ? "none" : known))", at: path.appending("address"))
            return nil
        }
        return pd
    }

    private func checkReader(_ reader: ReaderReference, at path: ConfigPath) -> Bool {
        switch reader {
        case .osdp(let bus, let address):
            return pd(bus: bus, address: address, at: path) != nil
        case .wiegand(let name):
            switch lookUp(site.wiegandReaders, where: { $0.name == name }) {
            case .found: return true
            case .undecided: return false
            case .unknown:
                let hint = closestMatch(to: name, among: site.wiegandReaders.compactMap { $0?.name }).map { ", did you mean \"\($0)\"?" } ?? ""
                diagnostics.report("unknown Wiegand reader \"\(name)\"\(hint)", at: path.appending("wiegand"))
                return false
            }
        }
    }

    private func checkRelay(_ relay: OutputReference, at path: ConfigPath) -> Bool {
        guard case .osdp(let bus, let address, let output) = relay else { return true }
        guard let pd = pd(bus: bus, address: address, at: path) else { return false }
        guard output < pd.outputs else {
            diagnostics.report("\(output) is out of range, PD \"\(pd.name)\" has \(pd.outputs) outputs", at: path.appending("output"))
            return false
        }
        return true
    }

    private func checkInput(_ input: InputReference, at path: ConfigPath) {
        guard case .osdp(let bus, let address, let number) = input.source, let pd = pd(bus: bus, address: address, at: path) else { return }
        if number >= pd.inputs {
            diagnostics.report("\(number) is out of range, PD \"\(pd.name)\" has \(pd.inputs) inputs", at: path.appending("input"))
        }
    }

    /// A GPIO line drives or reads one thing only.
    private func checkGPIOLinesUnique() {
        var uses: [(ConfigPath, String)] = []
        func use(_ line: GPIOLine, at path: ConfigPath) { uses.append((path, "\(line.chip) line \(line.line)")) }
        for (index, reader) in decoded(site.wiegandReaders) {
            let path = ConfigPath.root.appending("wiegand")[index]
            use(GPIOLine(chip: reader.chip, line: reader.d0), at: path.appending("d0"))
            use(GPIOLine(chip: reader.chip, line: reader.d1), at: path.appending("d1"))
            for (key, line) in [("led", reader.led), ("beeper", reader.beeper)] {
                if let line { use(line, at: path.appending(key)) }
            }
        }
        for (index, door) in decoded(site.doors) {
            let path = ConfigPath.root.appending("doors")[index]
            if case .gpio(let line) = door.relay { use(line, at: path.appending("relay").appending("gpio")) }
            for (key, input) in [("door_position", door.doorPosition), ("exit_button", door.exitButton)] {
                if case .gpio(let line)? = input?.source { use(line, at: path.appending(key).appending("gpio")) }
            }
        }
        checkUnique(uses, what: "GPIO")
    }
}
