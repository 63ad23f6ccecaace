import Access
import Foundation
import OSDP
import Timebase
import Wiegand
import Yams

/// Reads and checks a site configuration file as `keyway serve` and every reload do (`ConfigurationScope.service`).
/// Relative paths in it (database, secrets, key files, control socket) are relative to the file's folder,
/// so a site folder can move as a whole.
/// - Throws: `ConfigurationError` listing every problem with file, line, column and key path.
public func loadSiteConfiguration(
    path: String, environment: [String: String] = ProcessInfo.processInfo.environment
) throws(ConfigurationError) -> SiteConfiguration {
    let check = checkSiteConfiguration(path: path, scope: .service, environment: environment)
    guard let site = check.site else { throw ConfigurationError(issues: check.issues) }
    return site
}

/// Checks a configuration given as text as the service would; `file` only names it in messages.
public func parseSiteConfiguration(
    yaml: String, file: String, baseDirectory: URL, environment: [String: String]
) throws(ConfigurationError) -> SiteConfiguration {
    let check = checkSiteConfiguration(yaml: yaml, file: file, baseDirectory: baseDirectory, environment: environment, scope: .service)
    guard let site = check.site else { throw ConfigurationError(issues: check.issues) }
    return site
}

/// What checking a configuration found.
public struct ConfigurationCheck: Sendable {
    /// The site, when nothing is wrong; never for an offline check, which cannot know every value.
    public let site: SiteConfiguration?
    /// Every problem, in document order.
    public let issues: [ConfigurationIssue]
    /// The environment variables an offline check left unresolved (the values using them are unchecked).
    public let unresolvedVariables: [String]
}

/// Reads a configuration file (a regular file of at most `ConfigurationLimits.fileSize` bytes) and checks it
/// in `scope`.
public func checkSiteConfiguration(
    path: String, scope: ConfigurationScope, environment: [String: String] = ProcessInfo.processInfo.environment
) -> ConfigurationCheck {
    let url = URL(fileURLWithPath: path)
    let file: (data: Data, mode: Int)
    switch readBoundedFile(url, limit: ConfigurationLimits.fileSize) {
    case .success(let read): file = read
    case .failure(let problem):
        return ConfigurationCheck(site: nil, issues: [ConfigurationIssue(file: path, line: 1, column: 1, path: "", message: problem.message)], unresolvedVariables: [])
    }
    guard let text = String(validating: file.data, as: UTF8.self) else {
        return ConfigurationCheck(site: nil, issues: [ConfigurationIssue(file: path, line: 1, column: 1, path: "", message: "the file is not UTF-8 text")], unresolvedVariables: [])
    }
    return checkSiteConfiguration(
        yaml: text, file: path, baseDirectory: url.deletingLastPathComponent(), environment: environment, scope: scope, fileMode: file.mode)
}

/// Checks a configuration given as text in `scope`; `file` only names it in messages, `fileMode` is the
/// permission bits of the file it came from (nil for text from the program).
public func checkSiteConfiguration(
    yaml: String, file: String, baseDirectory: URL, environment: [String: String], scope: ConfigurationScope, fileMode: Int? = nil
) -> ConfigurationCheck {
    func failed(_ message: String) -> ConfigurationCheck {
        ConfigurationCheck(site: nil, issues: [ConfigurationIssue(file: file, line: 1, column: 1, path: "", message: message)], unresolvedVariables: [])
    }
    guard yaml.utf8.count <= ConfigurationLimits.fileSize else {
        return failed("the file is \(yaml.utf8.count) bytes long, a configuration is at most \(ConfigurationLimits.fileSize)")
    }
    let root: Node?
    do {
        root = try Yams.compose(yaml: yaml)
    } catch {
        return ConfigurationCheck(site: nil, issues: [syntaxIssue(error, file: file)], unresolvedVariables: [])
    }
    guard let root else { return failed("the file is empty") }
    let diagnostics = ConfigDiagnostics(file: file, scope: scope)
    let decoder = SiteDecoder(baseDirectory: baseDirectory, fileMode: fileMode)
    let site = decoder.decode(YAMLValue(node: root, path: .root, diagnostics: diagnostics, environment: environment))
    let complete = diagnostics.issues.isEmpty && scope != .offline
    return ConfigurationCheck(
        site: complete ? site : nil, issues: ConfigurationError(issues: diagnostics.issues).issues,
        unresolvedVariables: diagnostics.unresolved.sorted())
}

