import Foundation

/// One request on the control socket: a JSON object on one line, e.g.
/// `{"door":{"name":"Front","action":"unlock","seconds":5}}`. The service answers with one
/// `ControlResponse` line, except `followLog`, which streams log lines until the client leaves.
public enum ControlRequest: Codable, Sendable, Equatable {
    case status
    case door(name: String, action: DoorRequestAction, seconds: Double?)
    case reload
    case simulateCard(reader: String, format: String, facility: UInt64?, card: UInt64)
    case simulateKeys(reader: String, keys: String)
    case followLog
}

public enum DoorRequestAction: String, Codable, Sendable, CaseIterable {
    case unlock, lock, lockdown, normal
}

public struct ControlResponse: Codable, Sendable, Equatable {
    public var ok: Bool
    /// What went wrong, for the operator; set when `ok` is false.
    public var error: String?
    /// A short confirmation ("Front unlocked for 5 s").
    public var message: String?
    public var status: ServiceStatus?

    public static func success(_ message: String? = nil, status: ServiceStatus? = nil) -> ControlResponse {
        ControlResponse(ok: true, error: nil, message: message, status: status)
    }

    public static func failure(_ error: String) -> ControlResponse {
        ControlResponse(ok: false, error: error, message: nil, status: nil)
    }
}

/// What `keyway status` shows.
public struct ServiceStatus: Codable, Sendable, Equatable {
    public var site: String
    public var configuration: String
    public var startedAt: Date
    public var buses: [Bus]
    public var readers: [Reader]
    public var doors: [Door]
    /// Faults in force now (an adapter missing, a database error), newest last.
    public var faults: [String]
    /// Each webhook subscription's delivery state.
    public var webhooks: [Webhook] = []

    public struct Bus: Codable, Sendable, Equatable {
        public var name: String
        public var port: String
        public var open: Bool
        /// When the port was last opened: a reload that keeps the bus keeps this.
        public var openedAt: Date?
        public var pds: [PD]
    }

    public struct PD: Codable, Sendable, Equatable {
        public var address: Int
        public var name: String
        public var online: Bool
        public var secure: Bool
        /// Secure Channel sessions lost in use and handshaken again since the bus opened (line noise, a PD reset).
        public var secureChannelRestarts = 0
    }

    public struct Reader: Codable, Sendable, Equatable {
        public var name: String
        /// `osdp` or `wiegand`.
        public var kind: String
        public var online: Bool
        public var lastEvent: String?
    }

    public struct Door: Codable, Sendable, Equatable {
        public var name: String
        public var mode: String
        public var configuredMode: String
        public var open: Bool?
        public var alarms: [String]
        public var lastEvent: String?
    }
}

/// The JSON coding both ends use: one object per line, ISO 8601 dates.
enum ControlCoding {
    static func encode<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value) + Data("\n".utf8)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from line: Data) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: line)
    }
}
