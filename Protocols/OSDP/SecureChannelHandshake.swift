/// The control panel's side of one Secure Channel handshake: CHLNG → CCRYPT, SCRYPT → RMAC_I, and, when a PD in an
/// install window accepted SCBK-D, KEYSET with the configured key. A value with no I/O: the bus sends `message`,
/// hands the reply to `receive`, and acts on the outcome.
struct SecureChannelHandshake: Sendable {
    enum Step: Sendable {
        /// CHLNG with RND.A; the PD answers CCRYPT.
        case challenging
        /// SCRYPT; the PD answers RMAC_I.
        case provingServer(ClientCryptogram)
        /// KEYSET of the configured key inside the SCBK-D session.
        case installingKey(SecureChannelKey)
    }

    /// What the bus does after a handshake reply.
    enum Outcome: Sendable {
        /// Send the next message of the handshake.
        case proceed
        /// The session is up. With `installsKey` the handshake goes on with KEYSET; otherwise the PD is online.
        case established(SecureSession, installsKey: Bool)
        case failed(SecureChannelError)
        /// The PD acknowledged KEYSET.
        case keyInstalled
        /// The PD refused KEYSET: it goes on with the key it has.
        case keyRefused(NAKCode)
    }

    /// The key tried and RND.A (kept for retransmissions).
    private(set) var key: SecureChannelKey
    private(set) var randomA: [UInt8]
    private(set) var step = Step.challenging

    init(key: SecureChannelKey, randomA: [UInt8]) {
        self.key = key
        self.randomA = randomA
    }

    /// 0x01 = SCBK, 0x00 = SCBK-D.
    var keySelector: UInt8 { key == .installDefault ? 0x00 : 0x01 }
    var keys: SessionKeys { SessionKeys(scbk: key, randomA: randomA) }

    /// The message this step sends, its security block (none: KEYSET is sealed like any command) and what its reply is for.
    var message: (command: Command, securityBlock: SecurityBlock?, purpose: Purpose) {
        switch step {
        case .challenging:
            (.challenge(randomA), SecurityBlock(.challenge, data: [keySelector]), .challenge)
        case .provingServer(let client):
            (.serverCryptogram(keys.serverCryptogram(randomA: randomA, randomB: client.randomB)),
             SecurityBlock(.serverCryptogram, data: [keySelector]), .serverCryptogram)
        case .installingKey(let key):
            (.keySet(key), nil, .installKey)
        }
    }

    /// Takes the reply to `message`. `configuration` and `unconfirmedKey` are the PD's: a handshake that proves a
    /// new key adopts it, and one that fails may retry with the key of a KEYSET whose ACK was lost.
    mutating func receive(_ reply: Reply, securityBlock: SecurityBlock?, configuration: inout PDConfiguration,
                          unconfirmedKey: inout SecureChannelKey?, events: inout [BusEvent]) -> Outcome {
        switch step {
        case .challenging:
            guard case .clientCryptogram(let client) = reply, securityBlock?.type == .clientCryptogram else {
                if case .nak(let code, _) = reply { return .failed(.refused(code)) }
                return .failed(.notSupported)
            }
            guard securityBlock?.data.first == keySelector else { return .failed(.keySelectorMismatch) }
            let expected = keys.clientCryptogram(randomA: randomA, randomB: client.randomB)
            guard constantTimeEqual(expected, client.cryptogram) else {
                if let unconfirmed = unconfirmedKey, unconfirmed != key {
                    // The last KEYSET may have landed although its ACK was lost. A new CHLNG, a new sequence number.
                    unconfirmedKey = nil
                    self = SecureChannelHandshake(key: unconfirmed, randomA: randomA)
                    return .proceed
                }
                if key != .installDefault && configuration.installMode {
                    // Install window: the PD may still be on SCBK-D. A new CHLNG, so a new sequence number.
                    self = SecureChannelHandshake(key: .installDefault, randomA: randomA)
                    return .proceed
                }
                return .failed(.cryptogramMismatch)
            }
            step = .provingServer(client)
            return .proceed

        case .provingServer(let client):
            guard case .initialRMAC(let rmac) = reply, securityBlock?.type == .initialRMAC else {
                if case .nak(let code, _) = reply { return .failed(.refused(code)) }
                return .failed(.initialRMACMismatch)
            }
            let expected = keys.initialRMAC(serverCryptogram: keys.serverCryptogram(randomA: randomA, randomB: client.randomB))
            // The status byte means different things to different PDs: the RMAC itself is the proof.
            guard securityBlock?.data.first != 0xFF, constantTimeEqual(expected, rmac) else { return .failed(.initialRMACMismatch) }
            let address = configuration.address
            events.append(.secureChannel(address: address, active: true))
            if key != .installDefault && key != configuration.scbk {
                configuration.scbk = key
                events.append(.keyInstalled(address: address))
            }
            var installsKey = false
            if key == .installDefault {
                events.append(.defaultKeyAccepted(address: address))
                if let configured = configuration.scbk {
                    step = .installingKey(configured)
                    installsKey = true
                }
            }
            return .established(SecureSession(keys: keys, initialRMAC: expected), installsKey: installsKey)

        case .installingKey:
            if case .nak(let code, _) = reply { return .keyRefused(code) }
            return .keyInstalled
        }
    }
}