/// Why a file could not be read.
struct FileReadProblem: Error {
    let message: String
}

/// A regular file's bytes (at most `limit`) and permission bits. Devices, FIFOs and directories are refused,
/// so a path pointing at /dev/zero cannot hang whoever reads it.
func readBoundedFile(_ url: URL, limit: Int) -> Result<(data: Data, mode: Int), FileReadProblem> {
    let handle: FileHandle
    do {
        handle = try FileHandle(forReadingFrom: url)
    } catch {
        return .failure(FileReadProblem(message: "cannot read \(url.path): \(error.localizedDescription)"))
    }
    defer { try? handle.close() }
    var status = stat()
    guard fstat(handle.fileDescriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
        return .failure(FileReadProblem(message: "cannot read \(url.path): not a regular file"))
    }
    guard status.st_size <= limit else {
        return .failure(FileReadProblem(message: "\(url.path) is \(status.st_size) bytes long, at most \(limit) are read"))
    }
    do {
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        guard data.count <= limit else { return .failure(FileReadProblem(message: "\(url.path) is longer than \(limit) bytes")) }
        return .success((data, Int(status.st_mode & 0o7777)))
    } catch {
        return .failure(FileReadProblem(message: "cannot read \(url.path): \(error.localizedDescription)"))
    }
}

private func syntaxIssue(_ error: any Error, file: String) -> ConfigurationIssue {
    let (problem, mark): (String, Mark?) = switch error as? YamlError {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
         .composer(let context, let problem, let mark, _):
        ([context?.text, problem].compactMap { $0 }.joined(separator: ": "), mark)
    case .reader(let problem, _, _, _): (problem, nil)
    default: ("\(error)", nil)
    }
    return ConfigurationIssue(
        file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, path: "", message: "YAML syntax error: \(problem)")
}

/// Turns the checked document into typed values. Each part decodes on its own, so an error in
/// one door does not hide the errors in the next.
private struct SiteDecoder {
    let baseDirectory: URL
    /// The configuration file's permission bits, when it came from a file.
    let fileMode: Int?

    /// The site, cross-checked as far as it decoded; nil when any part is wrong (all of it reported).
    func decode(_ root: YAMLValue) -> SiteConfiguration? {
        guard let top = root.mapping(keys: ["site", "database", "secrets", "buses", "wiegand", "doors", "api", "metrics", "http", "delivery"]) else { return nil }
        let site = top.required("site").flatMap(decodeSite)
        let storage = top.required("database").flatMap(decodeDatabase)
        let secrets = top.required("secrets").flatMap(decodePath)
        let buses = list(top.optional("buses"), decodeBus)
        let wiegand = list(top.optional("wiegand"), decodeWiegandReader)
        let doors = list(top.optional("doors"), decodeDoor)
        let api = top.value("api", default: ControlSocketConfiguration(socket: ControlSocketConfiguration.defaultSocket, mode: 0o600), decodeAPI)
        let metrics = top.optionalValue("metrics", decodeListenAddress)
        let http = top.optionalValue("http", decodeHTTP)
        let delivery = top.optionalValue("delivery", decodeDelivery)
        let partial = PartialSite(buses: buses, wiegandReaders: wiegand, doors: doors)
        SiteValidator(site: partial, diagnostics: root.diagnostics).check()
        guard let site, let storage, let secrets, let buses = partial.allBuses, let wiegand = partial.allWiegandReaders,
              let doors = partial.allDoors, let api, metrics.isValid, http.isValid, delivery.isValid
        else { return nil }
        return SiteConfiguration(
            site: site, database: storage.path, durability: storage.durability, secrets: secrets, buses: buses, wiegandReaders: wiegand,
            doors: doors, api: api, metrics: metrics.value, http: http.value, delivery: delivery.value)
    }

    /// `database: keyway.sqlite`, or `database: {path: keyway.sqlite, durability: strict}`.
    private func decodeDatabase(_ value: YAMLValue) -> (path: URL, durability: Durability)? {
        guard case .mapping = value.node else { return decodePath(value).map { ($0, .fast) } }
        guard let database = value.mapping(keys: ["path", "durability"]) else { return nil }
        let path = database.required("path").flatMap(decodePath)
        let durability = database.value("durability", default: Durability.fast) { $0.choice(Durability.self) }
        guard let path, let durability else { return nil }
        return (path, durability)
    }

