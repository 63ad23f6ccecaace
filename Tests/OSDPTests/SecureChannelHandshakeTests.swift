import Testing
@testable import OSDP

/// The handshake machine on its own: messages out, replies in, outcomes and events.
@Suite struct SecureChannelHandshakeTests {
    static let scbk = SecureChannelKey(bytes: Array(0x50...0x5F))!  // not SCBK-D, which is 0x30…0x3F
    static let randomA: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
    static let randomB: [UInt8] = [9, 10, 11, 12, 13, 14, 15, 16]

    /// The CCRYPT a PD holding `key` sends.
    static func clientCryptogram(_ key: SecureChannelKey) -> ClientCryptogram {
        let keys = SessionKeys(scbk: key, randomA: randomA)
        return ClientCryptogram(clientUID: Array(repeating: 0xAA, count: 8), randomB: randomB,
                                cryptogram: keys.clientCryptogram(randomA: randomA, randomB: randomB))
    }

    /// The RMAC_I a PD holding `key` sends.
    static func initialRMAC(_ key: SecureChannelKey) -> [UInt8] {
        let keys = SessionKeys(scbk: key, randomA: randomA)
        return keys.initialRMAC(serverCryptogram: keys.serverCryptogram(randomA: randomA, randomB: randomB))
    }

    struct PD {
        var configuration: PDConfiguration
        var unconfirmedKey: SecureChannelKey?
        var events: [BusEvent] = []

        mutating func send(_ reply: Reply, _ block: SecurityBlock?, to handshake: inout SecureChannelHandshake) -> SecureChannelHandshake.Outcome {
            handshake.receive(reply, securityBlock: block, configuration: &configuration, unconfirmedKey: &unconfirmedKey, events: &events)
        }
    }

    @Test func provesTheConfiguredKeyAndGoesOnline() throws {
        var pd = PD(configuration: PDConfiguration(address: 3, scbk: Self.scbk, security: .required))
        var handshake = SecureChannelHandshake(key: Self.scbk, randomA: Self.randomA)
        #expect(handshake.message.command == .challenge(Self.randomA))
        #expect(handshake.message.securityBlock == SecurityBlock(.challenge, data: [0x01]))

        guard case .proceed = pd.send(.clientCryptogram(Self.clientCryptogram(Self.scbk)), SecurityBlock(.clientCryptogram, data: [0x01]), to: &handshake)
        else { Issue.record("CCRYPT refused"); return }
        let keys = SessionKeys(scbk: Self.scbk, randomA: Self.randomA)
        #expect(handshake.message.command == .serverCryptogram(keys.serverCryptogram(randomA: Self.randomA, randomB: Self.randomB)))
        #expect(handshake.message.securityBlock == SecurityBlock(.serverCryptogram, data: [0x01]))

        guard case .established(_, installsKey: false) = pd.send(.initialRMAC(Self.initialRMAC(Self.scbk)), SecurityBlock(.initialRMAC, data: [0x01]), to: &handshake)
        else { Issue.record("RMAC_I refused"); return }
        #expect(pd.events == [.secureChannel(address: 3, active: true)])
    }

    @Test func theDefaultKeyInAnInstallWindowLeadsToKeySet() throws {
        var pd = PD(configuration: PDConfiguration(address: 3, scbk: Self.scbk, installMode: true))
        var handshake = SecureChannelHandshake(key: .installDefault, randomA: Self.randomA)
        #expect(handshake.message.securityBlock == SecurityBlock(.challenge, data: [0x00]))
        _ = pd.send(.clientCryptogram(Self.clientCryptogram(.installDefault)), SecurityBlock(.clientCryptogram, data: [0x00]), to: &handshake)
        guard case .established(_, installsKey: true) = pd.send(.initialRMAC(Self.initialRMAC(.installDefault)), SecurityBlock(.initialRMAC, data: [0x01]), to: &handshake)
        else { Issue.record("not established"); return }
        #expect(pd.events == [.secureChannel(address: 3, active: true), .defaultKeyAccepted(address: 3)])
        #expect(handshake.message.command == .keySet(Self.scbk) && handshake.message.securityBlock == nil)
        guard case .keyInstalled = pd.send(.ack, nil, to: &handshake) else { Issue.record("ACK not a key install"); return }
        guard case .keyRefused(.securityConditionsNotMet) = pd.send(.nak(.securityConditionsNotMet, detail: []), nil, to: &handshake) else {
            Issue.record("NAK not a refusal"); return
        }
    }

    @Test func aWrongCryptogramTriesTheUnconfirmedKeyThenTheDefaultKey() throws {
        let newKey = SecureChannelKey(bytes: Array(0x40...0x4F))!
        var pd = PD(configuration: PDConfiguration(address: 3, scbk: Self.scbk, installMode: true), unconfirmedKey: newKey)
        var handshake = SecureChannelHandshake(key: Self.scbk, randomA: Self.randomA)
        let fromDefault = SecurityBlock(.clientCryptogram, data: [0x01])
        // The PD holds SCBK-D: our key's cryptogram does not match.
        guard case .proceed = pd.send(.clientCryptogram(Self.clientCryptogram(.installDefault)), fromDefault, to: &handshake) else {
            Issue.record("no retry"); return
        }
        #expect(handshake.key == newKey && handshake.randomA == Self.randomA && pd.unconfirmedKey == nil)
        guard case .proceed = pd.send(.clientCryptogram(Self.clientCryptogram(.installDefault)), fromDefault, to: &handshake) else {
            Issue.record("no retry with SCBK-D"); return
        }
        #expect(handshake.key == .installDefault)
        guard case .failed(.cryptogramMismatch) = pd.send(.clientCryptogram(Self.clientCryptogram(newKey)), SecurityBlock(.clientCryptogram, data: [0x00]), to: &handshake)
        else { Issue.record("no failure"); return }
        #expect(pd.events.isEmpty)
    }

    @Test func refusalsAndMismatchesFail() throws {
        var pd = PD(configuration: PDConfiguration(address: 3, scbk: Self.scbk))
        var handshake = SecureChannelHandshake(key: Self.scbk, randomA: Self.randomA)
        guard case .failed(.refused(.securityConditionsNotMet)) = pd.send(.nak(.securityConditionsNotMet, detail: []), nil, to: &handshake),
              case .failed(.notSupported) = pd.send(.ack, nil, to: &handshake),
              case .failed(.keySelectorMismatch) = pd.send(.clientCryptogram(Self.clientCryptogram(Self.scbk)), SecurityBlock(.clientCryptogram, data: [0x00]), to: &handshake),
              case .proceed = pd.send(.clientCryptogram(Self.clientCryptogram(Self.scbk)), SecurityBlock(.clientCryptogram, data: [0x01]), to: &handshake),
              case .failed(.initialRMACMismatch) = pd.send(.initialRMAC(Self.initialRMAC(.installDefault)), SecurityBlock(.initialRMAC, data: [0x01]), to: &handshake)
        else { Issue.record("an outcome differs"); return }
        #expect(pd.events.isEmpty)
    }
}
