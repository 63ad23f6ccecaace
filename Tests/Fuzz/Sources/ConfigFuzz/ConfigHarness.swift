import Access
import Bridge
import Foundation
import FuzzSupport
import Yams

// The site configuration: YAML text through the whole load path that `keyway config check`, `serve` and
// `reload` share (parse, decode, validate; `parseSiteConfiguration` is `loadSiteConfiguration` after
// the file read), then every door of a configuration that loads through its state machine.
//
// The machine stays out of it: the environment is the fixed map below, relative paths resolve under a
// folder that does not exist, and an input whose `key_file` could name an existing file is skipped
// (see `keyFilesStayOffTheMachine`), so no key file is ever opened.
//
// Invariants:
// - a refused file has at least one issue, each at line ≥ 1 and column ≥ 1 within the text;
// - no issue repeats an inline Secure Channel key (a secret even when malformed);
// - a configuration that loads is consistent: unique names, PD addresses in range and unique per bus,
//   every door's reader and relay exist (relay output and inputs within the PD's counts), `required`
//   security has a key;
// - every door of a configuration that loads runs: a grant, an exit request, an extended grant, the
//   door held open and a card waiting for its PIN, with the service up for 30 days.

private let environment = ["KEYWAY_FUZZ": "value", "KEYWAY_EMPTY": "", "TZ": "Europe/Zurich", "KEYWAY_PORT": "9464"]
private let baseDirectory = URL(fileURLWithPath: "/nonexistent-keyway-fuzz/site")

/// `${VAR}` and `${VAR:-default}` as the loader expands them with `environment` (only to judge what a value names).
private func expanded(_ text: String) -> String {
    var result = "", rest = Substring(text)
    while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
        result += rest[..<open.lowerBound]
        let reference = rest[open.upperBound..<close]
        if let separator = reference.range(of: ":-") {
            let value = environment[String(reference[..<separator.lowerBound])] ?? ""
            result += value.isEmpty ? String(reference[separator.upperBound...]) : value
        } else {
            result += environment[String(reference)] ?? ""
        }
        rest = rest[rest.index(after: close)...]
    }
    return result + rest
}

/// Every scalar of the document with the mapping key it is the value of.
private func scalars(_ node: Node, key: String? = nil, into found: inout [(key: String?, text: String)]) {
    switch node {
    case .scalar(let scalar): found.append((key, scalar.string))
    case .mapping(let mapping): for (keyNode, value) in mapping { scalars(value, key: keyNode.string, into: &found) }
    case .sequence(let sequence): for item in sequence { scalars(item, into: &found) }
    case .alias: break
    }
}

/// A key file the loader would open lies under /etc/keyway/ (absent here) or, relative, under the
/// missing base folder; no `..` climbs out of either.
private func keyFilesStayOffTheMachine(_ values: [(key: String?, text: String)]) -> Bool {
    values.allSatisfy { key, text in
        guard key == "key_file" else { return true }
        let path = expanded(text)
        return !path.contains("..") && !path.contains("\0") && (!path.hasPrefix("/") || path.hasPrefix("/etc/keyway/"))
    }
}

/// Lines as YAML counts them: CR LF, CR, LF, NEL, LS and PS each end one.
private func yamlLineCount(_ text: String) -> Int {
    var count = 1, previous: Unicode.Scalar?
    for scalar in text.unicodeScalars {
        if ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar), !(scalar == "\n" && previous == "\r") { count += 1 }
        previous = scalar
    }
    return count
}

private let day: UInt64 = 86_400 * 1_000_000_000

/// One door through a grant, an exit request, an extended grant, being held open, and card-and-PIN.
private func exercise(_ configuration: DoorConfiguration) {
    var door = DoorController(configuration: configuration)
    var now = 30 * day
    _ = door.start()
    func decide(_ input: DoorInput, extended: Bool) -> [DoorAction] {
        let asked = door.handle(input, now: now)
        guard case .decide(let id, _)? = asked.first(where: { if case .decide = $0 { true } else { false } }) else { return asked }
        return door.handle(.decided(id, .granted(extendedStrike: extended)), now: now)
    }
    let granted = decide(.pin("1234"), extended: false)
    if configuration.mode != .unlocked && configuration.mode != .lockdown {
        invariant(granted.contains(.pulseRelay(configuration.strike)), "a grant did not pulse the strike for \(configuration.strike): \(granted)")
    }
    _ = door.handle(.doorPosition(open: true), now: now)
    while let deadline = door.nextDeadline(), deadline > now {
        now = deadline
        _ = door.handle(.tick, now: now)
    }
    _ = door.handle(.doorPosition(open: false), now: now)
    _ = door.handle(.exitButtonPressed, now: now)
    _ = decide(.card(.fields(format: "h10301", facility: 1, number: 1)), extended: true)
    _ = door.handle(.mode(.cardAndPin), now: now)
    _ = door.handle(.card(.fields(format: "h10301", facility: 1, number: 2)), now: now)
    if let deadline = door.nextDeadline() {
        invariant(deadline >= now, "a door deadline lies in the past")
        _ = door.handle(.tick, now: deadline)
    }
}