    /// Decodes every item of an optional list, keeping a nil where an item failed (its errors are
    /// reported) so the others keep their index; a value that is not a list gives one nil item.
    private func list<Item>(_ value: YAMLValue?, _ decodeItem: (YAMLValue) -> Item?) -> [Item?] {
        guard let value else { return [] }
        guard let items = value.sequence() else { return [nil] }
        return items.map(decodeItem)
    }

    private func decodeSite(_ value: YAMLValue) -> SiteConfiguration.Site? {
        guard let site = value.mapping(keys: ["name", "timezone", "clock_sync", "stale_read_limit"]) else { return nil }
        let name = site.required("name")?.string()
        let timeZone = site.required("timezone").flatMap { value -> TimeZone? in
            guard let identifier = value.string() else { return nil }
            guard let zone = TimeZone(identifier: identifier) else {
                value.report("\"\(identifier)\" is not a time zone (use an IANA name like Europe/Zurich)")
                return nil
            }
            return zone
        }
        let clockSync = site.value("clock_sync", default: SiteConfiguration.ClockSyncRequirement.required) {
            $0.choice(SiteConfiguration.ClockSyncRequirement.self)
        }
        let staleReadLimit = site.value("stale_read_limit", default: SiteConfiguration.Site.defaultStaleReadLimit) {
            $0.duration(within: .staleRead)
        }
        guard let name, let timeZone, let clockSync, let staleReadLimit else { return nil }
        return .init(name: name, timeZone: timeZone, clockSync: clockSync, staleReadLimit: staleReadLimit)
    }

