import Foundation
import Synchronization
import NIOCore
import NIOPosix
import NIOSSL
import Timebase

/// Why a message was not handed over; its text names the step and the relay's answer (never the message or password).
public struct DeliveryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A minimal SMTP submission client (RFC 5321, STARTTLS RFC 3207, AUTH PLAIN/LOGIN RFC 4954): one connection per
/// message, the whole conversation bounded by the configured timeout.
struct SMTPClient: Sendable {
    let configuration: EmailDelivery
    /// The name this machine gives in EHLO.
    var clientName = "keyway.localdomain"

    /// The longest reply line and the most lines in one reply taken from a relay.
    static let longestLine = 4096
    static let mostReplyLines = 64

    func send(to recipient: String, subject: String, text: String, at date: Date = Date()) async throws {
        let message = Self.compose(from: configuration, to: recipient, subject: subject, text: text, at: date)
        let timeout = configuration.timeout
        let connectTimeout = TimeAmount.milliseconds(Int64(min(timeout.seconds, 300) * 1000))
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(connectTimeout)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
        } catch {
            throw DeliveryError("cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        let timedOut = DeliveryError("the relay \(configuration.host) did not finish within \(timeout.text)")
        // Closing the channel at the deadline also ends the conversation, with an error of its own that may come first:
        // once the deadline has passed, the timeout is what is reported.
        let deadlinePassed = DeadlineFlag()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await channel.executeThenClose { inbound, outbound in
                        var session = SMTPSession(replies: ReplyReader(inbound.makeAsyncIterator()), outbound: outbound, channel: channel.channel)
                        try await session.run(self, recipient: recipient, message: message)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    deadlinePassed.set()
                    channel.channel.close(promise: nil)
                    throw timedOut
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch where deadlinePassed.isSet {
            throw timedOut
        }
    }

    /// The message as sent: headers and a text body with CRLF line ends (dot-stuffing comes at sending).
    static func compose(from configuration: EmailDelivery, to recipient: String, subject: String, text: String, at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let domain = configuration.fromAddress.split(separator: "@").last.map(String.init) ?? "keyway.localdomain"
        let from = configuration.fromName.map { "\(encodedWord($0)) <\(configuration.fromAddress)>" } ?? configuration.fromAddress
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        // 7bit text goes as it is; anything else (UTF-8, a very long line) in base64, which every relay carries.
        let plain = text.allSatisfy { $0.isASCII } && lines.allSatisfy { $0.utf8.count <= 900 }
        let body = plain ? lines.joined(separator: "\r\n")
            : wrapped(Data(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8).base64EncodedString())
        return [
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>",
            "From: \(from)",
            "To: \(recipient)",
            "Subject: \(encodedWord(subject))",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: \(plain ? "7bit" : "base64")",
            "",
            body,
        ].joined(separator: "\r\n")
    }

    /// A header value: as it is when plain ASCII on one line, else an RFC 2047 encoded word.
    static func encodedWord(_ text: String) -> String {
        if text.allSatisfy({ $0.isASCII && !$0.isNewline }) && text.utf8.count <= 200 { return text }
        let clean = String(text.filter { !$0.isNewline }.prefix(200))
        return "=?UTF-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }

    private static func wrapped(_ base64: String) -> String {
        var lines: [Substring] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\r\n")
    }

    /// Lines starting with a dot get another (RFC 5321 §4.5.2), and the data ends with `CRLF.CRLF`.
    static func dotStuffed(_ message: String) -> String {
        message.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n.\r\n"
    }
}

/// One reply: its code and its lines' text.
struct SMTPReply {
    let code: Int
    let lines: [String]
    var text: String { lines.joined(separator: " / ") }
}

/// Reads replies (`250-…` continued, `250 …` last) from the connection, each line bounded.
struct ReplyReader {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    mutating func next() async throws -> SMTPReply {
        var lines: [String] = []
        while true {
            let line = try await nextLine()
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes.prefix(3), as: UTF8.self)), (200...599).contains(code),
                  bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-") else {
                throw DeliveryError("the relay answered something that is not SMTP: \(line.prefix(80))")
            }
            lines.append(String(line.dropFirst(4)))
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { return SMTPReply(code: code, lines: lines) }
            guard lines.count < SMTPClient.mostReplyLines else { throw DeliveryError("the relay's reply has too many lines") }
        }
    }