private func checkConsistent(_ site: SiteConfiguration) {
    func unique<S: Sequence>(_ values: S, _ what: String) where S.Element: Hashable {
        let array = Array(values)
        invariant(Set(array).count == array.count, "duplicate \(what) in a configuration that loaded: \(array)")
    }
    unique(site.buses.map(\.name), "bus names")
    unique(site.doors.map(\.name), "door names")
    unique(site.wiegandReaders.map(\.name), "Wiegand reader names")
    unique(site.buses.flatMap { $0.pds.map(\.name) }, "PD names")
    for bus in site.buses {
        unique(bus.pds.map(\.address), "PD addresses on bus \(bus.name)")
        for pd in bus.pds {
            invariant(PDEntry.addressRange.contains(pd.address), "PD address \(pd.address) out of range")
            invariant(pd.secure != .required || pd.key != nil, "PD \(pd.name) requires Secure Channel without a key")
        }
    }
    func pd(_ bus: String, _ address: Int) -> PDEntry? { site.bus(named: bus)?.pd(at: address) }
    for door in site.doors {
        switch door.reader {
        case .osdp(let bus, let address): invariant(pd(bus, address) != nil, "door \(door.name): no PD \(address) on \(bus)")
        case .wiegand(let name): invariant(site.wiegandReader(named: name) != nil, "door \(door.name): no Wiegand reader \(name)")
        }
        if case .osdp(let bus, let address, let output) = door.relay {
            invariant(pd(bus, address).map { output < $0.outputs } == true, "door \(door.name): relay \(output) not on PD \(address)")
        }
        for input in [door.doorPosition, door.exitButton].compactMap({ $0 }) {
            if case .osdp(let bus, let address, let number) = input.source {
                invariant(pd(bus, address).map { number < $0.inputs } == true, "door \(door.name): input \(number) not on PD \(address)")
            }
        }
    }
}

private func parse(_ text: String, secrets: [String]) {
    do {
        let site = try parseSiteConfiguration(yaml: text, file: "site.yaml", baseDirectory: baseDirectory, environment: environment)
        checkConsistent(site)
        for door in site.doors { exercise(door) }
    } catch {
        invariant(!error.issues.isEmpty, "a refused configuration without a single issue")
        let lineCount = yamlLineCount(text)
        for issue in error.issues {
            invariant(issue.line >= 1 && issue.column >= 1 && issue.line <= lineCount + 1, "issue at \(issue.line):\(issue.column) of \(lineCount) lines: \(issue)")
            for secret in secrets {
                invariant(!issue.description.contains(secret), "an issue repeats an inline key: \(issue)")
            }
        }
    }
}

/// One input: libFuzzer calls this through the `LLVMFuzzerTestOneInput` symbol in main.swift.
func fuzzConfig(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let text = String(validating: bytes, as: UTF8.self) else { return }  // the loader refuses what is not UTF-8
    var values: [(key: String?, text: String)] = []
    // Composing costs as much as the load itself: only when a key file or an inline key may be named
    // (a backslash escape can spell any key in a double-quoted scalar).
    if text.contains("key_file") || text.contains("key") && text.contains(":") || text.contains("\\") {
        guard let root = try? Yams.compose(yaml: text) else { return parse(text, secrets: []) }
        scalars(root, into: &values)
        guard keyFilesStayOffTheMachine(values) else { return }
    }
    let secrets = values.filter { $0.key == "key" }.map { expanded($0.text) }
    parse(text, secrets: secrets.filter { $0.count >= 8 && text.components(separatedBy: $0).count == 2 })
}