    private func decodePath(_ value: YAMLValue) -> URL? {
        value.pathText().map { path in
            (path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)).standardizedFileURL
        }
    }

    private func decodeBus(_ value: YAMLValue) -> BusConfiguration? {
        guard let bus = value.mapping(keys: ["name", "device", "udev", "baud", "pds", "min_poll_cycle"]) else { return nil }
        let name = bus.required("name")?.string()
        let port: SerialPortLocator? = switch (bus.optional("device"), bus.optional("udev")) {
        case (let device?, nil): device.pathText().map { path in
            checkDeviceExists(path, at: device)
            return .device(path: path)
        }
        case (nil, let udev?): decodeUDevMatch(udev).map { .udev($0) }
        case (.some, .some):
            { value.report("give either device or udev, not both"); return nil }()
        case (nil, nil):
            { value.report("missing key \"device\" (or a \"udev\" match)"); return nil }()
        }
        let baud = bus.value("baud", default: 9600) { value -> Int? in
            guard let baud = value.int(in: 1...Int.max) else { return nil }
            guard BusConfiguration.supportedBaudRates.contains(baud) else {
                value.report("\(baud) is not an OSDP baud rate (\(BusConfiguration.supportedBaudRates.map(String.init).joined(separator: ", ")))")
                return nil
            }
            return baud
        }
        let pds = bus.required("pds").map { list($0, decodePD) }
        let cycle = bus.value("min_poll_cycle", default: Duration.milliseconds(2)) { $0.duration(within: .pollCycle) }
        guard let name, let port, let baud, let pds = pds.flatMap(allDecoded), let cycle else { return nil }
        return BusConfiguration(name: name, port: port, baud: baud, pds: pds, minimumPollCycle: cycle)
    }

    private func decodeUDevMatch(_ value: YAMLValue) -> UDevMatch? {
        guard let match = value.mapping(keys: ["vendor", "product", "serial"]) else { return nil }
        func usbID(_ key: String) -> String? {
            guard let field = match.required(key), let text = field.string() else { return nil }
            guard text.count == 4, text.allSatisfy(\.isHexDigit) else {
                field.report("\"\(text)\" is not a USB id (four hex digits, like 0403)")
                return nil
            }
            return text.lowercased()
        }
        let vendor = usbID("vendor"), product = usbID("product")
        let serial = match.optional("serial")?.string()
        guard let vendor, let product, match.has("serial") == (serial != nil) else { return nil }
        return UDevMatch(vendor: vendor, product: product, serial: serial)
    }

    private func decodePD(_ value: YAMLValue) -> PDEntry? {
        guard let pd = value.mapping(keys: ["address", "name", "key", "key_file", "secure", "outputs", "inputs", "formats"]) else { return nil }
        let address = pd.required("address")?.int(in: PDEntry.addressRange)
        let name = pd.required("name")?.string()
        let secure = pd.optionalValue("secure") { $0.choice(SecurityPolicy.self) }
        let formats = pd.value("formats", default: ReaderTranslation.defaultFormats, decodeCardFormats)
        let outputs = pd.value("outputs", default: 4) { $0.int(in: 0...255) }
        let inputs = pd.value("inputs", default: 4) { $0.int(in: 0...255) }
        let inlineKey = pd.optionalValue("key", decodeInlineKey)
        let fileKey = pd.optionalValue("key_file", decodeKeyFile)
        if pd.has("key"), pd.has("key_file") { value.report("give either key or key_file, not both") }
        guard let address, let name, secure.isValid, let outputs, let inputs, let formats, inlineKey.isValid, fileKey.isValid,
              !(pd.has("key") && pd.has("key_file"))
        else { return nil }
        let key = inlineKey.value ?? fileKey.value
        // A key means Secure Channel: only `secure: preferred` (or `off`) written out lets the PD run in plaintext.
        let policy = secure.value ?? (key == nil ? .off : .required)
        if policy == .required, key == nil {
            pd.required("secure").map { $0.report("\"required\" needs a key or key_file") }
            return nil
        }
        return PDEntry(address: address, name: name, key: key, secure: policy, outputs: outputs, inputs: inputs, formats: formats)
    }

    private func decodeKey(_ text: String, report: (String) -> Void) -> SecureChannelKey? {
        guard text.count == 32, let key = SecureChannelKey(hex: text) else {
            // The message never repeats the value: it is a secret, even when it is malformed.
            report("a Secure Channel key is exactly 32 hex digits, this one has \(text.count) characters\(text.allSatisfy(\.isHexDigit) ? "" : " and non-hex ones")")
            return nil
        }
        return key
    }

    /// `key:` in the file itself, or from the environment (`${VAR}`). A key written in the file is refused
    /// unless only the file's owner can read it: keys belong in key files (or the service's environment).
    private func decodeInlineKey(_ value: YAMLValue) -> SecureChannelKey? {
        if value.isUnknownOffline { return Self.keyUnknownOffline }
        guard let text = value.string() else { return nil }
        let key = decodeKey(text, report: value.report)
        if case .scalar(let scalar) = value.node, !isSoleReference(scalar.string), let fileMode, fileMode & 0o077 != 0,
           value.diagnostics.scope != .offline {
            value.reportMachine("a key written in a file others can read (mode \(String(fileMode, radix: 8))): move it to a key_file readable by the service only (0600), or make this file 0600")
            return nil
        }
        guard key != .installDefault else {
            value.report("this key is SCBK-D (30 31 … 3F), the install key every OSDP implementation publishes: give the PD a key of its own")
            return nil
        }
        return key
    }

    private func decodeKeyFile(_ value: YAMLValue) -> SecureChannelKey? {
        guard let url = decodePath(value) else { return nil }
        // The file alone names the key file; whether it exists and holds a key is the machine's business.
        guard value.diagnostics.scope != .offline else { return Self.keyUnknownOffline }
        let file: (data: Data, mode: Int)
        switch readBoundedFile(url, limit: 256) {
        case .success(let read): file = read
        case .failure:
            value.reportMachine("cannot read \(url.path)")
            return nil
        }
        if file.mode & 0o027 != 0 {
            value.reportMachine("\(url.path) is too permissive (mode \(String(file.mode, radix: 8))): make it 0600 or 0640")
            return nil
        }
        let text = String(decoding: file.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return decodeKey(text) { value.reportMachine("\(url.path): \($0)") }
    }

    /// What an offline check holds for a key it cannot see (never used: an offline check yields no site).
    private static let keyUnknownOffline = SecureChannelKey(hex: String(repeating: "0", count: 32))

    private func decodeWiegandReader(_ value: YAMLValue) -> WiegandReaderConfiguration? {
        guard let reader = value.mapping(keys: ["name", "chip", "d0", "d1", "formats", "keypad", "swap", "reverse", "led", "beeper"]) else {
            return nil
        }
        let name = reader.required("name")?.string()
        let chip = reader.required("chip").flatMap(decodeChip)
        let d0 = reader.required("d0")?.int(in: 0...1023)
        let d1 = reader.required("d1")?.int(in: 0...1023)
        let formats = reader.value("formats", default: ReaderTranslation.defaultFormats, decodeCardFormats)
        let keypad = reader.value("keypad", default: KeypadMode.fourBit) { value -> KeypadMode? in
            guard let text = value.string() else { return nil }
            if let match = WiegandReaderConfiguration.keypadSpellings.first(where: { $0.spelling == text }) { return match.mode }
            let spellings = WiegandReaderConfiguration.keypadSpellings.map(\.spelling)
            let hint = closestMatch(to: text, among: spellings).map { ", did you mean \"\($0)\"?" } ?? ""
            value.report("\"\(text)\" is not one of \(spellings.joined(separator: ", "))\(hint)")
            return nil
        }
        let swap = reader.value("swap", default: false) { $0.bool() }
        let reverse = reader.value("reverse", default: false) { $0.bool() }
        let led = reader.optionalValue("led", decodeGPIOLine)
        let beeper = reader.optionalValue("beeper", decodeGPIOLine)
        guard let name, let chip, let d0, let d1, let formats, let keypad, let swap, let reverse, led.isValid, beeper.isValid else { return nil }
        if d0 == d1 {
            reader.required("d1")?.report("D1 must be another line than D0 (\(d0))")
            return nil
        }
        return WiegandReaderConfiguration(
            name: name, chip: chip, d0: d0, d1: d1, formats: formats, keypad: keypad, swap: swap, reverse: reverse,
            led: led.value, beeper: beeper.value)
    }

    private func decodeCardFormats(_ value: YAMLValue) -> [CardFormat]? {
        guard let items = value.sequence() else { return nil }
        if items.isEmpty { value.report("name at least one card format") }
        let formats = items.map(decodeCardFormat)
        return formats.contains(nil) || items.isEmpty ? nil : formats.compactMap { $0 }
    }

    private func decodeCardFormat(_ value: YAMLValue) -> CardFormat? {
        guard let name = value.string() else { return nil }
        if let format = CardFormat.named(name) { return format }
        let names = CardFormat.builtIn.map(\.name)
        let hint = closestMatch(to: name, among: names).map { ", did you mean \"\($0)\"?" } ?? " (known: \(names.joined(separator: ", ")))"
        value.report("unknown card format \"\(name)\"\(hint)")
        return nil
    }

    /// `gpiochip0` and `/dev/gpiochip0` both name the same chip.
    private func decodeChip(_ value: YAMLValue) -> String? {
        value.string().map { text in
            let chip = text.hasPrefix("/") ? text : "/dev/\(text)"
            checkDeviceExists(chip, at: value)
            return chip
        }
    }

    /// A device the file names is this machine's business, checked by `keyway config check` only: the
    /// service starts without it and reports a fault until it appears.
    private func checkDeviceExists(_ path: String, at value: YAMLValue) {
        guard value.diagnostics.scope == .machine, !FileManager.default.fileExists(atPath: path),
              value.diagnostics.firstMention(ofMissingDevice: path) else { return }
        value.reportMachine("\(path) does not exist on this machine")
    }

    private func decodeGPIOLine(_ value: YAMLValue) -> GPIOLine? {
        guard let gpio = value.mapping(keys: ["chip", "line"]) else { return nil }
        let chip = gpio.required("chip").flatMap(decodeChip)
        let line = gpio.required("line")?.int(in: 0...1023)
        guard let chip, let line else { return nil }
        return GPIOLine(chip: chip, line: line)
    }

    private func decodeDoor(_ value: YAMLValue) -> DoorConfiguration? {
        guard let door = value.mapping(keys: [
            "name", "reader", "relay", "strike", "extended_strike", "held_open", "door_position", "exit_button", "mode", "pin_timeout",
        ]) else { return nil }
        let name = door.required("name")?.string()
        let reader = door.required("reader").flatMap(decodeReaderReference)
        let relay = door.required("relay").flatMap(decodeRelay)
        let strike = door.value("strike", default: .seconds(5)) { $0.duration(within: .relayPulse) }
        let extendedStrike = door.value("extended_strike", default: .seconds(20)) { $0.duration(within: .relayPulse) }
        let heldOpen = door.value("held_open", default: .seconds(30)) { $0.duration(within: .doorTimer) }
        let pinTimeout = door.value("pin_timeout", default: .seconds(10)) { $0.duration(within: .doorTimer) }
        let doorPosition = door.optionalValue("door_position", decodeInput)
        let exitButton = door.optionalValue("exit_button", decodeInput)
        let mode = door.value("mode", default: DoorMode.card) { $0.choice(DoorMode.self) }
        guard let name, let reader, let relay, let strike, let extendedStrike, let heldOpen, let pinTimeout, let mode,
              doorPosition.isValid, exitButton.isValid
        else { return nil }
        return DoorConfiguration(
            name: name, reader: reader, relay: relay, strike: strike, extendedStrike: extendedStrike, heldOpen: heldOpen,
            doorPosition: doorPosition.value, exitButton: exitButton.value, mode: mode, pinTimeout: pinTimeout)
    }

    private func decodeReaderReference(_ value: YAMLValue) -> ReaderReference? {
        guard let reader = value.mapping(keys: ["bus", "address", "wiegand"]) else { return nil }
        if let wiegand = reader.optional("wiegand") {
            if reader.has("bus") || reader.has("address") {
                value.report("give either bus and address (OSDP) or wiegand, not both")
                return nil
            }
            return wiegand.string().map { .wiegand(name: $0) }
        }
        guard reader.has("bus") || reader.has("address") else {
            value.report("missing key \"bus\" and \"address\" (an OSDP reader) or \"wiegand\"")
            return nil
        }
        let bus = reader.required("bus")?.string()
        let address = reader.required("address")?.int(in: PDEntry.addressRange)
        guard let bus, let address else { return nil }
        return .osdp(bus: bus, address: address)
    }

    private func decodeRelay(_ value: YAMLValue) -> OutputReference? {
        guard let relay = value.mapping(keys: ["bus", "address", "output", "gpio"]) else { return nil }
        if let gpio = relay.optional("gpio") {
            if relay.has("bus") || relay.has("address") || relay.has("output") {
                value.report("give either bus, address and output (an OSDP output) or gpio, not both")
                return nil
            }
            return decodeGPIOLine(gpio).map { .gpio($0) }
        }
        let bus = relay.required("bus")?.string()
        let address = relay.required("address")?.int(in: PDEntry.addressRange)
        let output = relay.required("output")?.int(in: 0...255)
        guard let bus, let address, let output else { return nil }
        return .osdp(bus: bus, address: address, output: output)
    }

    private func decodeInput(_ value: YAMLValue) -> InputReference? {
        guard let input = value.mapping(keys: ["bus", "address", "input", "gpio", "normally"]) else { return nil }
        let normally = input.value("normally", default: .closed) { $0.choice(ContactState.self) }
        let source: InputReference.Source?
        if let gpio = input.optional("gpio") {
            if input.has("bus") || input.has("address") || input.has("input") {
                value.report("give either bus, address and input (an OSDP input) or gpio, not both")
                return nil
            }
            source = decodeGPIOLine(gpio).map { .gpio($0) }
        } else {
            let bus = input.required("bus")?.string()
            let address = input.required("address")?.int(in: PDEntry.addressRange)
            let number = input.required("input")?.int(in: 0...255)
            source = if let bus, let address, let number { .osdp(bus: bus, address: address, input: number) } else { nil }
        }
        guard let source, let normally else { return nil }
        return InputReference(source: source, normally: normally)
    }

    private func decodeAPI(_ value: YAMLValue) -> ControlSocketConfiguration? {
        guard let api = value.mapping(keys: ["socket", "mode"]) else { return nil }
        let socket = api.required("socket").flatMap { value -> String? in
            guard let path = decodePath(value)?.path else { return nil }
            guard path.utf8.count <= ControlSocketConfiguration.longestPath else {
                value.report("the socket's path is \(path.utf8.count) bytes long, a Unix socket's at most \(ControlSocketConfiguration.longestPath)")
                return nil
            }
            return path
        }
        let mode = api.value("mode", default: 0o600) { value -> Int? in
            guard let text = value.string() else { return nil }
            guard let mode = Int(text, radix: 8), ControlSocketConfiguration.allowedModes.contains(mode) else {
                value.report("\"\(text)\" is not an allowed socket mode (0600 or 0660)")
                return nil
            }
            return mode
        }
        guard let socket, let mode else { return nil }
        return ControlSocketConfiguration(socket: socket, mode: mode)
    }

    private func decodeHTTP(_ value: YAMLValue) -> HTTPConfiguration? {
        guard let http = value.mapping(keys: ["listen", "public_url", "tls"]) else { return nil }
        let listen = http.required("listen").flatMap(decodeListenAddress)
        let publicURL = http.required("public_url").flatMap { value -> String? in
            guard let text = value.string() else { return nil }
            guard text.utf8.count <= HTTPConfiguration.longestURL, let url = URL(string: text),
                  url.scheme == "http" || url.scheme == "https", url.host?.isEmpty == false, url.query == nil, url.fragment == nil,
                  url.user == nil else {
                value.report("\"\(clipped(text))\" is not a public URL (http:// or https://, a host, no query; at most \(HTTPConfiguration.longestURL) bytes)")
                return nil
            }
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        if let tls = http.optional("tls") {
            tls.report("Keyway serves plain HTTP: terminate TLS in a reverse proxy in front of it (docs/api.md) and give public_url as https://")
            return nil
        }
        guard let listen, let publicURL else { return nil }
        return HTTPConfiguration(listen: listen, publicURL: publicURL)
    }

    private func decodeListenAddress(_ value: YAMLValue) -> ListenAddress? {
        guard let text = value.string() else { return nil }
        guard let address = ListenAddress(text) else {
            value.report("\"\(text)\" is not a listen address (HOST:PORT, like 127.0.0.1:9464)")
            return nil
        }
        return address
    }
}

// MARK: - delivery: e-mail and SMS

extension SiteDecoder {
    func decodeDelivery(_ value: YAMLValue) -> DeliveryConfiguration? {
        guard let delivery = value.mapping(keys: ["email", "sms"]) else { return nil }
        let email = delivery.optionalValue("email", decodeEmail)
        let sms = delivery.optionalValue("sms", decodeSMS)
        guard email.isValid, sms.isValid else { return nil }
        return DeliveryConfiguration(email: email.value, sms: sms.value)
    }

    private func decodeEmail(_ value: YAMLValue) -> EmailDelivery? {
        guard let email = value.mapping(keys: ["host", "port", "from", "starttls", "ca_file", "username", "password_file", "timeout"]) else {
            return nil
        }
        let host = email.required("host").flatMap { value -> String? in
            guard let text = value.string() else { return nil }
            guard text.utf8.count <= 253, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:[]".contains($0)) }) else {
                value.report("\"\(clipped(text))\" is not a host name or address")
                return nil
            }
            return text
        }
        let starttls = email.value("starttls", default: EmailDelivery.StartTLS.required) { $0.choice(EmailDelivery.StartTLS.self) }
        let port = email.value("port", default: starttls == EmailDelivery.StartTLS.plaintext ? 25 : 587) { $0.int(in: 1...65535) }
        let from = email.required("from").flatMap(decodeMailbox)
        let caFile = email.optionalValue("ca_file") { value -> URL? in
            guard let url = decodePath(value) else { return nil }
            guard value.diagnostics.scope != .offline else { return url }
            if case .failure(let problem) = readBoundedFile(url, limit: 1 << 20) {
                value.reportMachine(problem.message)
                return nil
            }
            return url
        }
        let username = email.optionalValue("username") { value -> String? in
            guard let text = value.string() else { return nil }
            guard text.utf8.count <= 256, !text.contains(where: { $0.isNewline || $0 == "\0" }) else {
                value.report("a user name is at most 256 bytes on one line")
                return nil
            }
            return text
        }
        let password = email.optionalValue("password_file") { decodeSecretFile($0, what: "password") }
        let timeout = email.value("timeout", default: DeliveryConfiguration.defaultTimeout) { $0.duration(within: DeliveryConfiguration.timeoutLimits) }
        if email.has("username") != email.has("password_file") {
            value.report("give username and password_file together (or neither, for a relay that needs no login)")
            return nil
        }
        if starttls == EmailDelivery.StartTLS.plaintext, let file = email.optional("password_file") {
            file.report("a password is sent only over TLS: set starttls: required, or use a relay that needs no login")
            return nil
        }
        if starttls == EmailDelivery.StartTLS.plaintext, let file = email.optional("ca_file") {
            file.report("ca_file checks the relay's certificate, and starttls: none uses none")
            return nil
        }
        guard let host, let port, let from, let starttls, caFile.isValid, username.isValid, password.isValid, let timeout else { return nil }
        var delivery = EmailDelivery(host: host, port: port, fromAddress: from.address, fromName: from.name, starttls: starttls,
                                     caFile: caFile.value, username: username.value, password: password.value ?? nil)
        delivery.timeout = timeout
        return delivery
    }

    /// `keyway@example.org` or `Keyway <keyway@example.org>`.
    private func decodeMailbox(_ value: YAMLValue) -> (name: String?, address: String)? {
        guard let text = value.string() else { return nil }
        var name: String?
        var address = text
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            name = text[..<open].trimmingCharacters(in: .whitespaces)
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
            if name?.isEmpty == true { name = nil }
        }
        guard MessageChannel.of(address) == .email, !(name ?? "").contains(where: { $0.isNewline || $0 == "\"" || $0 == "<" || $0 == ">" }) else {
            value.report("\"\(clipped(text))\" is not a sender (an address like keyway@example.org, or Name <keyway@example.org>)")
            return nil
        }
        return (name, address)
    }

    private func decodeSMS(_ value: YAMLValue) -> SMSDelivery? {
        guard let sms = value.mapping(keys: ["method", "url", "headers", "body", "encoding", "credentials_file", "timeout"]) else { return nil }
        let method = sms.value("method", default: SMSDelivery.Method.post) { $0.choice(SMSDelivery.Method.self) }
        let url = sms.required("url").flatMap { value -> String? in
            guard let text = value.string() else { return nil }
            guard text.utf8.count <= HTTPConfiguration.longestURL, let url = URLComponents(string: text),
                  url.scheme == "http" || url.scheme == "https", url.host?.isEmpty == false, url.user == nil, url.fragment == nil else {
                value.report("\"\(clipped(text))\" is not a gateway URL (http:// or https:// with a host, no credentials in it)")
                return nil
            }
            return text
        }
        let headers = sms.value("headers", default: []) { value -> [(name: String, value: String)]? in
            guard let items = value.sequence() else { return nil }
            let headers = items.map { item -> (name: String, value: String)? in
                guard let text = item.string() else { return nil }
                guard let colon = text.firstIndex(of: ":"), !text.contains(where: { $0.isNewline || $0 == "\0" }),
                      case let name = text[..<colon].trimmingCharacters(in: .whitespaces), !name.isEmpty,
                      name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                    item.report("\"\(clipped(text))\" is not a header (Name: value, on one line)")
                    return nil
                }
                return (name, text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            guard headers.allSatisfy({ $0 != nil }) else { return nil }
            return headers.compactMap { $0 }
        }
        let body = sms.required("body").flatMap { value -> String? in
            guard let text = value.string() else { return nil }
            guard text.utf8.count <= SMSDelivery.longestBody else {
                value.report("a body template is at most \(SMSDelivery.longestBody) bytes")
                return nil
            }
            guard text.contains("{to}"), text.contains("{text}") else {
                value.report("the body names {to} and {text} (where the recipient and the message go)")
                return nil
            }
            return text
        }
        let encoding = sms.value("encoding", default: SMSDelivery.BodyEncoding.json) { $0.choice(SMSDelivery.BodyEncoding.self) }
        let credentials = sms.optionalValue("credentials_file") { decodeSecretFile($0, what: "credentials") }
        let timeout = sms.value("timeout", default: DeliveryConfiguration.defaultTimeout) { $0.duration(within: DeliveryConfiguration.timeoutLimits) }
        guard let method, let url, let headers, let body, let encoding, credentials.isValid, let timeout else { return nil }
        let usesCredentials = body.contains("{credentials}") || headers.contains { $0.value.contains("{credentials}") }
        if usesCredentials != sms.has("credentials_file") {
            value.report(usesCredentials ? "{credentials} is used but no credentials_file is given"
                                         : "credentials_file is given but no header or the body uses {credentials}")
            return nil
        }
        var delivery = SMSDelivery(method: method, url: url, headers: headers, body: body, encoding: encoding, credentials: credentials.value ?? nil)
        delivery.timeout = timeout
        return delivery
    }

    /// A password or token from a file only the service reads (0600); offline, the file is not read (nil).
    private func decodeSecretFile(_ value: YAMLValue, what: String) -> SecretText?? {
        guard let url = decodePath(value) else { return nil }
        guard value.diagnostics.scope != .offline else { return .some(nil) }
        let file: (data: Data, mode: Int)
        switch readBoundedFile(url, limit: 4096) {
        case .success(let read): file = read
        case .failure(let problem):
            value.reportMachine(problem.message)
            return nil
        }
        if file.mode & 0o077 != 0 {
            value.reportMachine("\(url.path) is too permissive (mode \(String(file.mode, radix: 8))): make it 0600")
            return nil
        }
        let text = String(decoding: file.data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, !text.contains(where: { $0.isNewline || $0 == "\0" }) else {
            value.reportMachine("\(url.path) holds no \(what) (one line expected)")
            return nil
        }
        return .some(SecretText(text))
    }
}
