/// How a reader is connected.
public enum ReaderKind: String, Sendable {
    case osdp
    case wiegand
}

/// The site's readers: whether each is online and what it last reported, for `keyway status`.
struct ReaderRegistry {
    struct Reader: Equatable {
        var kind: ReaderKind
        var online = false
        var lastEvent: String?
        /// When it went offline after being online, to tell how long the outage lasted.
        var offlineSince: ContinuousClock.Instant?
    }

    /// A reader that went online or offline; `outage` is how long it was offline, when it comes back from an outage.
    struct Transition {
        var outage: Duration?
    }

    private var readers: [String: Reader] = [:]

    /// The readers of a (re)loaded configuration; those already known keep their state.
    mutating func replace(with kinds: [String: ReaderKind]) {
        readers = kinds.reduce(into: [:]) { result, reader in
            result[reader.key] = readers[reader.key] ?? Reader(kind: reader.value)
        }
    }

    /// Marks a known reader online or offline; nil when it already was (or is unknown).
    mutating func setOnline(_ online: Bool, reader name: String, at now: ContinuousClock.Instant = .now) -> Transition? {
        guard let reader = readers[name], reader.online != online else { return nil }
        readers[name]?.online = online
        readers[name]?.lastEvent = online ? "online" : "offline"
        readers[name]?.offlineSince = online ? nil : now
        return Transition(outage: online ? reader.offlineSince.map { now - $0 } : nil)
    }

    /// Marks a reader stopped on purpose; true when it was online.
    mutating func stopped(_ name: String) -> Bool {
        guard readers[name]?.online == true else { return false }
        readers[name]?.online = false
        readers[name]?.lastEvent = "stopped"
        readers[name]?.offlineSince = nil
        return true
    }

    mutating func noteEvent(_ summary: String, reader name: String) {
        readers[name]?.lastEvent = summary
    }

    /// Every reader, sorted by name.
    var all: [(name: String, reader: Reader)] {
        readers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