    private mutating func nextLine() async throws -> String {
        while true {
            if let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - buffer.readerIndex
                var line = buffer.readString(length: length) ?? ""
                buffer.moveReaderIndex(forwardBy: 1)
                if line.hasSuffix("\r") { line.removeLast() }
                return line
            }
            guard buffer.readableBytes <= SMTPClient.longestLine else { throw DeliveryError("the relay sent a line longer than \(SMTPClient.longestLine) bytes") }
            guard var more = try await iterator.next() else { throw DeliveryError("the relay closed the connection") }
            buffer.writeBuffer(&more)
        }
    }
}

/// The conversation itself, step by step.
private struct SMTPSession {
    var replies: ReplyReader
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let channel: Channel

    mutating func run(_ client: SMTPClient, recipient: String, message: String) async throws {
        let configuration = client.configuration
        try await expect(220, "greeting")
        var capabilities = try await command("EHLO \(client.clientName)", 250, "EHLO").lines.dropFirst().map { $0.uppercased() }
        if configuration.starttls == .required {
            guard capabilities.contains(where: { $0 == "STARTTLS" || $0.hasPrefix("STARTTLS ") }) else {
                throw DeliveryError("the relay \(configuration.host) does not offer STARTTLS (starttls: required)")
            }
            try await command("STARTTLS", 220, "STARTTLS")
            try await startTLS(configuration)
            capabilities = try await command("EHLO \(client.clientName)", 250, "EHLO after STARTTLS").lines.dropFirst().map { $0.uppercased() }
        }
        if let username = configuration.username, let password = configuration.password?.value {
            let mechanisms = capabilities.first { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }?.dropFirst(5).split(separator: " ").map(String.init) ?? []
            if mechanisms.contains("PLAIN") {
                let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
                try await command("AUTH PLAIN \(token)", 235, "AUTH PLAIN", shown: "AUTH PLAIN")
            } else if mechanisms.contains("LOGIN") {
                try await command("AUTH LOGIN", 334, "AUTH LOGIN")
                try await command(Data(username.utf8).base64EncodedString(), 334, "AUTH LOGIN user name", shown: "(user name)")
                try await command(Data(password.utf8).base64EncodedString(), 235, "AUTH LOGIN password", shown: "(password)")
            } else {
                throw DeliveryError("the relay \(configuration.host) offers no AUTH PLAIN or LOGIN, and a username is configured")
            }
        }
        try await command("MAIL FROM:<\(configuration.fromAddress)>", 250, "MAIL FROM")
        let accepted = try await command("RCPT TO:<\(recipient)>", nil, "RCPT TO")
        guard accepted.code == 250 || accepted.code == 251 else { throw DeliveryError("RCPT TO refused: \(accepted.code) \(accepted.text)") }
        try await command("DATA", 354, "DATA")
        try await outbound.write(ByteBuffer(string: SMTPClient.dotStuffed(message)))
        try await expect(250, "the message")
        try? await outbound.write(ByteBuffer(string: "QUIT\r\n"))
        _ = try? await replies.next()
    }

    private mutating func expect(_ code: Int, _ step: String) async throws {
        let reply = try await replies.next()
        guard reply.code == code else { throw DeliveryError("\(step): the relay answered \(reply.code) \(reply.text.prefix(200))") }
    }

    /// Sends a line and reads the reply; `code` nil takes any. `shown` stands for the line in errors (it may hold a secret).
    @discardableResult
    private mutating func command(_ line: String, _ code: Int?, _ step: String, shown: String? = nil) async throws -> SMTPReply {
        try await outbound.write(ByteBuffer(string: line + "\r\n"))
        let reply = try await replies.next()
        if let code, reply.code != code {
            throw DeliveryError("\(shown ?? step): the relay answered \(reply.code) \(reply.text.prefix(200))")
        }
        return reply
    }

    /// TLS from here on, the relay's certificate checked against its host name (and `ca_file` when given).
    private func startTLS(_ configuration: EmailDelivery) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile { tls.trustRoots = .file(caFile.path) }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw DeliveryError("cannot set up TLS (ca_file \(configuration.caFile?.path ?? "none")): \(error)")
        }
        let host = configuration.host
        // An address is no server name (SNI); the certificate is then checked against the address.
        let serverName = IPAddressText.isAddress(host) ? nil : host
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: serverName), position: .first)
        }.get()
    }
}

enum IPAddressText {
    static func isAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }
}

/// Set once, by the task that closes a conversation at its deadline; read by the one that reports how it ended.
private final class DeadlineFlag: Sendable {
    private let passed = Atomic<Bool>(false)
    func set() { passed.store(true, ordering: .releasing) }
    var isSet: Bool { passed.load(ordering: .acquiring) }
}
